"""How close `kktnet fit` comes to SciPy on the references of make_references.py: for every fit, the largest
relative difference of the parameters, of the standard errors (curve_fit fits) and of the cost (robust and
bounded fits), beside the targets (1e-6, 1e-4, 1e-6). The tests (Tests/CLITests/FitCommandTests.swift) assert
the same; this prints the figures. Usage: python3 bench/fitting/compare.py [path/to/kktnet]
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def arguments(fit):
    args = ["fit", "--data", os.path.join(HERE, fit["data"]), "--model", fit["model"], "--y", fit["y"], "--start",
            fit["start"], "--format", "json"]
    if fit.get("sigma"):
        args += ["--sigma", fit["sigma"]]
    if fit.get("absolute_sigma"):
        args.append("--absolute-sigma")
    if fit.get("bounds"):
        args += ["--bounds", fit["bounds"]]
    if fit.get("robust"):
        args += ["--robust", fit["robust"], "--robust-scale", repr(fit["robust_scale"])]
    return args


def relative(a, b):
    return abs(a - b) / abs(b) if b != 0 else abs(a)


def main():
    kktnet = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../.build/debug/kktnet")
    with open(os.path.join(HERE, "references.json")) as f:
        references = json.load(f)
    print(f"SciPy {references['scipy_version']}, NumPy {references['numpy_version']}")
    print(f"{'fit':34} {'parameters':>11} {'std. errors':>11} {'cost':>11}")
    worst = {"parameters": 0.0, "standard_errors": 0.0, "cost": 0.0}
    for fit in references["fits"]:
        out = subprocess.run([kktnet] + arguments(fit), capture_output=True, text=True, check=True).stdout
        ours = json.loads(out)
        p = max(relative(ours["parameters"][k], v) for k, v in fit["parameters"].items())
        se = (max(relative(ours["standard_errors"][k], v) for k, v in fit["standard_errors"].items())
              if "standard_errors" in fit else None)
        cost = None
        if "cost" in fit:
            cost = relative(ours.get("robust_cost", ours["loss"]), fit["cost"])
        worst["parameters"] = max(worst["parameters"], p)
        if se is not None:
            worst["standard_errors"] = max(worst["standard_errors"], se)
        if cost is not None:
            worst["cost"] = max(worst["cost"], cost)
        fmt = lambda v: f"{v:11.1e}" if v is not None else f"{'-':>11}"
        print(f"{fit['name']:34} {fmt(p)} {fmt(se)} {fmt(cost)}")
    print(f"{'largest':34} {worst['parameters']:11.1e} {worst['standard_errors']:11.1e} {worst['cost']:11.1e}"
          f"   (targets 1e-6, 1e-4, 1e-6)")


if __name__ == "__main__":
    main()
