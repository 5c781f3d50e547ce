"""Reference values for AdamTests: three full-batch Adam steps (Kingma & Ba 2015, lr 0.1, β₁ 0.9, β₂ 0.999,
ε 1e-8) on a 2-3-1 tanh/identity network with ½-MSE, computed with NumPy's own backprop.

Run: python adam_reference.py   (prints the θ after each step with repr, for the Swift test)
"""
import numpy as np

X = np.array([[0.5, -1.0, 2.0, 0.0], [1.5, 0.25, -0.5, 1.0]])  # n0 × m, columns are samples
Y = np.array([[1.0, -0.5, 0.25, 2.0]])
theta = np.array([0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.01, -0.02, 0.03, 0.7, -0.8, 0.9, 0.05])
m = X.shape[1]


def unpack(t):
    return t[0:6].reshape(3, 2), t[6:9], t[9:12].reshape(1, 3), t[12:13]


def gradient(t):
    W1, b1, W2, b2 = unpack(t)
    a1 = np.tanh(W1 @ X + b1[:, None])
    out = W2 @ a1 + b2[:, None]
    d2 = (out - Y) / m
    d1 = (W2.T @ d2) * (1 - a1 ** 2)
    return np.concatenate([(d1 @ X.T).ravel(), d1.sum(1), (d2 @ a1.T).ravel(), d2.sum(1)])


lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
mom, sec = np.zeros_like(theta), np.zeros_like(theta)
for t in range(1, 4):
    g = gradient(theta)
    mom = b1 * mom + (1 - b1) * g
    sec = b2 * sec + (1 - b2) * g * g
    theta = theta - lr * (mom / (1 - b1 ** t)) / (np.sqrt(sec / (1 - b2 ** t)) + eps)
    print(f"step {t}:", "[" + ", ".join(repr(float(v)) for v in theta) + "]")
