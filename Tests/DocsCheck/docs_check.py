#!/usr/bin/env python3
"""Fails when a public symbol of KKTNet or Solvers has no doc comment (`make docs-check`).

Reads the symbol graphs that `swift symbolgraph-extract` writes from the debug build's modules (a few
seconds, no rebuild), and lists every public symbol declared in Sources/ without a `///` comment. Symbols
the compiler synthesizes (Equatable's ==, Codable's init(from:), CodingKeys, …) and members that a type gets
from a protocol's default implementation are not the library's to document and are skipped.

Usage: docs_check.py [BUILD_DIR]   (default .build/debug)
"""
import json
import os
import subprocess
import sys
import tempfile

MODULES = ["KKTNet", "Solvers"]


def extract(build, output):
    for module in MODULES:
        command = [
            "swift", "symbolgraph-extract", "-module-name", module, "-I", os.path.join(build, "Modules"),
            "-I", "Sources/CLAPACK", "-target", "x86_64-unknown-linux-gnu", "-minimum-access-level", "public",
            "-output-dir", output,
        ]
        for kernel in ["CVectorMath", "CSmallKernels"]:
            command += ["-Xcc", "-fmodule-map-file=" + os.path.join(build, kernel + ".build", "module.modulemap")]
        subprocess.run(command, check=True)


def undocumented(path):
    graph = json.load(open(path))
    # Symbols that implement a protocol's default implementation or a requirement declared elsewhere are
    # documented there.
    inherited = {
        r["source"] for r in graph.get("relationships", [])
        if r.get("kind") in ("defaultImplementationOf",) or "sourceOrigin" in r
    }
    missing = []
    for symbol in graph["symbols"]:
        identifier = symbol["identifier"]["precise"]
        location = symbol.get("location", {}).get("uri", "")
        if "::SYNTHESIZED::" in identifier or identifier in inherited:
            continue
        if "/Sources/" not in location:
            continue
        if symbol.get("docComment", {}).get("lines"):
            continue
        name = ".".join(symbol["pathComponents"])
        line = symbol.get("location", {}).get("position", {}).get("line", 0) + 1
        missing.append((location.split("/Sources/", 1)[1], line, name, symbol["kind"]["displayName"]))
    return missing


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else ".build/debug"
    with tempfile.TemporaryDirectory() as output:
        extract(build, output)
        missing = []
        for name in sorted(os.listdir(output)):
            missing += undocumented(os.path.join(output, name))
    for file, line, name, kind in sorted(set(missing)):
        print(f"Sources/{file}:{line}: public {kind.lower()} {name} has no doc comment")
    if missing:
        print(f"docs-check: {len(set(missing))} public symbols without a doc comment")
        return 1
    print("docs-check: every public symbol of " + " and ".join(MODULES) + " has a doc comment")
    return 0


if __name__ == "__main__":
    sys.exit(main())
