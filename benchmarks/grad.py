"""The cheap-gradient principle, measured: value and gradient vs value alone, symgraph vs SymPy.

For scalar functions of n inputs (a chained Rosenbrock with n up to 1000; a small dense network written
in SymPy, differentiated by its weights) prints, side by side:
  - graph nodes of the function and of value+gradient (after the rewrite passes), and their ratio;
  - compile times (Numba, cold cache) of value-only and value+gradient;
  - run times over a batch of points of value-only and value+gradient (outputs preallocated with out=),
    and their ratio;
  - the same for sympy.diff per argument + sympy.lambdify(cse=True) (NumPy), the usual SymPy route.

    python benchmarks/grad.py           # n = 10, 100, 1000 and the network
    python benchmarks/grad.py --quick   # n = 10, 100 and a smaller network (well under a minute)
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np
import sympy

os.environ.setdefault("SYMGRAPH_CACHE_DIR", tempfile.mkdtemp(prefix="symgraph-bench-grad-"))

import symgraph as sg  # noqa: E402
from symgraph.lower import lower  # noqa: E402
from symgraph.passes import optimize  # noqa: E402


SYMPY_FULL_LIMIT = 300  # above this many arguments the SymPy route takes many minutes: it is sampled
SYMPY_SAMPLE = 20


def rosenbrock(n):
    xs = sympy.symbols(f"x0:{n}")
    f = sum(100 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1 - xs[i]) ** 2 for i in range(n - 1))
    return list(xs), f, list(xs), None


def dense_network(inputs, hidden, seed=0):
    """One hidden tanh layer and a softplus output, as a user would write it; the arguments are the
    inputs followed by the weights, and the gradient is taken by the weights (per-example gradients)."""
    rng = np.random.default_rng(seed)
    xs = sympy.symbols(f"u0:{inputs}")
    w1 = sympy.Matrix(hidden, inputs, sympy.symbols(f"w0:{hidden * inputs}"))
    b1 = sympy.Matrix(sympy.symbols(f"b0:{hidden}"))
    w2 = sympy.Matrix(sympy.symbols(f"v0:{hidden}"))
    layer = (w1 * sympy.Matrix(xs) + b1).applyfunc(sympy.tanh)
    out = (w2.T * layer)[0, 0]
    loss = sympy.log(1 + sympy.exp(-out))  # logistic loss of the label +1
    weights = list(w1) + list(b1) + list(w2)
    values = rng.normal(scale=0.5, size=len(weights))
    return list(xs) + weights, loss, weights, values


def timed(fn, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def measure(name, args, f, wrt, fixed, batch, with_sympy):
    rng = np.random.default_rng(1)
    data = [rng.uniform(-1.5, 1.5, batch) for _ in args]
    if fixed is not None:  # the weights are scalars shared by every point of the batch
        data = data[:len(args) - len(fixed)] + [float(v) for v in fixed]

    forward = optimize(lower(f), True)[0]
    t = time.perf_counter()
    value_fn = sg.compile(args, f)
    value_fn(*data)
    compile_value = time.perf_counter() - t
    t = time.perf_counter()
    grad_fn = sg.compile(args, f, grad=wrt)
    grad_fn(*data)
    compile_grad = time.perf_counter() - t
    nodes_f, nodes_g = len(forward), len(grad_fn.graph)
    # outputs preallocated (out=) for both, so the times compare the loops, not fresh-page faults
    value_out = np.empty(batch)
    grad_out = (np.empty(batch), tuple(np.empty(batch) for _ in wrt))
    run_value = timed(lambda: value_fn(*data, out=value_out))
    run_grad = timed(lambda: grad_fn(*data, out=grad_out))

    row = dict(name=name, n=len(wrt), nodes_f=nodes_f, nodes_g=nodes_g, compile_value=compile_value,
               compile_grad=compile_grad, run_value=run_value, run_grad=run_grad)
    if with_sympy and len(wrt) > SYMPY_FULL_LIMIT:
        # sympy.diff per argument costs O(n) each, O(n^2) in all: time a sample and scale it
        sample = wrt[:SYMPY_SAMPLE]
        t = time.perf_counter()
        for v in sample:
            sympy.diff(f, v)
        row.update(sympy_diff=(time.perf_counter() - t) * len(wrt) / len(sample), sympy_estimated=True)
    elif with_sympy:
        t = time.perf_counter()
        grads = [sympy.diff(f, v) for v in wrt]
        diff_time = time.perf_counter() - t
        t = time.perf_counter()
        lam_value = sympy.lambdify(args, f, "numpy", cse=True)
        lam_grad = sympy.lambdify(args, [f] + grads, "numpy", cse=True)
        lambdify_time = time.perf_counter() - t
        sym_value = timed(lambda: lam_value(*data), repeat=3)
        sym_grad = timed(lambda: lam_grad(*data), repeat=3)
        # the two routes agree (so the timings compare the same numbers)
        ours = grad_fn(*data)[1]
        theirs = lam_grad(*data)[1:]
        worst = max(float(np.max(np.abs(np.asarray(a) - np.asarray(b)) / (1 + np.abs(np.asarray(b)))))
                    for a, b in zip(ours, theirs))
        row.update(sympy_diff=diff_time, sympy_lambdify=lambdify_time, sympy_value=sym_value,
                   sympy_grad=sym_grad, agreement=worst)
    return row


def report(rows):
    print(f"{'case':<18}{'n':>6}{'nodes f':>9}{'f+grad':>9}{'ratio':>7}   {'compile f':>10}{'f+grad':>9}"
          f"   {'run f':>10}{'f+grad':>10}{'ratio':>7}")
    for r in rows:
        print(f"{r['name']:<18}{r['n']:>6}{r['nodes_f']:>9}{r['nodes_g']:>9}{r['nodes_g'] / r['nodes_f']:>7.2f}"
              f"   {r['compile_value']:>9.2f}s{r['compile_grad']:>8.2f}s"
              f"   {r['run_value'] * 1e3:>8.2f}ms{r['run_grad'] * 1e3:>8.2f}ms{r['run_grad'] / r['run_value']:>7.2f}")
    print()
    print("SymPy route: sympy.diff per argument + sympy.lambdify(cse=True), NumPy")
    print(f"{'case':<18}{'n':>6}{'diff':>9}{'lambdify':>10}{'run f':>11}{'f+grad':>10}{'ratio':>7}"
          f"{'ours f+grad':>13}{'speedup':>9}{'max rel diff':>14}")
    for r in rows:
        if "sympy_diff" not in r:
            print(f"{r['name']:<18}{r['n']:>6}   (skipped)")
            continue
        if r.get("sympy_estimated"):
            print(f"{r['name']:<18}{r['n']:>6}{r['sympy_diff']:>8.1f}s  (estimated from {SYMPY_SAMPLE} arguments; "
                  f"lambdify and runs not attempted)")
            continue
        print(f"{r['name']:<18}{r['n']:>6}{r['sympy_diff']:>8.2f}s{r['sympy_lambdify']:>9.2f}s"
              f"{r['sympy_value'] * 1e3:>9.2f}ms{r['sympy_grad'] * 1e3:>8.2f}ms{r['sympy_grad'] / r['sympy_value']:>7.2f}"
              f"{r['run_grad'] * 1e3:>11.2f}ms{r['sympy_grad'] / r['run_grad']:>8.1f}x{r['agreement']:>14.1e}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller cases (well under a minute)")
    opts = parser.parse_args()
    rows = []
    sizes = (10, 100) if opts.quick else (10, 100, 1000)
    for n in sizes:
        args, f, wrt, fixed = rosenbrock(n)
        batch = 100_000 if n <= 100 else 10_000
        rows.append(measure("rosenbrock", args, f, wrt, fixed, batch, with_sympy=True))
        print(f"  measured rosenbrock n={n}", flush=True)
    inputs, hidden = (4, 8) if opts.quick else (8, 16)
    args, f, wrt, fixed = dense_network(inputs, hidden)
    rows.append(measure(f"dense {inputs}-{hidden}-1", args, f, wrt, fixed, 100_000, with_sympy=True))
    print()
    report(rows)


if __name__ == "__main__":
    main()
