#!/usr/bin/env python3
"""A seeded fuzzer of KKTNet's command line: hostile CSV and safetensors files and flag values, run
against the real binary. A case is a finding when the binary

- traps (ends by a signal: SIGILL, SIGTRAP, SIGABRT, SIGSEGV, ... — not our own timeout's SIGKILL),
- exits 0 with a number that is not finite in what it printed or wrote (nan, inf, -nan),
- exits with a status other than 0, 1 (a bad file or value), 64 (a usage error),
- prints a first line of standard error longer than 600 characters (values must be quoted short),
- leaves a temporary file (.NAME.tmp-PID-N) behind, or changes one of its input files.

Usage: fuzz.py --binary .build/release/kktnet [--seconds 600] [--seed 1] [--jobs 2] [--keep FOLDER]
Each finding is printed with its command line; with --keep its files are kept for reproduction.
The same seed gives the same cases in the same order (their number depends on the time allowed).
"""
import argparse
import concurrent.futures
import hashlib
import json
import math
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

DATASETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "datasets")
NONFINITE = re.compile(r"(?<![A-Za-z_])(-?nan|[-+]?inf(inity)?)(?![A-Za-z_])", re.IGNORECASE)
TEMPORARY = re.compile(r"^\..+\.tmp-\d+-\d+$")
CASE_TIMEOUT = 30

# ----------------------------------------------------------------------------------------------------
# Values


def hostile_number(r):
    return r.choice([
        "0", "-0", "1", "-1", "0.5", "1e-320", "-1e-320", "5e-324", "2.2250738585072014e-308", "1e300", "-1e300",
        "1.7976931348623157e308", "-1.7976931348623157e308", "1e308", "1e309", "1e400", "-1e400", "nan", "NaN",
        "inf", "-inf", "Infinity", "0x10", "1e", ".", "-", "+1", "1.", ".5", " 3 ", "9" * r.choice([20, 400, 5000]),
        "1" + "0" * 310, "0." + "0" * 330 + "1", "", "abc", "1,5", "\"2\"", "1e-5", "123456789012345678901234567890",
        str(r.uniform(-10, 10)), str(r.randint(-5, 5)), "٣", "１", "\u00a0", "1\u0000",
    ])


def plain_number(r):
    return repr(round(r.gauss(0, 2), 6))


def hostile_int(r):
    if r.random() < 0.6:
        return str(r.choice([1, 2, 3, 5, 8, 13, 20]))
    return r.choice([
        "0", "-1", "1", "2", "3", "7", "1000", "100000000", "4294967296", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "18446744073709551616", "1e3", "2.5", "", "x", "0x10",
        "61489146912365174", str(r.randint(1, 50)), str(r.randint(1, 5)),
    ])


def hostile_float(r):
    if r.random() < 0.6:
        return r.choice(["0", "0.001", "0.01", "0.05", "0.1", "0.3", "0.5"])
    return r.choice([
        "0", "-0", "-1", "1", "0.5", "1e-320", "1e-300", "1e308", "1e309", "nan", "inf", "-inf", "", "x",
        "0.001", "0.01", "0.1", "2", "0.999999", "1.0000001", str(r.uniform(0, 1)), "5e-324", "-1e-9",
    ])


def hostile_text(r):
    return r.choice([
        "", "x", "a" * 70, "a" * 100000, "é" * 1000, "\u202e", "../x", "-x", "--", "y,y", "a,b", "y,", ",",
        "y" * 200 + ",y",
    ])


ACTIVATIONS = ["identity", "sigmoid", "tanh", "relu", "leaky-relu", "elu", "softplus", "softmax", "linear",
               "leaky-relu(0.2)", "elu(0.5)"]


def hostile_activation(r):
    return r.choice(ACTIVATIONS + [
        "leaky-relu(1e308)", "leaky-relu(-1)", "leaky-relu(nan)", "elu(1e300)", "elu(0)", "elu(-1)", "swish",
        "tanh(2)", "relu(", "leaky-relu(1)", "elu(1000)", "elu(1e-300)", "leaky-relu(5e-324)", "TANH", "",
    ])


def activation_list(r, layers):
    if r.random() < 0.7:
        return r.choice(ACTIVATIONS[:7])
    if r.random() < 0.4:
        return hostile_activation(r)
    return ",".join(hostile_activation(r) if r.random() < 0.2 else r.choice(ACTIVATIONS[:7]) for _ in range(layers))


def architecture(r, inputs=None, outputs=None):
    if r.random() < 0.15:
        return r.choice([
            "3-9223372036854775807-1", "3-4294967296-1", "4-3037000500-3037000500-1", "0-3-1", "3", "3--1",
            "3-x-1", "-3-1", "3-8-8-2-", "1" + "-1" * 300, "64-1000000-10", "100000-100000-1", "",
            "3-9223372036854775808-1", "3-3037000499-3037000499-1",
        ])
    n0 = inputs or r.randint(1, 6)
    nN = outputs or r.randint(1, 4)
    hidden = [str(r.randint(1, 12)) for _ in range(r.randint(0, 3))]
    return "-".join([str(n0)] + hidden + [str(nN)])


# ----------------------------------------------------------------------------------------------------
# Files


def csv_file(r, columns, rows, loss):
    header = [f"x{i}" for i in range(columns - 1)] + ["y"]
    lines = [",".join(header)]
    classes = r.randint(2, 4)
    for _ in range(rows):
        cells = [plain_number(r) for _ in range(columns - 1)]
        if loss == "ce":
            cells.append(str(r.randint(0, classes - 1)))
        elif loss == "bce":
            cells.append(r.choice(["0", "1"]))
        else:
            cells.append(plain_number(r))
        lines.append(",".join(cells))
    return lines


def mutate_csv(r, lines):
    lines = list(lines)
    for _ in range(r.choice([0, 1, 1, 2, 3])):
        kind = r.randint(0, 13)
        if kind <= 3 and len(lines) > 1:  # a hostile cell
            i = r.randint(1, len(lines) - 1)
            cells = lines[i].split(",")
            cells[r.randint(0, len(cells) - 1)] = hostile_number(r)
            lines[i] = ",".join(cells)
        elif kind == 4 and len(lines) > 1:  # ragged
            i = r.randint(1, len(lines) - 1)
            lines[i] += r.choice([",1", ""]) if r.random() < 0.5 else ""
            if r.random() < 0.5:
                lines[i] = ",".join(lines[i].split(",")[:-1])
        elif kind == 5:  # header trouble
            lines[0] = r.choice([lines[0] + "," + lines[0].split(",")[0], ",".join("1" for _ in lines[0].split(",")),
                                 lines[0].replace("x0", ""), lines[0].replace("x0", "a" * 100000), "\ufeff" + lines[0]])
        elif kind == 6:  # huge values over a whole column
            column = r.randint(0, len(lines[0].split(",")) - 1)
            value = r.choice(["1e300", "-1e300", "1e-310", "1.7e308", "1e200"])
            for i in range(1, len(lines)):
                cells = lines[i].split(",")
                if column < len(cells):
                    cells[column] = value if r.random() < 0.7 else "-" + value
                lines[i] = ",".join(cells)
        elif kind == 7:  # constant column
            column = r.randint(0, len(lines[0].split(",")) - 1)
            for i in range(1, len(lines)):
                cells = lines[i].split(",")
                if column < len(cells):
                    cells[column] = "3"
                lines[i] = ",".join(cells)
        elif kind == 8 and len(lines) > 2:  # blank line, truncated
            lines.insert(r.randint(1, len(lines) - 1), r.choice(["", "   "]))
        elif kind == 9:  # only the header, or one row
            lines = lines[: r.choice([1, 2])]
        elif kind == 10:  # quotes
            i = r.randint(0, len(lines) - 1)
            lines[i] = r.choice(['"' + lines[i], lines[i] + '"', '"1",' + lines[i], lines[i].replace(",", '","')])
        elif kind == 11:  # many columns
            lines[0] += "".join(f",c{j}" for j in range(r.choice([10, 1000])))
        elif kind == 12:  # NUL and control characters
            i = r.randint(0, len(lines) - 1)
            lines[i] = lines[i] + r.choice(["\u0000", "\u0007", "\r", "\t"])
        else:
            pass
    ending = r.choice(["\n", "\n", "\r\n", "\r"])
    text = ending.join(lines) + (ending if r.random() < 0.8 else "")
    data = text.encode("utf-8", "surrogatepass")
    if r.random() < 0.05:
        data = data[: r.randint(0, len(data))]
    if r.random() < 0.03:
        data = b"\xff\xfe" + data
    return data


def model_file(r, sizes, activations, loss, metadata_extra=None, dtype="F64", scale=1.0):
    tensors = []
    for k in range(len(sizes) - 1):
        n_out, n_in = sizes[k + 1], sizes[k]
        tensors.append((f"layers.{k}.weight", [n_out, n_in], [r.gauss(0, scale) for _ in range(n_out * n_in)]))
        tensors.append((f"layers.{k}.bias", [n_out], [r.gauss(0, scale * 0.1) for _ in range(n_out)]))
    metadata = {"activations": activations, "loss": loss, "format": "kktnet"}
    if metadata_extra:
        metadata.update(metadata_extra)
    return safetensors(tensors, metadata, dtype)


def pack(values, dtype):
    if dtype == "F64":
        return struct.pack(f"<{len(values)}d", *values)
    if dtype == "F32":
        out = b""
        for v in values:
            try:
                out += struct.pack("<f", v)
            except OverflowError:
                out += struct.pack("<f", math.copysign(math.inf, v))
        return out
    if dtype == "F16":
        out = b""
        for v in values:
            try:
                out += struct.pack("<e", v)
            except OverflowError:
                out += struct.pack("<e", math.copysign(math.inf, v))
        return out
    return struct.pack(f"<{len(values)}d", *values)


def safetensors(tensors, metadata, dtype="F64"):
    header = {}
    buffer = b""
    for name, shape, values in tensors:
        data = pack(values, dtype)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(buffer), len(buffer) + len(data)]}
        buffer += data
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + buffer


def hostile_metadata(r, sizes, loss):
    n0, nN = sizes[0], sizes[-1]
    choice = r.randint(0, 11)

    def numbers(count, pool):
        return ",".join(r.choice(pool) for _ in range(count))

    scales = ["1", "2", "0.5", "1e-310", "0", "-1", "1e308", "5e-324", "1e-300", "3"]
    means = ["0", "1", "-1", "1e308", "1e300", "-2"]
    if choice == 0:
        return {"input_mean": numbers(n0, means), "input_scale": numbers(n0, scales)}
    if choice == 1:
        return {"input_mean": numbers(n0 + r.choice([-1, 1]), means), "input_scale": numbers(n0, scales)}
    if choice == 2:
        return {"target_mean": numbers(nN, means), "target_scale": numbers(nN, scales)}
    if choice == 3:
        return {"input_mean": numbers(n0, ["0"]), "input_scale": numbers(n0, ["1"]),
                "target_mean": numbers(nN, means), "target_scale": numbers(nN, scales)}
    if choice == 4:
        return {"classes": ",".join(r.choice(["0", "1", "2", "3", "1.5", "-1", "1e300"]) for _ in range(nN + r.randint(-1, 1)))}
    if choice == 5:
        return {"classes": ",".join(str(i) for i in range(nN))}
    if choice == 6:
        return {"l1": hostile_float(r), "l2": hostile_float(r)}
    if choice == 7:
        return {"loss": r.choice(["mse", "bce", "ce", "MSE", "hinge", ""])}
    if choice == 8:
        return {"activations": ",".join(hostile_activation(r) for _ in range(len(sizes) - 1))}
    if choice == 9:
        return {"input_mean": "0," * n0, "input_scale": hostile_text(r)}
    if choice == 10:
        return {"state.checkpoint": r.choice(["{}", "[]", "{\"version\":1}", "x"])}
    return {}


def mutate_bytes(r, data):
    data = bytearray(data)
    kind = r.randint(0, 5)
    if kind == 0 and len(data) > 8:
        for _ in range(r.randint(1, 8)):
            data[r.randint(0, len(data) - 1)] = r.randint(0, 255)
    elif kind == 1:
        data = data[: r.randint(0, len(data))]
    elif kind == 2:
        data[0:8] = struct.pack("<Q", r.choice([0, 1, 2**63 - 1, 2**64 - 1, 100_000_001, len(data), len(data) - 8]))
    elif kind == 3:
        data += bytes(r.randint(0, 255) for _ in range(r.randint(1, 64)))
    elif kind == 4:  # a NaN or a huge weight in the buffer
        length = struct.unpack("<Q", bytes(data[:8]))[0] if len(data) >= 8 else 0
        start = 8 + length
        if start + 8 <= len(data):
            at = start + 8 * r.randint(0, (len(data) - start) // 8 - 1)
            data[at:at + 8] = struct.pack("<d", r.choice([math.nan, math.inf, 1e308, -1e300, 5e-324]))
    return bytes(data)


# ----------------------------------------------------------------------------------------------------
# Cases


class Case:
    def __init__(self, number, seed):
        self.number = number
        self.r = random.Random(seed * 1_000_003 + number)
        self.files = {}  # name -> bytes
        self.arguments = []
        self.outputs = []  # names of files the command may write

    def file(self, name, data):
        self.files[name] = data
        return name


def make_case(number, seed):
    c = Case(number, seed)
    r = c.r
    loss = r.choice(["mse", "mse", "bce", "ce"])
    inputs = r.randint(1, 5)
    outputs = 1 if loss != "ce" else r.randint(2, 4)
    command = r.choice(["compare", "init", "gradient", "jacobian", "check", "predict", "predict", "train", "train",
                        "train", "compare-solvers"])
    args = [command]

    def maybe(flag, value_function, probability=0.3):
        if r.random() < probability:
            args.extend([flag, value_function()])

    # The data: a bundled dataset, a generated table, or a hostile one.
    def data():
        pick = r.random()
        if pick < 0.15:
            name = r.choice(["iris", "wine", "breast_cancer", "diabetes"])
            return os.path.join(DATASETS, name + ".csv"), {"iris": (4, 3, "ce"), "wine": (13, 3, "ce"),
                                                           "breast_cancer": (30, 1, "bce"),
                                                           "diabetes": (10, 1, "mse")}[name]
        lines = csv_file(r, inputs + 1, r.randint(1, 40), loss)
        data = mutate_csv(r, lines) if pick < 0.6 else ("\n".join(lines) + "\n").encode()
        return c.file("data.csv", data), (inputs, None, loss)

    def model(shape):
        n0, nN, model_loss = shape
        nN = nN or (outputs if model_loss == "ce" else 1)
        sizes = [n0] + [r.randint(1, 8) for _ in range(r.randint(0, 2))] + [nN]
        natural = {"mse": "identity", "bce": "sigmoid", "ce": "softmax"}[model_loss]
        acts = ",".join([r.choice(ACTIVATIONS[:7]) for _ in sizes[2:]] + [natural])
        extra = hostile_metadata(r, sizes, model_loss) if r.random() < 0.5 else {}
        blob = model_file(r, sizes, acts, model_loss, extra, dtype=r.choice(["F64", "F64", "F32", "F16"]),
                          scale=r.choice([1, 1, 1, 1e3, 1e150, 1e-300]))
        if r.random() < 0.2:
            blob = mutate_bytes(r, blob)
        return c.file("model.safetensors", blob)

    def output(name):
        choice = r.random()
        if choice < 0.7:
            c.outputs.append(name)
            return name
        return r.choice(["", "/dev/null", ".", "nofolder/" + name, "data.csv", "model.safetensors", "/proc/x",
                         name + "/", "a" * 300])

    if command == "compare":
        maybe("--architecture", lambda: architecture(r), 0.7)
        maybe("--activations", lambda: activation_list(r, 3), 0.4)
        maybe("--loss", lambda: r.choice(["mse", "bce", "ce", "x"]), 0.4)
        maybe("--samples", lambda: r.choice([hostile_int(r), str(r.randint(1, 20))]), 0.6)
        maybe("--seed", lambda: hostile_int(r))
        maybe("--init", lambda: r.choice(["he", "zeros", "xavier-normal", "x"]))
        maybe("--l1", lambda: hostile_float(r))
        maybe("--l2", lambda: hostile_float(r))
        maybe("--backprop-tolerance", lambda: hostile_float(r), 0.15)
        maybe("--finite-difference-tolerance", lambda: hostile_float(r), 0.15)
    elif command == "init":
        args += ["--architecture", architecture(r)]
        maybe("--activations", lambda: activation_list(r, 3), 0.5)
        maybe("--loss", lambda: r.choice(["mse", "bce", "ce"]), 0.5)
        maybe("--init", lambda: r.choice(["he", "zeros", "xavier-normal"]))
        maybe("--seed", lambda: hostile_int(r))
        maybe("--l2", lambda: hostile_float(r))
        args += ["--out", output("out.safetensors")]
    elif command in ["gradient", "jacobian", "check", "predict"]:
        path, shape = data()
        args += ["--model", model(shape), "--data", path]
        maybe("--target", lambda: r.choice(["y", "x0", "z", "y,x0", hostile_text(r)]), 0.15)
        maybe("--activations", lambda: activation_list(r, 2), 0.1)
        maybe("--loss", lambda: r.choice(["mse", "bce", "ce"]), 0.1)
        maybe("--l2", lambda: hostile_float(r), 0.1)
        if command == "gradient":
            maybe("--method", lambda: r.choice(["lagrangian", "backprop", "finite-difference", "x"]), 0.6)
            if r.random() < 0.3:
                args.append("--multipliers")
        if command == "predict":
            maybe("--out", lambda: output("predictions.csv"), 0.4)
        maybe("--format", lambda: r.choice(["json", "table", "csv"]), 0.5)
    else:
        path, shape = data()
        args += ["--data", path]
        if r.random() < 0.3:
            args += ["--model", model(shape)]
        else:
            n0, nN, data_loss = shape
            args += ["--architecture", architecture(r, n0, nN if nN else (outputs if data_loss == "ce" else 1))]
            args += ["--loss", data_loss] if r.random() < 0.9 else []
            maybe("--activations", lambda: activation_list(r, 2), 0.3)
            maybe("--init", lambda: r.choice(["he", "zeros", "xavier-normal"]), 0.2)
        solvers = ["gd", "sgd", "minibatch", "momentum", "nesterov", "adam", "gauss-newton", "levenberg-marquardt",
                   "bayesian-regularization"]
        if command == "train":
            args += ["--solver", r.choice(solvers)]
        else:
            args += ["--solvers", ",".join(r.sample(solvers, r.randint(1, 3)))]
        args += [r.choice(["--epochs", "--max-iterations"]), r.choice([str(r.randint(1, 20)), hostile_int(r)])]
        args += ["--time-limit", r.choice(["3", "3", hostile_float(r)])]
        if r.random() < 0.4:
            args.append("--standardize")
            if r.random() < 0.3:
                args.append("--standardize-targets")
        maybe("--validation-split", lambda: hostile_float(r), 0.3)
        maybe("--batch-size", lambda: hostile_int(r), 0.3)
        maybe("--learning-rate", lambda: hostile_float(r), 0.3)
        maybe("--schedule", lambda: r.choice(["constant", "step", "cosine"]), 0.2)
        maybe("--min-learning-rate", lambda: hostile_float(r), 0.1)
        maybe("--step-every", lambda: hostile_int(r), 0.1)
        maybe("--step-factor", lambda: hostile_float(r), 0.1)
        maybe("--cosine-horizon", lambda: hostile_int(r), 0.1)
        maybe("--momentum", lambda: hostile_float(r), 0.1)
        maybe("--goal", lambda: hostile_float(r), 0.1)
        maybe("--patience", lambda: hostile_int(r), 0.1)
        maybe("--seed", lambda: hostile_int(r), 0.2)
        maybe("--damping", lambda: r.choice(["nielsen", "trainlm"]), 0.1)
        maybe("--scaling", lambda: r.choice(["levenberg", "marquardt"]), 0.1)
        maybe("--linear-solver", lambda: r.choice(["cholesky", "qr", "svd"]), 0.1)
        maybe("--l2", lambda: hostile_float(r), 0.1)
        maybe("--robust", lambda: r.choice(["huber", "soft-l1", "cauchy", "arctan", "x"]), 0.1)
        maybe("--robust-scale", lambda: hostile_float(r), 0.05)
        if command == "train":
            maybe("--out", lambda: output("trained.safetensors"), 0.4)
            maybe("--history", lambda: output(r.choice(["history.csv", "history.jsonl"])), 0.3)
            maybe("--checkpoint", lambda: output("state.safetensors"), 0.2)
            maybe("--checkpoint-every", lambda: hostile_int(r), 0.1)
            maybe("--plot", lambda: output("loss.svg"), 0.15)
            args.append("--quiet")
        maybe("--format", lambda: r.choice(["json", "table"]), 0.5)
    c.arguments = args
    return c


# ----------------------------------------------------------------------------------------------------
# Running


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run_case(binary, c, keep):
    folder = tempfile.mkdtemp(prefix=f"kktnet-fuzz-{c.number}-")
    try:
        for name, data in c.files.items():
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)
        inputs = {name: digest(os.path.join(folder, name)) for name in c.files}
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
        started = time.time()
        try:
            p = subprocess.run([binary] + c.arguments, cwd=folder, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=CASE_TIMEOUT, env=env)
        except subprocess.TimeoutExpired:
            return ("timeout", None, time.time() - started)
        problems = []
        err = p.stderr.decode("utf-8", "replace")
        out = p.stdout.decode("utf-8", "replace")
        first = err.split("\n", 1)[0]
        if p.returncode < 0:
            problems.append(f"trap: signal {-p.returncode}: {first[:300]}")
        elif p.returncode not in (0, 1, 64):
            problems.append(f"exit status {p.returncode}: {first[:300]}")
        if "Fatal error" in err or "Backtracing" in err:
            problems.append("a crash report on standard error: " + err[:300])
        if len(first) > 600:
            problems.append(f"a first line of standard error of {len(first)} characters")
        if p.returncode == 0:
            written = [out]
            for name in c.outputs:
                path = os.path.join(folder, name)
                if os.path.isfile(path) and not name.endswith(".safetensors"):
                    with open(path, "rb") as f:
                        written.append(f.read().decode("utf-8", "replace"))
            for text in written:
                match = NONFINITE.search(text)
                if match:
                    at = match.start()
                    problems.append("exit 0 with a non-finite value: …" + text[max(0, at - 80):at + 20] + "…")
                    break
        for name, before in inputs.items():
            path = os.path.join(folder, name)
            if not os.path.isfile(path) or digest(path) != before:
                problems.append(f"the input {name} was changed")
        left = [name for name in os.listdir(folder) if TEMPORARY.match(name)]
        if left:
            problems.append(f"temporary files left: {left}")
        if problems and keep:
            destination = os.path.join(keep, f"case-{c.number}")
            shutil.rmtree(destination, ignore_errors=True)
            shutil.copytree(folder, destination, symlinks=True)
            with open(os.path.join(destination, "command.json"), "w") as f:
                json.dump(c.arguments, f)
        return ("finding" if problems else "ok", problems, time.time() - started, p.returncode)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("FUZZ_SECONDS", 600)))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", 1)))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", help="copy the files of each finding into this folder")
    parser.add_argument("--max-cases", type=int, default=10**9)
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        sys.exit(f"fuzz.py: {binary} is not an executable; build it first")
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    deadline = time.time() + args.seconds
    counts = {"ok": 0, "finding": 0, "timeout": 0}
    statuses = {}
    commands = {}
    findings = []
    number = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        running = {}
        while True:
            while len(running) < args.jobs * 2 and time.time() < deadline and number < args.max_cases:
                c = make_case(number, args.seed)
                running[pool.submit(run_case, binary, c, args.keep)] = c
                number += 1
            if not running:
                break
            done, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                c = running.pop(future)
                result = future.result()
                counts[result[0]] += 1
                commands[c.arguments[0]] = commands.get(c.arguments[0], 0) + 1
                if len(result) > 3:
                    statuses[result[3]] = statuses.get(result[3], 0) + 1
                if result[0] == "timeout":
                    print(f"slow (over {CASE_TIMEOUT} s, not a finding) case {c.number}: kktnet "
                          + " ".join(a if len(a) < 80 else a[:40] + "…" for a in c.arguments)[:600], flush=True)
                if result[0] == "finding":
                    findings.append((c, result[1]))
                    print(f"FINDING in case {c.number}: {'; '.join(result[1])}", flush=True)
                    print("  kktnet " + " ".join(repr(a) if (" " in a or not a) else a for a in c.arguments)[:2000],
                          flush=True)
    total = sum(counts.values())
    print(f"fuzz: {total} cases (seed {args.seed}, {args.seconds:.0f} s): {counts['ok']} clean, "
          f"{counts['finding']} findings, {counts['timeout']} over {CASE_TIMEOUT} s; exit statuses {dict(sorted(statuses.items()))}; "
          f"commands {dict(sorted(commands.items()))}")
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    main()
