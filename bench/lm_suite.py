#!/usr/bin/env python3
"""Levenberg–Marquardt variants of KKTNet against SciPy's MINPACK `lm` on small regression networks.

Twelve problems: 1–3 inputs, 6–14 tanh units, one with two outputs, two with two hidden layers, 120–300
samples of smooth functions with noise of standard deviation 10⁻³ (seeded; the floor is ½σ² = 5·10⁻⁷), plus the sine problem P1 and the 2-D problem
(2-8-1, 225 samples on a grid) of issue 12. Each starts from the same Xavier-uniform weights (`kktnet init
--seed`), and every solver gets the same budget: 200 iterations for KKTNet (trial steps, accepted or not),
200 function evaluations for SciPy's `least_squares(method="lm")` with the exact Jacobian (so SciPy takes
fewer iterations). The loss is KKTNet's: ½·mean of the squared errors, f = ½‖r‖², r = (ŷ − y)/√m.

    python3 bench/lm_suite.py .build/release/kktnet [--variants default,nielsen-levenberg,…] [--budget 200]

Prints one row per problem (final loss of each variant and of SciPy) and, per variant, the number of
problems where it ends at ≤ 1.05× SciPy's loss and the geometric mean of the ratios. It writes its data
and starting models to a temporary folder; nothing in the repository changes.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy.optimize import least_squares

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

VARIANTS = {
    "default": [],
    "nielsen-levenberg": ["--damping", "nielsen", "--scaling", "levenberg"],
    "nielsen-marquardt": ["--damping", "nielsen", "--scaling", "marquardt"],
    "trainlm": ["--damping", "trainlm"],
    "geodesic": ["--damping", "nielsen", "--scaling", "levenberg", "--geodesic-acceleration"],
    "trust-region": ["--damping", "trust-region"],
}


def problems():
    """(name, sizes, X (m × n0), Y (m × nN)) for every problem, seeded."""
    random = np.random.default_rng(12)
    cases = []

    def add(name, sizes, m, function):
        n0 = sizes[0]
        x = random.uniform(-2, 2, size=(m, n0))
        y = function(x)
        if y.ndim == 1:
            y = y[:, None]
        y = y + 1e-3 * random.standard_normal(y.shape)
        cases.append((name, sizes, x, y))

    add("sin-1-6", [1, 6, 1], 120, lambda x: np.sin(2.5 * x[:, 0]))
    add("bump-1-8", [1, 8, 1], 150, lambda x: np.exp(-4 * x[:, 0] ** 2) - 0.3 * x[:, 0])
    add("wave-1-10", [1, 10, 1], 200, lambda x: x[:, 0] * np.sin(2 * x[:, 0]))
    add("steps-1-12", [1, 12, 1], 180, lambda x: np.tanh(4 * x[:, 0] + 2) - np.tanh(4 * x[:, 0] - 2))
    add("saddle-2-8", [2, 8, 1], 220, lambda x: 0.5 * x[:, 0] * x[:, 1])
    add("ripple-2-12", [2, 12, 1], 250, lambda x: np.sin(1.5 * x[:, 0]) * np.cos(1.5 * x[:, 1]))
    add("gauss-2-10", [2, 10, 1], 240, lambda x: np.exp(-(x[:, 0] ** 2 + 2 * x[:, 1] ** 2)))
    add("sum-3-14", [3, 14, 1], 300, lambda x: np.tanh(x[:, 0] + 0.5 * x[:, 1] - x[:, 2]) * np.cos(x[:, 0]))
    add("two-outputs-2-10", [2, 10, 2], 200, lambda x: np.stack([np.sin(2 * x[:, 0]), np.cos(x[:, 1]) * x[:, 0] * 0.5], axis=1))
    add("deep-1-6-6", [1, 6, 6, 1], 160, lambda x: np.sin(3 * x[:, 0]) * 0.8)
    add("deep-2-8-6", [2, 8, 6, 1], 260, lambda x: np.tanh(2 * x[:, 0] * x[:, 1]))
    add("log-3-9", [3, 9, 1], 280, lambda x: np.log1p(x[:, 0] ** 2) * np.sin(x[:, 1]) + 0.1 * x[:, 2])
    # Issue 12's 2-D problem: 2-8-1 on a 15 × 15 grid.
    grid = np.linspace(-2, 2, 15)
    gx, gy = np.meshgrid(grid, grid)
    x2 = np.stack([gx.ravel(), gy.ravel()], axis=1)
    cases.append(("grid-2-8", [2, 8, 1], x2, (np.sin(x2[:, 0]) * np.exp(-0.3 * x2[:, 1] ** 2))[:, None]))
    return cases


def unpack(theta, sizes):
    layers = []
    offset = 0
    for k in range(1, len(sizes)):
        n, n_previous = sizes[k], sizes[k - 1]
        w = theta[offset:offset + n * n_previous].reshape(n, n_previous)
        offset += n * n_previous
        b = theta[offset:offset + n]
        offset += n
        layers.append((w, b))
    return layers


def residuals_and_jacobian(theta, sizes, x, y):
    """r = (ŷ − y)/√m, sample-major (row i·n_N + j), and ∂r/∂θ by backprop; tanh hidden, identity output."""
    m = x.shape[0]
    layers = unpack(theta, sizes)
    states = [x.T]
    for k, (w, b) in enumerate(layers):
        z = w @ states[-1] + b[:, None]
        states.append(np.tanh(z) if k < len(layers) - 1 else z)
    scale = 1 / math.sqrt(m)
    r = ((states[-1] - y.T) * scale).T.ravel()
    n_out = sizes[-1]
    offsets = []
    offset = 0
    for k in range(1, len(sizes)):
        offsets.append(offset)
        offset += sizes[k] * sizes[k - 1] + sizes[k]
    jacobian = np.zeros((m * n_out, theta.size))
    for j in range(n_out):
        delta = np.zeros((n_out, m))
        delta[j, :] = scale
        for k in range(len(layers) - 1, -1, -1):
            w, _ = layers[k]
            n, n_previous = sizes[k + 1], sizes[k]
            weight_part = (delta.T[:, :, None] * states[k].T[:, None, :]).reshape(m, n * n_previous)
            rows = np.arange(m) * n_out + j
            jacobian[rows, offsets[k]:offsets[k] + n * n_previous] = weight_part
            jacobian[rows, offsets[k] + n * n_previous:offsets[k] + n * n_previous + n] = delta.T
            if k > 0:
                delta = (w.T @ delta) * (1 - states[k] ** 2)
    return r, jacobian


def write_problem(folder, name, sizes, x, y, binary, seed):
    data = os.path.join(folder, f"{name}.csv")
    names = [f"x{i}" for i in range(x.shape[1])] + [f"y{j}" for j in range(y.shape[1])]
    with open(data, "w") as f:
        f.write(",".join(names) + "\n")
        for row in np.hstack([x, y]):
            f.write(",".join(repr(float(v)) for v in row) + "\n")
    model = os.path.join(folder, f"{name}.safetensors")
    subprocess.run(
        [binary, "init", "--architecture", "-".join(map(str, sizes)), "--activations", "tanh", "--loss", "mse",
         "--seed", str(seed), "--out", model], check=True, capture_output=True)
    return data, model, ",".join(names[x.shape[1]:])


def initial_parameters(model, sizes):
    """θ₀ from the model file (safetensors, F64, layers.k.weight row-major then bias)."""
    with open(model, "rb") as f:
        raw = f.read()
    header_length = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + header_length])
    buffer = raw[8 + header_length:]
    theta = []
    for k in range(len(sizes) - 1):
        for part in ("weight", "bias"):
            entry = header[f"layers.{k}.{part}"]
            start, end = entry["data_offsets"]
            theta.extend(np.frombuffer(buffer[start:end], dtype="<f8"))
    return np.array(theta)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--variants", default="default,nielsen-levenberg,nielsen-marquardt,trainlm,trust-region")
    parser.add_argument("--budget", type=int, default=200)
    arguments = parser.parse_args()
    variants = arguments.variants.split(",")
    budget = arguments.budget
    results = {variant: [] for variant in variants}
    scipy_losses = []
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for index, (name, sizes, x, y) in enumerate(problems()):
            data, model, targets = write_problem(folder, name, sizes, x, y, arguments.binary, seed=index + 1)
            theta0 = initial_parameters(model, sizes)
            fit = least_squares(
                lambda t: residuals_and_jacobian(t, sizes, x, y)[0], theta0,
                jac=lambda t: residuals_and_jacobian(t, sizes, x, y)[1], method="lm", max_nfev=budget,
                ftol=1e-15, xtol=1e-15, gtol=1e-15)
            scipy_loss = 0.5 * float(fit.fun @ fit.fun)
            scipy_losses.append(scipy_loss)
            row = [name, f"{scipy_loss:.3e}"]
            for variant in variants:
                output = subprocess.run(
                    [arguments.binary, "train", "--model", model, "--data", data, "--target", targets, "--solver",
                     "levenberg-marquardt", "--max-iterations", str(budget), "--format", "json"] + VARIANTS[variant],
                    capture_output=True, text=True)
                if output.returncode != 0:
                    results[variant].append(math.nan)
                    row.append("error")
                    continue
                loss = json.loads(output.stdout)["final_loss"]
                results[variant].append(loss)
                row.append(f"{loss:.3e} ({loss / scipy_loss:.2f}×)")
            rows.append(row)
    widths = [max(len(r[i]) for r in rows + [["problem", "SciPy lm"] + variants]) for i in range(len(variants) + 2)]
    header = ["problem", "SciPy lm"] + variants
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)))
    print(f"\nfinal ½MSE after {budget} iterations (SciPy: {budget} evaluations); ratio to SciPy in brackets")
    for variant in variants:
        ratios = [loss / reference for loss, reference in zip(results[variant], scipy_losses) if loss == loss]
        within = sum(1 for r in ratios if r <= 1.05)
        mean = math.exp(sum(math.log(r) for r in ratios) / len(ratios)) if ratios else math.nan
        print(f"  {variant:20s} ≤ 1.05× SciPy on {within} of {len(scipy_losses)}, geometric mean ratio {mean:.3f}")


if __name__ == "__main__":
    sys.exit(main())
