"""One table of KKTNet against the peers, from one `make bench-peers` run (all results in one folder).

Reads the peers' results_*.json (shared/bench-peers scripts, --threads 1) and KKTNet's `kktnet-bench
--format json` output with the environment's OpenBLAS kernels (kktnet.json) and with a second kernel choice
(kktnet-kernel.json, `--openblas-coretype`). Prints the timings, then the goals of issue 16, each ratio
beside its goal and marked met or missed, for both kernel choices.

Usage: python compare_peers.py RESULTS_FOLDER
"""
import json
import sys
from pathlib import Path

folder = Path(sys.argv[1])


def load(name):
    path = folder / name
    return json.loads(path.read_text()) if path.exists() else None


runs = [r for r in (load("kktnet.json"), load("kktnet-kernel.json")) if r]
if not runs:
    sys.exit(f"no kktnet.json in {folder}: run `make bench-peers`")
cases = [{c["name"]: c for c in r["cases"]} for r in runs]
kernels = [f"{r.get('openblas_coretype') or 'machine'} ({r['openblas'].split('core=')[-1]})" for r in runs]
grad = (load("results_grad_bench_1t.json") or {}).get("results", {})
jac = (load("results_jacobian_bench_1t.json") or {}).get("results", {})
lm = (load("results_lm_bench.json") or {}).get("problems", {})
limit = load("results_machine_limit.json") or {}


def median(run, name):
    return run.get(name, {}).get("median_us")


def fmt(v, digits=1):
    return "-" if v is None else f"{v:,.{digits}f}"


def best(values):
    values = [v for v in values if v is not None]
    return min(values) if values else None


def table(headers, rows):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    print("| " + " | ".join(str(h).ljust(w) for h, w in zip(headers, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(str(c).rjust(w) for c, w in zip(r, widths)) + " |")


print("Kernels: " + "; ".join(f"{k}: dgemm n = 1024 at {fmt(r['dgemm_gflops'])} GFLOP/s" for k, r in zip(kernels, runs))
      + (f"; machine_limit.py best dgemm {fmt(limit.get('best_dgemm_gflops'))} GFLOP/s" if limit.get("best_dgemm_gflops") else ""))
print()

torch_grad = ("torch_eager", "torch_compile")
print("Gradient of ½-MSE (µs, median)")
rows = []
for a in "ABCD":
    peer = {impl: grad.get(f"{a}/{impl}", {}).get("median_us") for impl in ("numpy", *torch_grad, "jax_jit")}
    row = [a]
    for c in cases:
        row += [fmt(median(c, f"gradient-lagrangian-{a}")), fmt(median(c, f"gradient-backprop-{a}"))]
    row += [fmt(peer[k]) for k in ("numpy", *torch_grad, "jax_jit")]
    rows.append(row)
headers = ["case"]
for k in kernels:
    headers += [f"Lagrangian, {k}", f"backprop, {k}"]
table(headers + ["NumPy", "torch eager", "torch.compile", "JAX jit"], rows)
print()

torch_jac = ("torch_jacrev", "torch_vmap_jacrev", "torch_jacfwd")
jax_jac = ("jax_jacrev", "jax_vmap_jacrev", "jax_jacfwd")
print("Residual Jacobian (µs, median)")
rows = []
for a in "AB":
    row = [a] + [fmt(median(c, f"jacobian-{a}")) for c in cases]
    row += [fmt(jac.get(f"{a}/{v}", {}).get("median_us")) for v in ("numpy_backprop", *torch_jac, *jax_jac)]
    rows.append(row)
table(["case"] + [f"KKTNet, {k}" for k in kernels] + ["NumPy", *torch_jac, *jax_jac], rows)
print()

print("Levenberg–Marquardt to the peers' targets (ms / iterations) and one LM iteration (µs)")
rows = []
for problem, case in (("P1", "lm-to-peer-target-sine"), ("P1", "lm-to-peer-target-sine-nielsen"),
                      ("P1", "lm-to-peer-target-sine-marquardt"), ("P2", "lm-to-target-diabetes"),
                      ("P2", "lm-to-target-diabetes-nielsen")):
    row = [f"{problem} {case}"]
    for c in cases:
        k = c.get(case)
        row.append(f"{k['median_us'] / 1e3:.3f} / {k['note'].split(' iterations')[0]}" if k and k.get("note") else "-")
    for method in ("numpy_lm_nielsen", "scipy_lm", "scipy_trf", "pyrenn_lm"):
        r = lm.get(problem, {}).get("methods", {}).get(method, {})
        t = r.get("time_to_target_s_median")
        row.append("not reached" if t is None else f"{t * 1e3:.2f} / {r.get('iters_to_target')}")
    rows.append(row)
row = ["one LM iteration on P1 (µs)"] + [fmt(median(c, "lm-iteration-sine")) for c in cases] + ["", "", "", ""]
rows.append(row)
table(["problem"] + [f"KKTNet, {k}" for k in kernels] + ["NumPy LM", "SciPy lm", "SciPy trf", "pyrenn"], rows)
print()

# ---------------------------------------------------------------------------------------------- the goals
goals = []


def goal(name, target, values, met):
    """One goal: a ratio per kernel choice, each marked met or missed."""
    cells = []
    for v in values:
        if v is None:
            cells.append("no data")
        else:
            cells.append(f"{v:.2f} {'met' if met(v) else 'MISSED'}")
    goals.append([name, target] + cells)


for a in "ABCD":
    goal(f"Lagrangian / backprop, {a}", "≤ 1.05",
         [None if median(c, f"gradient-backprop-{a}") is None else
          median(c, f"gradient-lagrangian-{a}") / median(c, f"gradient-backprop-{a}") for c in cases],
         lambda v: v <= 1.05)
for a in "ABC":
    torch = best(grad.get(f"{a}/{impl}", {}).get("median_us") for impl in torch_grad)
    jax = grad.get(f"{a}/jax_jit", {}).get("median_us")
    for peer, t in (("torch", torch), ("JAX", jax)):
        goal(f"gradient {a}: {peer} ÷ KKTNet", "> 1",
             [None if t is None else t / median(c, f"gradient-lagrangian-{a}") for c in cases], lambda v: v > 1)
goal("gradient D: share of the dgemm rate", "≥ 0.90",
     [c.get("gradient-lagrangian-D", {}).get("gflops", 0) / r["dgemm_gflops"] for c, r in zip(cases, runs)],
     lambda v: v >= 0.90)
for a in "AB":
    for peer, variants in (("torch.func", torch_jac), ("JAX", jax_jac)):
        t = best(jac.get(f"{a}/{v}", {}).get("median_us") for v in variants)
        goal(f"Jacobian {a}: best {peer} ÷ KKTNet", "≥ 3",
             [None if t is None else t / median(c, f"jacobian-{a}") for c in cases], lambda v: v >= 3)
scipy = lm.get("P1", {}).get("methods", {}).get("scipy_lm", {})
speedups, iterations_ok = [], []
for c in cases:
    k = c.get("lm-to-peer-target-sine")
    t = scipy.get("time_to_target_s_median")
    if not k or t is None:
        speedups.append(None)
        continue
    iterations = int(k["note"].split(" iterations")[0])
    speedups.append(t * 1e6 / k["median_us"] if iterations <= scipy.get("iters_to_target", 0) else 0.0)
goal("LM on P1 (default): SciPy lm ÷ KKTNet, in no more iterations (0 if more)", "≥ 10", speedups,
     lambda v: v >= 10)

print("Goals of issue 16 (ratios; met or MISSED per kernel choice)")
table(["goal", "target"] + kernels, goals)
