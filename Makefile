# KKTNet — `make demo` runs the main job on a built-in default; `make test` runs every check.
# Both install the system packages they need (OpenBLAS and LAPACKE) when they are missing; `make test` also
# installs Open MPI for the data-parallel targets, which `make demo` and the `kktnet` product never need.

SHELL := /bin/bash
APT_PACKAGES := liblapacke-dev libopenblas-dev pkg-config
MPI_APT_PACKAGES := libopenmpi-dev openmpi-bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT ?= swift
PYTHON ?= python3
VENV := .venv
DEBUG_BIN := .build/debug/kktnet
RELEASE_BIN := .build/release/kktnet
NOTEBOOK_BIN := .build/debug/kktnet-notebook
BENCH_BIN := .build/release/kktnet-bench
# mpirun refuses to run as root without --allow-run-as-root, and more ranks than cores without --oversubscribe.
MPIRUN := mpirun $(shell [ "$$(id -u)" = 0 ] && echo --allow-run-as-root) --oversubscribe -q
# One BLAS thread: Swift Testing runs tests in parallel, and one-thread timings are the stable ones.
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: all deps deps-mpi build release demo test lint format clean bench bench-allreduce bench-mpi bench-peers interop \
  fit-vs-scipy datasets-check notebooks notebooks-check fuzz fuzz-smoke docs docs-check

all: build

## System packages: OpenBLAS (CBLAS) and LAPACKE, through apt (with sudo when not root).
deps:
	@if ! dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then \
	  echo "Installing $(APT_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi

## Open MPI (the MPI targets, their tests and mpirun), through apt like deps.
deps-mpi:
	@if ! dpkg -s $(MPI_APT_PACKAGES) >/dev/null 2>&1; then \
	  echo "Installing $(MPI_APT_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(MPI_APT_PACKAGES) >/dev/null; \
	fi

## The kktnet product only (with KKTNet and Solvers): no MPI needed. `swift build` builds every target.
build: deps
	$(SWIFT) build --product kktnet
	$(SWIFT) build --product kktnet-notebook

release: deps
	$(SWIFT) build -c release --product kktnet

## The main job on a built-in default: one gradient three ways and the KKT certificate, then a network
## trained on a bundled dataset (breast cancer, 30-16-1, Levenberg–Marquardt with a validation split).
demo: release
	$(RELEASE_BIN) compare --architecture 3-8-8-2 --activations tanh --loss mse --samples 32 --seed 1
	@echo
	$(RELEASE_BIN) train --data datasets/breast_cancer.csv --architecture 30-16-1 --activations tanh --loss bce \
	  --standardize --validation-split 0.2 --solver levenberg-marquardt --max-iterations 50 \
	  --out demo-breast-cancer.safetensors --plot demo-breast-cancer-loss.svg

## Every check: formatting lint, dataset checksums, the Swift tests (unit, property, oracle, CLI, MPI runs
## under mpirun), every public symbol documented, interoperability with Python's safetensors and numpy,
## the notebooks' outputs and 20 seconds of the fuzzer.
test: deps deps-mpi lint datasets-check
	$(SWIFT) build
	$(PYTHON) Tests/DocsCheck/docs_check.py .build/debug
	$(SWIFT) test
	$(MAKE) interop
	$(MAKE) notebooks-check
	$(MAKE) fuzz-smoke

NOTEBOOKS := $(sort $(wildcard notebooks-md/[0-9]*.md))

## Re-run every notebook cell and write the outputs (and the SVG images) back, with the notebook runner
## (its own tool, kktnet-notebook, built beside kktnet).
notebooks: build
	$(NOTEBOOK_BIN) run $(NOTEBOOKS)

## Re-run every notebook without writing; fail on any difference in a checked cell (numbers within 2 units
## of their last printed digit, or the tolerance a cell declares; words, counts and layout exactly).
notebooks-check: build
	$(NOTEBOOK_BIN) run --check $(NOTEBOOKS)

## The bundled datasets are the copies their provenance describes.
datasets-check:
	cd datasets && sha256sum --quiet -c SHA256SUMS

## A virtual environment with safetensors and numpy, for the interoperability check.
$(VENV)/.interop:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check numpy safetensors
	touch $@

interop: $(VENV)/.interop
	$(SWIFT) build --product kktnet
	$(VENV)/bin/python Tests/Interop/interop.py $(DEBUG_BIN) datasets

## kktnet fit against SciPy's curve_fit(method='lm') and least_squares (robust losses; bounds by 'trf') on the
## references of bench/fitting (regenerate them with $(VENV)/bin/python bench/fitting/make_references.py).
$(VENV)/.scipy: $(VENV)/.interop
	$(VENV)/bin/pip install --quiet --disable-pip-version-check scipy
	touch $@

fit-vs-scipy: $(VENV)/.scipy
	$(SWIFT) build --product kktnet
	$(VENV)/bin/python bench/fitting/compare.py $(DEBUG_BIN)

## Release-build benchmarks beside the machine's dgemm rate (BENCH_FLAGS="--cases gradient" to select,
## BENCH_FLAGS=--scaling for the m × P table of LM iterations).
bench: release
	$(SWIFT) build -c release --product kktnet-bench
	$(BENCH_BIN) $(BENCH_FLAGS)

## The time of a sum over 2 ranks (the Communicator's reduce + broadcast beside MPI_Allreduce) for P² + P
## doubles, in a release build (ALLREDUCE_P="1000 2000" for other P).
bench-allreduce: deps deps-mpi
	$(SWIFT) build -c release --product AllreduceBench
	$(MPIRUN) -np 2 .build/release/AllreduceBench $(ALLREDUCE_P)

## Data-parallel Levenberg–Marquardt (kktnet-mpi bench): the time per iteration and its parts at m = 10⁵ and
## 10⁶, P = 961, on 1 and 2 ranks of one BLAS thread, the bytes sent, each rank's peak memory, and the model
## of K ranks on a cluster (bench/mpi_scaling.py).
bench-mpi: deps deps-mpi
	$(SWIFT) build -c release --product kktnet-mpi
	$(PYTHON) bench/mpi_scaling.py --binary .build/release/kktnet-mpi

## KKTNet side by side with PyTorch, JAX, NumPy, SciPy and pyrenn, all in one run, one thread each:
## the peers' scripts (PEERS_DIR) in their own virtual environment, then KKTNet with the environment's
## OpenBLAS kernels and again with BENCH_KERNEL's (kktnet-bench --openblas-coretype), then one table of the
## ratios against the goals of issue 16, each marked met or missed (bench/compare_peers.py). About 20 minutes.
PEERS_DIR ?= ../shared/bench-peers
PEERS_VENV := .venv-peers
BENCH_OUT := bench-results
BENCH_KERNEL ?= Sandybridge
$(PEERS_VENV)/.installed:
	$(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/pip install --quiet numpy scipy scikit-learn safetensors 'jax[cpu]' pyrenn filelock \
	  typing-extensions sympy networkx jinja2 fsspec 'setuptools>=77'
	$(PEERS_VENV)/bin/pip install --quiet --no-deps torch==2.13.0+cpu
	touch $@

bench-peers: release $(PEERS_VENV)/.installed
	$(SWIFT) build -c release --product kktnet-bench
	mkdir -p $(BENCH_OUT)
	@# machine_limit.py only adds the machine's own dgemm and FMA figures; its AVX-512 probe dies on CPUs
	@# without AVX-512 (AMD Zen 2), which must not stop the comparison.
	-BENCH_PEERS_OUT=$(BENCH_OUT) $(PEERS_VENV)/bin/python $(PEERS_DIR)/machine_limit.py --threads 1
	for script in grad_bench jacobian_bench lm_bench; do \
	  BENCH_PEERS_OUT=$(BENCH_OUT) $(PEERS_VENV)/bin/python $(PEERS_DIR)/$$script.py --threads 1 || exit 1; done
	$(BENCH_BIN) --format json > $(BENCH_OUT)/kktnet.json
	$(BENCH_BIN) --format json --openblas-coretype $(BENCH_KERNEL) > $(BENCH_OUT)/kktnet-kernel.json
	$(PEERS_VENV)/bin/python bench/compare_peers.py $(BENCH_OUT)

## The seeded fuzzer (Tests/Fuzz/fuzz.py): hostile CSV and safetensors files and flag values against the
## release binary for FUZZ_SECONDS (default 600). A trap (a signal exit), an exit 0 with a non-finite
## number in the output, an unexpected exit status, a long message, a temporary file left behind or a
## changed input is a finding: printed with its command line (files kept in FUZZ_KEEP), exit 1.
FUZZ_SECONDS ?= 600
FUZZ_SEED ?= 1
FUZZ_KEEP ?= .build/fuzz-findings
fuzz: release
	$(PYTHON) Tests/Fuzz/fuzz.py --binary $(RELEASE_BIN) --seconds $(FUZZ_SECONDS) --seed $(FUZZ_SEED) --keep $(FUZZ_KEEP)

## Twenty seconds of the fuzzer against the debug build, as part of `make test`.
fuzz-smoke: build
	$(PYTHON) Tests/Fuzz/fuzz.py --binary $(DEBUG_BIN) --seconds 20 --seed $(FUZZ_SEED)

lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests

## The DocC reference of KKTNet and Solvers (catalogs in Sources/*/*.docc, with the articles whose code
## Tests/DocumentationTests compiles and runs), through swift-docc-plugin; the archives land in
## .build/plugins/Swift-DocC/outputs/.
docs: deps
	$(SWIFT) package generate-documentation --target KKTNet --target Solvers

## Fails when a public symbol of KKTNet or Solvers has no doc comment: a script over the symbol graphs of
## the debug build's modules (a few seconds after `swift build`).
docs-check: deps
	$(SWIFT) build --target Solvers
	$(PYTHON) Tests/DocsCheck/docs_check.py .build/debug

format:
	$(SWIFT) format format --in-place --recursive Package.swift Sources Tests

clean:
	rm -rf .build
