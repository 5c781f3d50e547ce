"""Reference fits for `kktnet fit`, by SciPy: `curve_fit(method='lm')` on weighted and unweighted problems,
`least_squares(loss=..., f_scale=C)` for the robust losses, and `least_squares(bounds=..., method='trf')` for
bounded fits (Coleman–Li's reflective trust region: a method other than ours, the same first-order point).

Writes the data (CSV) and `references.json` beside this script; the tests (Tests/CLITests/FitCommandTests.swift)
run `kktnet fit` on the same data and compare parameters (1e-6 relative), standard errors (1e-4 relative),
robust fits (1e-6 relative) and bounded fits (1e-6 relative). Every Jacobian given to SciPy is analytic, so that its standard errors do not
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

    # 5. Bounds: least_squares(method='trf') with tolerances at the rounding level; active and inactive bounds,
    # weighted and robust. Bounds are given as kktnet's --bounds text and parsed here.
    def parse_bounds(text, names):
        lower = {n: -np.inf for n in names}
        upper = {n: np.inf for n in names}
        for item in text.split(","):
            name, rng_ = item.split("=")
            lo, hi = rng_.split(":")
            lower[name], upper[name] = float(lo), float(hi)
        return [lower[n] for n in names], [upper[n] for n in names]

    xd = np.loadtxt(os.path.join(HERE, "decay.csv"), delimiter=",", skiprows=1)
    xl = np.loadtxt(os.path.join(HERE, "logistic.csv"), delimiter=",", skiprows=1)
    xs = np.loadtxt(os.path.join(HERE, "surface.csv"), delimiter=",", skiprows=1)
    xo = np.loadtxt(os.path.join(HERE, "outliers.csv"), delimiter=",", skiprows=1)
    cases = [
        # name, data, columns, model, function, jacobian, sigma, start, bounds, loss, scale
        ("decay-upper", "decay.csv", xd, "a*exp(-b*x) + c", decay, decay_jac, None, "a=1,b=1,c=0", "c=-inf:0.4",
         "linear", 1.0),
        ("decay-two", "decay.csv", xd, "a*exp(-b*x) + c", decay, decay_jac, None, "a=1,b=1.5,c=0.1",
         "b=1.35:2,c=0.1:1", "linear", 1.0),
        ("decay-inactive", "decay.csv", xd, "a*exp(-b*x) + c", decay, decay_jac, None, "a=1,b=1,c=0",
         "a=0:10,b=0.5:3,c=-1:1", "linear", 1.0),
        ("logistic-weighted", "logistic.csv", xl, "k/(1 + exp(-(x - m)/s))", logistic, logistic_jac, "sigma",
         "k=2,m=0,s=1", "k=0:10,s=0.75:2", "linear", 1.0),
        ("surface-upper", "surface.csv", xs, "a*x1^b*exp(c*x2)", surface, surface_jac, None, "a=1,b=0.4,c=0",
         "a=0:inf,b=-inf:0.5", "linear", 1.0),
        ("outliers-huber", "outliers.csv", xo, "a*exp(-b*x) + c", decay, decay_jac, None, "a=1,b=1,c=0",
         "c=-inf:0.45", "huber", 0.1),
    ]
    for name, data, table, model, fn, fjac, sigma_column, start, bounds, loss, scale in cases:
        names = [item.split("=")[0] for item in start.split(",")]
        p0 = [float(item.split("=")[1]) for item in start.split(",")]
        lower, upper = parse_bounds(bounds, names)
        if data == "surface.csv":
            X, y, s = table[:, :2].T, table[:, 2], np.ones(len(table))
        else:
            X, y = table[:, 0], table[:, 1]
            s = table[:, 2] if sigma_column else np.ones(len(table))

        def res(b, X=X, y=y, s=s, fn=fn):
            return (fn(X, *b) - y) / s

        def jac(b, X=X, s=s, fjac=fjac):
            return fjac(X, *b) / s[:, None]

        r = least_squares(res, p0, jac=jac, bounds=(lower, upper), method="trf", loss=loss, f_scale=scale,
                          gtol=1e-15, xtol=1e-15, ftol=1e-15, max_nfev=10000)
        entry = dict(name=f"bounded-{name}", data=data, model=model, y="y", start=start, sigma=sigma_column,
                     absolute_sigma=False, bounds=bounds, parameters=dict(zip(names, r.x)), cost=r.cost,
                     status=int(r.status), active_mask=dict(zip(names, [int(a) for a in r.active_mask])))
        if loss != "linear":
            entry.update(robust=loss.replace("_", "-"), robust_scale=scale)
        references["fits"].append(entry)

    with open(os.path.join(HERE, "references.json"), "w") as f:
        json.dump(references, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
