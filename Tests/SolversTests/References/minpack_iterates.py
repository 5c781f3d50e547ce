"""Reference iterates for TrustRegionIterateTests: every point at which MINPACK's lmder (through SciPy's
`scipy.optimize.leastsq(..., Dfun=..., full_output=True)`) evaluates the residuals and the Jacobian.

lmder evaluates r at the start, then r at every trial point θ + p (accepted or not), and J at the start and
at every accepted point; so the two sequences are its iterates and its trial points, in order.

Problems (r = f(x; b) − y, analytic Jacobian, MINPACK's defaults as SciPy passes them: ftol = xtol =
1.49012e-8, gtol = 0, factor = 100, mode 1 (internal scaling), maxfev = 100·(n + 1)):
  - NIST StRD Misra1a from start 1, b = (500, 1e-4), read from ../NIST/Misra1a.dat;
  - NIST StRD BoxBOD from start 2, b = (100, 0.75), read from ../NIST/BoxBOD.dat;
  - Rosenbrock's function as least squares (Moré, Garbow & Hillstrom 1981, problem 1):
    r = (10(x₂ − x₁²), 1 − x₁) from (−1.2, 1).

SciPy calls the residuals twice and the Jacobian once at the start before MINPACK runs (`_check_func`'s
shape checks and its wrapper's); the surplus over MINPACK's own nfev and njev is dropped from the front of
each sequence, after checking that those calls are all at the start.

Run from this folder:  python3 minpack_iterates.py > minpack_iterates.json
"""
import json
import os
import sys

import numpy as np
import scipy
from scipy.optimize import leastsq

HERE = os.path.dirname(os.path.abspath(__file__))


def nist_data(name):
    """(x, y) from NIST's file: the rows after the last line that starts with 'Data:'."""
    with open(os.path.join(HERE, "..", "NIST", name + ".dat")) as f:
        lines = f.read().replace("\r", "").split("\n")
    start = max(i for i, line in enumerate(lines) if line.startswith("Data:")) + 1
    rows = [list(map(float, line.split())) for line in lines[start:] if line.strip()]
    return np.array([r[1] for r in rows]), np.array([r[0] for r in rows])


def exponential_rise(name):
    """b₁(1 − e^{−b₂x}), the model of Misra1a and BoxBOD."""
    x, y = nist_data(name)

    def residuals(b):
        return b[0] * (1 - np.exp(-b[1] * x)) - y

    def jacobian(b):
        e = np.exp(-b[1] * x)
        return np.column_stack([1 - e, b[0] * x * e])

    return residuals, jacobian


def rosenbrock():
    def residuals(b):
        return np.array([10 * (b[1] - b[0] ** 2), 1 - b[0]])

    def jacobian(b):
        return np.array([[-20 * b[0], 10.0], [-1.0, 0.0]])

    return residuals, jacobian


def run(name, residuals, jacobian, start):
    function_points, jacobian_points = [], []

    def recorded_residuals(b):
        function_points.append([float(v) for v in b])
        return residuals(b)

    def recorded_jacobian(b):
        jacobian_points.append([float(v) for v in b])
        return jacobian(b)

    x, _, info, message, ier = leastsq(
        recorded_residuals, np.array(start, dtype=float), Dfun=recorded_jacobian, full_output=True)
    # SciPy's own calls at the start before MINPACK's (its shape checks): as many as the counts exceed
    # MINPACK's nfev and njev, all at θ₀ like MINPACK's first call, so they are dropped from the front.
    for points, count in ((function_points, info["nfev"]), (jacobian_points, info["njev"])):
        extra = len(points) - count
        assert extra >= 0 and all(p == list(map(float, start)) for p in points[: extra + 1]), (name, extra)
        del points[:extra]
    return {
        "name": name,
        "start": [float(v) for v in start],
        "info": int(ier),
        "message": message,
        "nfev": int(info["nfev"]),
        "njev": int(info["njev"]),
        "solution": [float(v) for v in x],
        "residual_norm": float(np.linalg.norm(residuals(x))),
        "function_points": function_points,
        "jacobian_points": jacobian_points,
    }


def main():
    problems = [
        ("Misra1a", *exponential_rise("Misra1a"), [500.0, 1e-4]),
        ("BoxBOD", *exponential_rise("BoxBOD"), [100.0, 0.75]),
        ("Rosenbrock", *rosenbrock(), [-1.2, 1.0]),
    ]
    fixture = {
        "generator": "minpack_iterates.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "options": {"ftol": 1.49012e-08, "xtol": 1.49012e-08, "gtol": 0.0, "factor": 100.0, "mode": 1},
        "problems": [run(*p) for p in problems],
    }
    json.dump(fixture, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
