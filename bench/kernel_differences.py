#!/usr/bin/env python3
"""How far results move between OpenBLAS kernels (issue 10: what "bit-identical" covers).

Runs the same gradient, Levenberg–Marquardt fit and Adam run under each OPENBLAS_CORETYPE given (the
machine's own choice first), through `kktnet --format json`, and prints the largest relative difference of
each against the machine's own kernels. Usage:

    python3 bench/kernel_differences.py .build/release/kktnet [Sandybridge Haswell Zen …]
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "datasets")


def run(binary, coretype, arguments):
    environment = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    environment.pop("OPENBLAS_CORETYPE", None)
    if coretype:
        environment["OPENBLAS_CORETYPE"] = coretype
    output = subprocess.run([binary] + arguments, env=environment, capture_output=True, text=True, check=True)
    return json.loads(output.stdout)


def flatten(value):
    if isinstance(value, dict):
        return [x for key in sorted(value) for x in flatten(value[key])]
    if isinstance(value, list):
        return [x for item in value for x in flatten(item)]
    return [float(value)]


def relative(a, b):
    scale = max(max(abs(x) for x in a), max(abs(x) for x in b))
    return max(abs(x - y) for x, y in zip(a, b)) / scale if scale else 0.0


def main():
    binary = sys.argv[1]
    coretypes = [None] + sys.argv[2:]
    with tempfile.TemporaryDirectory() as folder:
        model = os.path.join(folder, "model.safetensors")
        subprocess.run(
            [binary, "init", "--architecture", "30-16-1", "--loss", "bce", "--seed", "3", "--out", model],
            check=True, capture_output=True)
        cases = {
            "gradient (breast_cancer, 30-16-1, bce)": (
                ["gradient", "--model", model, "--data", os.path.join(DATA, "breast_cancer.csv"), "--format", "json"],
                lambda r: [r["loss"]] + flatten(r["gradients"])),
            "LM fit (diabetes, 10-10-1, 100 iterations): final loss": (
                ["train", "--model", os.path.join(ROOT, "bench/P2.safetensors"), "--data", os.path.join(DATA, "diabetes.csv"),
                 "--standardize", "--standardize-targets", "--solver", "levenberg-marquardt", "--max-iterations", "100",
                 "--format", "json"],
                lambda r: [r["final_loss"]]),
            "Adam run (digits, 64-32-10, 20 epochs of 32): final loss": (
                ["train", "--data", os.path.join(DATA, "digits.csv"), "--architecture", "64-32-10", "--loss", "ce",
                 "--standardize", "--solver", "adam", "--learning-rate", "0.01", "--batch-size", "32", "--epochs", "20",
                 "--format", "json"],
                lambda r: [r["final_loss"]]),
        }
        print("largest relative difference from the machine's own kernels (OPENBLAS_CORETYPE unset)")
        for name, (arguments, extract) in cases.items():
            reference = extract(run(binary, None, arguments))
            cells = []
            for coretype in coretypes[1:]:
                cells.append(f"{coretype} {relative(reference, extract(run(binary, coretype, arguments))):.1e}")
            print(f"  {name}: " + ", ".join(cells))


if __name__ == "__main__":
    main()
