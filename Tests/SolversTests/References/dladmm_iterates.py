"""Reference iterates for DeepLearningADMMTests: dlADMM (Wang, Yu, Chen & Zhao, KDD 2019) transcribed from
the authors' code (github.com/xianggebenben/dlADMM, MLP/pytorch_version/dlADMM/common.py and main.py) into
NumPy float64, generalized from three layers to N, on a 4-6-5-3 ReLU network with a softmax cross-entropy
output and 20 samples. Every update rule, constant and safeguard is theirs (the 1e-10 and 88.6 guards of
softmax, FISTA with η = 4 and tolerance 1e-3 on the z_N step, backtracking by ×2 for W and a, the exact b
step, the closed-form ReLU z step, one backward then one forward sweep, u ← u + ρ(z_N − W_N a_{N−1} − b_N),
and ρ ← min(10ρ, 0.1) with τ, θ ×10 for ≥ 100 neurons after three rises of the training cost).

Run: python dladmm_iterates.py > dladmm_iterates.json   (also: python dladmm_iterates.py --time)
"""
import json
import sys
import time

import numpy as np


def softmax(x):
    e = np.exp(x)
    e = np.where(np.isinf(e), np.exp(88.6), e)
    return e / (np.sum(e, axis=0) + 1e-10)


def cross_entropy_with_softmax(label, zl):
    prob = softmax(zl)
    prob = np.where(prob == 0.0, 1e-10, prob)
    return -np.sum(label * np.log(prob))


def relu(x):
    return np.maximum(x, 0.0)


def eq1(a, W, b, z, u, rho):
    temp = z - W @ a - b + u / rho
    return rho / 2 * np.sum(temp * temp)


def eq1_a(a, W, b, z, u, rho):
    return rho * (W.T @ (W @ a + b - z - u / rho))


def eq1_W(a, W, b, z, u, rho):
    temp = W @ a + b - z - u / rho
    return rho * (temp @ a.T)


def eq1_b(a, W, b, z, u, rho):
    return np.mean(rho * (W @ a + b - z - u / rho), axis=1).reshape(-1, 1)


def P(W_new, theta, a_last, W, b, z, u, rho):
    temp = W_new - W
    return eq1(a_last, W, b, z, u, rho) + np.sum(eq1_W(a_last, W, b, z, u, rho) * temp) + np.sum(theta * temp * temp) / 2


def a_obj(a, W_next, b_next, z_next, u_next, v, z, rho):
    return eq1(a, W_next, b_next, z_next, u_next, rho) + rho / 2 * np.sum((a - relu(z) + v) * (a - relu(z) + v))


def a_obj_gradient(a, W_next, b_next, z_next, u_next, v, z, rho):
    return eq1_a(a, W_next, b_next, z_next, u_next, rho) + rho * (a - relu(z) + v)


def Q(a_new, tau, a, W_next, b_next, z_next, u_next, v, z, rho):
    temp = a_new - a
    return (a_obj(a, W_next, b_next, z_next, u_next, v, z, rho)
            + np.sum(a_obj_gradient(a, W_next, b_next, z_next, u_next, v, z, rho) * temp) + np.sum(tau * temp * temp) / 2)


def update_W(a_last, b, z, W_old, u, rho, alpha=1):
    gradients = eq1_W(a_last, W_old, b, z, u, rho)
    zeta = W_old - gradients / alpha
    while eq1(a_last, zeta, b, z, u, rho) > P(zeta, alpha, a_last, W_old, b, z, u, rho):
        alpha = alpha * 2
        zeta = W_old - gradients / alpha
    return zeta


def update_b(a_last, W, z, b_old, u, rho):
    return b_old - eq1_b(a_last, W, b_old, z, u, rho) / rho


def z_obj(a_last, W, b, z, u, v, a, rho):
    return (z - W @ a_last - b + u / rho) * (z - W @ a_last - b + u / rho) + (a - relu(z) + v) * (a - relu(z) + v)


def update_z(a_last, W, b, a, u, v, rho):
    z1 = W @ a_last + b - u / rho
    z2 = (z1 + a + v) / 2
    z1 = np.minimum(z1, 0.0)
    z2 = np.maximum(z2, 0.0)
    value1 = z_obj(a_last, W, b, z1, u, v, a, rho)
    value2 = z_obj(a_last, W, b, z2, u, v, a, rho)
    return np.where(value1 > value2, z2, z1)


def update_zl(a_last, W, b, label, zl_old, u, rho):
    fzl = 10e10
    zl = zl_old
    lamda = 1
    zeta = zl
    eta = 4
    for _ in range(500):
        fzl_old = fzl
        fzl = cross_entropy_with_softmax(label, zl) + rho / 2 * np.sum(
            (zl - W @ a_last - b + u / rho) * (zl - W @ a_last - b + u / rho))
        if abs(fzl - fzl_old) < 1e-3:
            break
        lamda_old = lamda
        lamda = (1 + np.sqrt(1 + 4 * lamda * lamda)) / 2
        gamma = (1 - lamda_old) / lamda
        gradients2 = softmax(zl) - label
        zeta_old = zeta
        zeta = (rho * (W @ a_last + b - u / rho) + (zl - eta * gradients2) / eta) / (rho + 1 / eta)
        zl = (1 - gamma) * zeta + gamma * zeta_old
    return zl


def update_a(W_next, b_next, z_next, z, a_old, u_next, v, rho, t=1):
    gradient = a_obj_gradient(a_old, W_next, b_next, z_next, u_next, v, z, rho)
    beta = a_old - gradient / t
    while a_obj(beta, W_next, b_next, z_next, u_next, v, z, rho) > Q(beta, t, a_old, W_next, b_next, z_next, u_next, v, z, rho):
        t = t * 2
        beta = a_old - gradient / t
    return beta


def training_cost(W, b, x, y):
    a = x
    for k in range(len(W) - 1):
        a = relu(W[k] @ a + b[k])
    return cross_entropy_with_softmax(y, W[-1] @ a + b[-1]) / y.shape[1]


def dladmm(x, y, W, b, iterations, rho=1e-6, tau=1.0, theta=1.0):
    """Their main loop for N layers (lists W[0..N−1], b[0..N−1]); yields (W, b, u, rho) after each iteration."""
    N = len(W)
    z, a = [], []
    prev = x
    for k in range(N - 1):
        z.append(W[k] @ prev + b[k])
        a.append(relu(z[k]))
        prev = a[k]
    z.append(np.where(y == 0, -np.ones_like(y), np.ones_like(y)))
    u = np.zeros_like(z[-1])
    costs = []
    neurons = max(Wk.shape[0] for Wk in W[:-1])
    inp = lambda k: x if k == 0 else a[k - 1]
    for i in range(iterations):
        L = N - 1
        # backward sweep
        z[L] = update_zl(a[L - 1], W[L], b[L], y, z[L], u, rho)
        b[L] = update_b(a[L - 1], W[L], z[L], b[L], u, rho)
        W[L] = update_W(a[L - 1], b[L], z[L], W[L], u, rho, theta)
        a[L - 1] = update_a(W[L], b[L], z[L], z[L - 1], a[L - 1], u, 0, rho, tau)
        for k in range(L - 1, 0, -1):
            z[k] = update_z(inp(k), W[k], b[k], a[k], 0, 0, rho)
            b[k] = update_b(inp(k), W[k], z[k], b[k], 0, rho)
            W[k] = update_W(inp(k), b[k], z[k], W[k], 0, rho, theta)
            a[k - 1] = update_a(W[k], b[k], z[k], z[k - 1], a[k - 1], 0, 0, rho, tau)
        z[0] = update_z(x, W[0], b[0], a[0], 0, 0, rho)
        b[0] = update_b(x, W[0], z[0], b[0], 0, rho)
        W[0] = update_W(x, b[0], z[0], W[0], 0, rho, theta)
        # forward sweep
        for k in range(0, L):
            W[k] = update_W(inp(k), b[k], z[k], W[k], 0, rho, theta)
            b[k] = update_b(inp(k), W[k], z[k], b[k], 0, rho)
            z[k] = update_z(inp(k), W[k], b[k], a[k], 0, 0, rho)
            a[k] = update_a(W[k + 1], b[k + 1], z[k + 1], z[k], a[k], u if k + 1 == L else 0, 0, rho, tau)
        W[L] = update_W(a[L - 1], b[L], z[L], W[L], u, rho, theta)
        b[L] = update_b(a[L - 1], W[L], z[L], b[L], u, rho)
        z[L] = update_zl(a[L - 1], W[L], b[L], y, z[L], u, rho)
        u = u + rho * (z[L] - W[L] @ a[L - 1] - b[L])
        costs.append(training_cost(W, b, x, y))
        if i > 2 and costs[i] > costs[i - 1] > costs[i - 2] > costs[i - 3]:
            rho = min(10 * rho, 0.1)
            if neurons >= 100:
                tau, theta = tau * 10, theta * 10
        yield W, b, u, rho


def flatten(W, b):
    return np.concatenate([np.concatenate([Wk.ravel(), bk.ravel()]) for Wk, bk in zip(W, b)])


def case():
    rng = np.random.default_rng(7)
    sizes = [4, 6, 5, 3]
    m = 20
    x = rng.standard_normal((sizes[0], m))
    labels = rng.integers(0, sizes[-1], m)
    y = np.zeros((sizes[-1], m))
    y[labels, np.arange(m)] = 1
    W = [0.5 * rng.standard_normal((sizes[k + 1], sizes[k])) for k in range(len(sizes) - 1)]
    b = [0.1 * rng.standard_normal((sizes[k + 1], 1)) for k in range(len(sizes) - 1)]
    return sizes, x, y, W, b


if __name__ == "__main__":
    sizes, x, y, W, b = case()
    rho0 = 0.01
    if "--time" in sys.argv:
        start = time.perf_counter()
        for _ in dladmm(x, y, [w.copy() for w in W], [v.copy() for v in b], 50, rho=rho0):
            pass
        print(json.dumps({"seconds_per_iteration": (time.perf_counter() - start) / 50}))
        sys.exit(0)
    out = {"sizes": sizes, "rho": rho0, "inputs": x.T.ravel().tolist(), "targets": y.T.ravel().tolist(),
           "start": flatten(W, b).tolist(), "iterates": []}
    for W_i, b_i, u_i, rho_i in dladmm(x, y, [w.copy() for w in W], [v.copy() for v in b], 8, rho=rho0):
        out["iterates"].append({"parameters": flatten(W_i, b_i).tolist(), "multiplier": u_i.T.ravel().tolist(),
                                "rho": rho_i})
    print(json.dumps(out))


def time_breast_cancer(path, iterations=20):
    """Seconds per iteration on breast_cancer (30-16-2, standardized inputs, all 569 samples, ρ₀ = 0.1)."""
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    x = data[:, :-1].T
    x = (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True)
    labels = data[:, -1].astype(int)
    y = np.zeros((2, x.shape[1]))
    y[labels, np.arange(x.shape[1])] = 1
    rng = np.random.default_rng(1)
    W = [0.3 * rng.standard_normal((16, 30)), 0.3 * rng.standard_normal((2, 16))]
    b = [np.zeros((16, 1)), np.zeros((2, 1))]
    start = time.perf_counter()
    for _ in dladmm(x, y, W, b, iterations, rho=0.1):
        pass
    return (time.perf_counter() - start) / iterations
