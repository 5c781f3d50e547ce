"""One table of KKTNet against the peers, from one `make bench-peers` run (all results in one folder).

Reads the peers' results_*.json (shared/bench-peers scripts, --threads 1) and KKTNet's `kktnet bench
--format json` output with OPENBLAS_CORETYPE as the environment sets it (kktnet.json) and unset
(kktnet-unset.json). Ratios are KKTNet's median over the peer's (below 1: KKTNet is faster); for the
Levenberg–Marquardt fits, the peer's time to target over KKTNet's (the speed-up), with iterations.

Usage: python compare_peers.py RESULTS_FOLDER
"""
import json
import sys
from pathlib import Path

folder = Path(sys.argv[1])


def load(name):
    path = folder / name
    return json.loads(path.read_text()) if path.exists() else None


kk = {c["name"]: c for c in load("kktnet.json")["cases"]}
kk_unset_json = load("kktnet-unset.json")
kk_unset = {c["name"]: c for c in kk_unset_json["cases"]} if kk_unset_json else {}
grad = (load("results_grad_bench_1t.json") or {}).get("results", {})
jac = (load("results_jacobian_bench_1t.json") or {}).get("results", {})
lm = (load("results_lm_bench.json") or {}).get("problems", {})
limit = load("results_machine_limit.json") or {}


def fmt(v, digits=1):
    return "-" if v is None else f"{v:,.{digits}f}"


def ratio(a, b):
    return "-" if a is None or b is None else f"{a / b:.2f}"


def table(headers, rows):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    print("| " + " | ".join(str(h).ljust(w) for h, w in zip(headers, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(str(c).rjust(w) for c, w in zip(r, widths)) + " |")


core = kk_unset_json and "set / unset" or "set"
print(f"dgemm n = 1024, 1 thread: KKTNet {fmt(load('kktnet.json')['dgemm_gflops'])} GFLOP/s with OPENBLAS_CORETYPE="
      f"{load('kktnet.json').get('openblas_coretype')}" + (f", {fmt(kk_unset_json['dgemm_gflops'])} unset" if kk_unset_json else "")
      + (f"; machine_limit.py best dgemm {fmt(limit.get('best_dgemm_gflops'))} GFLOP/s" if limit.get("best_dgemm_gflops") else ""))
print()

print("Gradient of ½-MSE (µs, median; ratio = KKTNet / peer, below 1 is faster)")
rows = []
for a in "ABCD":
    k = kk.get(f"gradient-lagrangian-{a}", {}).get("median_us")
    ku = kk_unset.get(f"gradient-lagrangian-{a}", {}).get("median_us")
    b = kk.get(f"gradient-backprop-{a}", {}).get("median_us")
    bu = kk_unset.get(f"gradient-backprop-{a}", {}).get("median_us")
    peer = {impl: grad.get(f"{a}/{impl}", {}).get("median_us") for impl in ("numpy", "torch_eager", "torch_compile", "jax_jit")}
    pct = kk.get(f"gradient-lagrangian-{a}", {}).get("gflops")
    pctu = kk_unset.get(f"gradient-lagrangian-{a}", {}).get("gflops")
    rows.append([a, fmt(k), fmt(ku), ratio(k, b) + " / " + ratio(ku, bu), fmt(peer["numpy"]), fmt(peer["torch_eager"]),
                 fmt(peer["torch_compile"]), fmt(peer["jax_jit"]),
                 ratio(k, peer["torch_eager"]) + " / " + ratio(ku, peer["torch_eager"]),
                 ratio(k, peer["jax_jit"]) + " / " + ratio(ku, peer["jax_jit"]),
                 f"{100 * pct / load('kktnet.json')['dgemm_gflops']:.0f}%" + (f" / {100 * pctu / kk_unset_json['dgemm_gflops']:.0f}%" if pctu else "")])
table(["case", "KKTNet set", "KKTNet unset", "Lagrangian/backprop", "NumPy", "torch eager", "torch.compile", "JAX jit",
       "÷ torch (set/unset)", "÷ JAX (set/unset)", "of dgemm"], rows)
print()

print("Residual Jacobian (µs, median; ratio = KKTNet / peer)")
rows = []
for a in "AB":
    k = kk.get(f"jacobian-{a}", {}).get("median_us")
    ku = kk_unset.get(f"jacobian-{a}", {}).get("median_us")
    peer = {v: jac.get(f"{a}/{v}", {}).get("median_us") for v in ("numpy_backprop", "torch_vmap_jacrev", "jax_jacrev", "jax_vmap_jacrev")}
    rows.append([a, fmt(k), fmt(ku), fmt(peer["numpy_backprop"]), fmt(peer["torch_vmap_jacrev"]), fmt(peer["jax_jacrev"]),
                 fmt(peer["jax_vmap_jacrev"]), ratio(k, peer["torch_vmap_jacrev"]), ratio(k, peer["jax_jacrev"]),
                 ratio(k, peer["jax_vmap_jacrev"])])
table(["case", "KKTNet set", "KKTNet unset", "NumPy", "torch vmap(jacrev)", "JAX jit(jacrev)", "JAX vmap(jacrev)",
       "÷ torch", "÷ JAX jacrev", "÷ JAX vmap"], rows)
print()

print("Levenberg–Marquardt to the peers' targets (ms to target / iterations; speed-up = peer ÷ KKTNet)")
rows = []
for problem, case in (("P1", "lm-to-peer-target-sine"), ("P1", "lm-to-peer-target-sine-marquardt"), ("P2", "lm-to-target-diabetes")):
    c = kk.get(case)
    if not c or problem not in lm:
        continue
    ms = c["median_us"] / 1e3
    iterations = c["note"].split(" iterations")[0] if c.get("note") else "-"
    row = [f"{problem} {case}", f"{ms:.3f} / {iterations}"]
    for method in ("numpy_lm_nielsen", "scipy_lm", "scipy_trf", "pyrenn_lm"):
        r = lm[problem]["methods"].get(method, {})
        t = r.get("time_to_target_s_median")
        row.append("not reached" if t is None else f"{t * 1e3:.2f} / {r.get('iters_to_target')} ({t * 1e3 / ms:.1f}×)")
    rows.append(row)
table(["problem", "KKTNet", "NumPy LM", "SciPy lm", "SciPy trf", "pyrenn"], rows)
