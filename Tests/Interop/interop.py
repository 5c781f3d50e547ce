"""Interoperability of KKTNet's files with Python's `safetensors` and `numpy`, run by `make test`.

1. A model written by `kktnet init` loads with safetensors.numpy: same names, shapes, dtype, metadata; a
   NumPy forward pass and hand-written cross-entropy gradient on iris agree with `kktnet predict` and
   `kktnet gradient` to 1e-12 (relative).
2. Models written by Python (F64 with metadata, F32 and F16 without) load in KKTNet: `kktnet predict`
   agrees with NumPy's forward pass on the same values.

Usage: python interop.py KKTNET_BINARY DATASETS_FOLDER
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

KKTNET, DATASETS = sys.argv[1], Path(sys.argv[2])
failures = []


def check(condition, message):
    print(("ok    " if condition else "FAIL  ") + message)
    if not condition:
        failures.append(message)


def relative(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(np.abs(a).max(), np.abs(b).max())
    return float(np.abs(a - b).max() / scale) if scale > 0 else 0.0


def kktnet(*args):
    result = subprocess.run([KKTNET, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"kktnet {' '.join(args)} failed: {result.stderr}")
    return result.stdout


def forward(layers, activations, X):
    a = X
    for (W, b), act in zip(layers, activations):
        z = a @ W.T + b
        if act == "tanh":
            a = np.tanh(z)
        elif act == "identity":
            a = z
        elif act == "softmax":
            e = np.exp(z - z.max(axis=1, keepdims=True))
            a = e / e.sum(axis=1, keepdims=True)
        else:
            raise ValueError(act)
    return a


def predictions(model, data, *flags):
    text = kktnet("predict", "--model", str(model), "--data", str(data), *flags)
    lines = text.strip().split("\n")
    return lines[0].split(","), np.array([[float(v) for v in line.split(",")] for line in lines[1:]])


iris = np.loadtxt(DATASETS / "iris.csv", delimiter=",", skiprows=1)
X, labels = iris[:, :4], iris[:, 4].astype(int)
Y = np.eye(3)[labels]

with tempfile.TemporaryDirectory() as folder:
    folder = Path(folder)

    # 1. KKTNet writes, Python reads.
    model = folder / "kktnet.safetensors"
    kktnet("init", "--architecture", "4-6-3", "--activations", "tanh", "--loss", "ce", "--seed", "5", "--out", str(model))
    tensors = load_file(str(model))
    check(sorted(tensors) == ["layers.0.bias", "layers.0.weight", "layers.1.bias", "layers.1.weight"], "names")
    check(tensors["layers.0.weight"].shape == (6, 4) and tensors["layers.1.bias"].shape == (3,), "shapes [out, in]")
    check(all(t.dtype == np.float64 for t in tensors.values()), "F64")
    with safe_open(str(model), framework="numpy") as f:
        metadata = f.metadata()
    check(metadata["activations"] == "tanh,softmax" and metadata["loss"] == "ce", f"metadata {metadata}")

    layers = [(tensors[f"layers.{k}.weight"], tensors[f"layers.{k}.bias"]) for k in range(2)]
    P = forward(layers, ["tanh", "softmax"], X)
    header, predicted = predictions(model, DATASETS / "iris.csv")
    check(header == ["y0", "y1", "y2"], "predict header")
    check(relative(predicted, P) <= 1e-13, f"predict equals NumPy's forward pass ({relative(predicted, P):.1e})")

    # NumPy's own backprop of J = mean cross-entropy.
    (W1, b1), (W2, b2) = layers
    m = X.shape[0]
    A1 = np.tanh(X @ W1.T + b1)
    delta2 = (P - Y) / m
    delta1 = (delta2 @ W2) * (1 - A1 * A1)
    expected = {"layers.1.weight": delta2.T @ A1, "layers.1.bias": delta2.sum(0),
                "layers.0.weight": delta1.T @ X, "layers.0.bias": delta1.sum(0)}
    loss = float(-np.sum(Y * np.log(P)) / m)
    report = json.loads(kktnet("gradient", "--model", str(model), "--data", str(DATASETS / "iris.csv"), "--format", "json"))
    check(abs(report["loss"] - loss) <= 1e-13 * loss, f"loss {report['loss']} vs NumPy {loss}")
    for name, g in expected.items():
        difference = relative(report["gradients"][name], g)
        check(difference <= 1e-12, f"gradient {name} equals NumPy's backprop ({difference:.1e})")

    # 2. Python writes, KKTNet reads.
    rng = np.random.default_rng(0)
    W1, b1 = rng.standard_normal((5, 4)), rng.standard_normal(5)
    W2, b2 = rng.standard_normal((2, 5)), rng.standard_normal(2)
    for dtype, with_metadata in [(np.float64, True), (np.float32, False), (np.float16, False)]:
        path = folder / f"python-{np.dtype(dtype).name}.safetensors"
        arrays = {"layers.0.weight": W1.astype(dtype), "layers.0.bias": b1.astype(dtype),
                  "layers.1.weight": W2.astype(dtype), "layers.1.bias": b2.astype(dtype)}
        save_file(arrays, str(path), metadata={"activations": "tanh,identity", "loss": "mse"} if with_metadata else None)
        flags = [] if with_metadata else ["--activations", "tanh,identity"]
        upcast = [(arrays[f"layers.{k}.weight"].astype(np.float64), arrays[f"layers.{k}.bias"].astype(np.float64)) for k in range(2)]
        expected = forward(upcast, ["tanh", "identity"], X)
        _, predicted = predictions(path, DATASETS / "iris.csv", *flags)
        difference = relative(predicted, expected)
        check(difference <= 1e-13, f"{np.dtype(dtype).name} file from Python: predict equals NumPy ({difference:.1e})")

if failures:
    raise SystemExit(f"{len(failures)} interoperability check(s) failed")
print("interoperability with safetensors and numpy: all checks passed")
