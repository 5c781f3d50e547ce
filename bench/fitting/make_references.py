"""Reference fits for `kktnet fit`, by SciPy: `curve_fit(method='lm')` on weighted and unweighted problems,
and `least_squares(loss=..., f_scale=C)` for the robust losses.

Writes the data (CSV) and `references.json` beside this script; the tests (Tests/CLITests/FitCommandTests.swift)
run `kktnet fit` on the same data and compare parameters (1e-6 relative), standard errors (1e-4 relative) and
robust fits (1e-6 relative). Every Jacobian given to SciPy is analytic, so that its standard errors do not
carry finite-difference error. Run with `python3 bench/fitting/make_references.py` (NumPy and SciPy).
"""

import csv
import json
import os

import numpy as np
import scipy
from scipy.optimize import curve_fit, least_squares

HERE = os.path.dirname(os.path.abspath(__file__))
TOL = dict(xtol=1e-14, ftol=1e-14)


def write_csv(name, columns):
    path = os.path.join(HERE, name)
    names = list(columns)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(names)
        for row in zip(*[columns[n] for n in names]):
            w.writerow([repr(float(v)) for v in row])
    return name


def main():
    rng = np.random.default_rng(20261201)
    references = {"scipy_version": scipy.__version__, "numpy_version": np.__version__, "fits": []}

    # 1. Unweighted: exponential decay with an offset.
    x = np.linspace(0, 4, 40)
    y = 2.5 * np.exp(-1.3 * x) + 0.5 + 0.05 * rng.standard_normal(x.size)
    data = write_csv("decay.csv", {"x": x, "y": y})

    def decay(x, a, b, c):
        return a * np.exp(-b * x) + c

    def decay_jac(x, a, b, c):
        e = np.exp(-b * x)
        return np.stack([e, -a * x * e, np.ones_like(x)], axis=1)

    p, cov = curve_fit(decay, x, y, p0=[1, 1, 0], jac=decay_jac, method="lm", **TOL)
    references["fits"].append(dict(
        name="decay", data=data, model="a*exp(-b*x) + c", y="y", start="a=1,b=1,c=0", sigma=None,
        absolute_sigma=False, parameters=dict(zip("abc", p)), standard_errors=dict(zip("abc", np.sqrt(np.diag(cov))))))

    # 2. Weighted, relative and absolute sigma: a logistic curve with heteroscedastic noise.
    x = np.linspace(-3, 5, 60)
    sigma = 0.02 + 0.05 * np.abs(x) / 5
    y = 3.0 / (1 + np.exp(-(x - 1.0) / 0.7)) + sigma * rng.standard_normal(x.size)
    data = write_csv("logistic.csv", {"x": x, "y": y, "sigma": sigma})

    def logistic(x, k, m, s):
        return k / (1 + np.exp(-(x - m) / s))

    def logistic_jac(x, k, m, s):
        e = np.exp(-(x - m) / s)
        q = 1 + e
        return np.stack([1 / q, -k * e / (s * q * q), -k * e * (x - m) / (s * s * q * q)], axis=1)

    for absolute in (False, True):
        p, cov = curve_fit(logistic, x, y, p0=[2, 0, 1], sigma=sigma, absolute_sigma=absolute, jac=logistic_jac,
                           method="lm", **TOL)
        references["fits"].append(dict(
            name="logistic-absolute" if absolute else "logistic-relative", data=data, model="k/(1 + exp(-(x - m)/s))",
            y="y", start="k=2,m=0,s=1", sigma="sigma", absolute_sigma=absolute, parameters=dict(zip("kms", p)),
            standard_errors=dict(zip("kms", np.sqrt(np.diag(cov))))))

    # 3. Two predictors, unweighted: a power law times an exponential.
    x1 = rng.uniform(0.5, 3, 80)
    x2 = rng.uniform(-1, 1, 80)
    y = 1.7 * x1 ** 0.6 * np.exp(0.4 * x2) + 0.03 * rng.standard_normal(80)
    data = write_csv("surface.csv", {"x1": x1, "x2": x2, "y": y})

    def surface(X, a, b, c):
        return a * X[0] ** b * np.exp(c * X[1])

    def surface_jac(X, a, b, c):
        f = X[0] ** b * np.exp(c * X[1])
        return np.stack([f, a * f * np.log(X[0]), a * f * X[1]], axis=1)

    p, cov = curve_fit(surface, np.vstack([x1, x2]), y, p0=[1, 1, 0], jac=surface_jac, method="lm", **TOL)
    references["fits"].append(dict(
        name="surface", data=data, model="a*x1^b*exp(c*x2)", y="y", start="a=1,b=1,c=0", sigma=None,
        absolute_sigma=False, parameters=dict(zip("abc", p)), standard_errors=dict(zip("abc", np.sqrt(np.diag(cov))))))

    # 4. Robust losses: the decay curve with 10% gross outliers.
    x = np.linspace(0, 4, 50)
    y = 2.5 * np.exp(-1.3 * x) + 0.5 + 0.05 * rng.standard_normal(x.size)
    outliers = rng.choice(x.size, 5, replace=False)
    y[outliers] += rng.choice([-1, 1], 5) * rng.uniform(1, 2, 5)
    data = write_csv("outliers.csv", {"x": x, "y": y})

    def residuals(b):
        return decay(x, *b) - y

    def jac(b):
        return decay_jac(x, *b)

    for loss in ("huber", "soft_l1", "cauchy", "arctan"):
        for scale in (0.1, 1.0):
            r = least_squares(residuals, [1, 1, 0], jac=jac, loss=loss, f_scale=scale, method="trf",
                              gtol=1e-14, max_nfev=10000, **TOL)
            references["fits"].append(dict(
                name=f"outliers-{loss}-{scale}", data=data, model="a*exp(-b*x) + c", y="y", start="a=1,b=1,c=0",
                sigma=None, absolute_sigma=False, robust=loss.replace("_", "-"), robust_scale=scale,
                parameters=dict(zip("abc", r.x)), cost=r.cost, status=int(r.status)))

    with open(os.path.join(HERE, "references.json"), "w") as f:
        json.dump(references, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
