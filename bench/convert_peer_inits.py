"""Converts the peers' starting weights (shared/bench-peers/init_P1.safetensors, init_P2.safetensors) into
KKTNet model files, so that KKTNet's benchmark and tests start from exactly the weights the peers' scripts use.

Usage: python convert_peer_inits.py PEERS_FOLDER OUTPUT_FOLDER   (needs numpy and safetensors)
"""
import sys
from pathlib import Path

from safetensors.numpy import load_file, save_file

peers, out = Path(sys.argv[1]), Path(sys.argv[2])
for name, description in [("P1", "y = sin(x), x = linspace(-3, 3, 200), 1-10-1 tanh"),
                          ("P2", "diabetes, X and y standardized (ddof=0), 10-10-1 tanh")]:
    t = load_file(str(peers / f"init_{name}.safetensors"))
    tensors = {"layers.0.weight": t["W1"], "layers.0.bias": t["b1"], "layers.1.weight": t["W2"], "layers.1.bias": t["b2"]}
    save_file(tensors, str(out / f"{name}.safetensors"), metadata={
        "activations": "tanh,identity", "loss": "mse", "problem": name, "description": description,
        "target_mse": repr(float(t["target_mse"][0])), "source": f"shared/bench-peers/init_{name}.safetensors"})
    print(f"wrote {out / (name + '.safetensors')}")
