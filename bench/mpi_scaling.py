#!/usr/bin/env python3
"""Data-parallel Levenberg–Marquardt: measured on this machine, modelled for K ranks on a cluster.

Runs `kktnet-mpi bench` (release build) under mpirun with 1 and 2 ranks at m = 10⁵ and 10⁶ samples of a
10-80-1 network (P = 961), one BLAS thread per rank, and prints

  1. the measured time per LM iteration and its parts (loss, JᵀJ and Jᵀr on m/K samples, their sum over
     the ranks, the P × P solve), the bytes a rank sends, and each rank's peak memory;
  2. the peak memory of a rank at m = 10⁶ on 2 ranks beside the single process at m/2 and at m;
  3. a model of one iteration on K ranks of a cluster:

         T(K) = T_loss(m)/K + T_acc(m)/K + T_sum(K) + T_solve,

     with T_loss, T_acc and T_solve from the 1-rank run (per sample, one core) and the sum of
     n = (P² + P + 1)·8 bytes, reduced to rank 0 and broadcast, on a binomial tree:

         T_sum(K) = 2·⌈log₂K⌉·(α + n·β),   α = 1 µs, β = 0.5 ns/byte,

     the latency and the per-byte time of AllreduceBench (`make bench-allreduce`: an 8 MB sum over two
     ranks takes 3.5–4.5 ms here, ≈ 2(α + nβ) for n = 8 MB). The sum starts to dominate where
     T_sum(K) > (T_loss + T_acc)(m)/K.

    python3 bench/mpi_scaling.py [--binary .build/release/kktnet-mpi] [--samples 100000 1000000]
"""

import argparse
import json
import math
import os
import shutil
import subprocess
import sys

ALPHA = 1e-6  # s, the latency of one message
BETA = 0.5e-9  # s/byte


def bench(binary, ranks, samples, architecture, iterations):
    mpirun = shutil.which("mpirun")
    if mpirun is None:
        sys.exit("mpirun is not on the PATH (apt-get install openmpi-bin)")
    command = [mpirun, "--oversubscribe", "-q", "-np", str(ranks)]
    if os.geteuid() == 0:
        command.insert(1, "--allow-run-as-root")
    command += [binary, "bench", "--samples", str(samples), "--architecture", architecture,
                "--iterations", str(iterations), "--format", "json"]
    environment = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    result = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr}")
    return json.loads(result.stdout)


def mib(n):
    return f"{n / 2**20:.1f} MiB"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=".build/release/kktnet-mpi")
    parser.add_argument("--samples", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--architecture", default="10-80-1")
    parser.add_argument("--iterations", type=int, default=3)
    args = parser.parse_args()

    runs = {}
    print("## Measured (this machine, OPENBLAS_NUM_THREADS=1 per rank)\n")
    print("| m | ranks | P | s / LM iteration | loss | JᵀJ, Jᵀr | sum over ranks | solve | sent / rank | peak / rank |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for m in args.samples:
        iterations = args.iterations if m <= 200_000 else max(1, args.iterations - 1)
        for ranks in (1, 2):
            r = bench(args.binary, ranks, m, args.architecture, iterations)
            runs[(m, ranks)] = r
            print(f"| {m:.0e} | {ranks} | {r['parameters']} | {r['iterationSeconds']:.3f} | "
                  f"{r['forwardSeconds']:.3f} | {r['accumulateSeconds']:.3f} | {r['allreduceSeconds'] * 1e3:.1f} ms | "
                  f"{r['solveSeconds'] * 1e3:.1f} ms | {mib(r['bytesSentPerRank'])} | "
                  f"{', '.join(mib(b) for b in r['peakBytesPerRank'])} |")
        one, two = runs[(m, 1)], runs[(m, 2)]
        print(f"\nm = {m:.0e}: speed-up on 2 ranks {one['iterationSeconds'] / two['iterationSeconds']:.2f}×\n")

    largest = max(args.samples)
    half = bench(args.binary, 1, largest // 2, args.architecture, 1)
    two = runs[(largest, 2)]
    print(f"## Memory at m = {largest:.0e}\n")
    print(f"- a rank of 2: {', '.join(mib(b) for b in two['peakBytesPerRank'])}")
    print(f"- the single process at m/2 = {largest // 2}: {mib(half['peakBytesPerRank'][0])}")
    print(f"- the single process at m = {largest}: {mib(runs[(largest, 1)]['peakBytesPerRank'][0])}\n")

    reference = runs[(largest, 1)]
    p = reference["parameters"]
    per_sample = (reference["forwardSeconds"] + reference["accumulateSeconds"]) / largest
    solve = reference["solveSeconds"]
    n = (p * p + p + 1) * 8
    print(f"## Model: K ranks of a cluster, P = {p}, n = {n / 1e6:.1f} MB summed per iteration\n")
    print(f"Per sample and core: {per_sample * 1e6:.2f} µs (loss + JᵀJ, Jᵀr); solve {solve * 1e3:.1f} ms; "
          f"T_sum(K) = 2·⌈log₂K⌉·({ALPHA * 1e6:.0f} µs + n·{BETA * 1e9:.1f} ns/B)\n")
    ks = [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024]
    for m in (1e5, 1e6, 1e7, 1e8):
        print(f"m = {m:.0e}:\n")
        print("| K | compute s | sum s | total s | speed-up | sum share |")
        print("|---|---|---|---|---|---|")
        base = per_sample * m + solve
        crossover = None
        for k in ks:
            compute = per_sample * m / k
            total_sum = 2 * math.ceil(math.log2(k)) * (ALPHA + n * BETA) if k > 1 else 0.0
            total = compute + total_sum + solve
            if crossover is None and total_sum > compute:
                crossover = k
            print(f"| {k} | {compute:.4f} | {total_sum:.4f} | {total:.4f} | {base / total:.1f}× | "
                  f"{total_sum / total:.0%} |")
        print(f"\nthe sum over ranks dominates the accumulation from K = {crossover or '> ' + str(ks[-1])}\n")


if __name__ == "__main__":
    main()
