"""The main job: `python -m symgraph` compiles a few real formulas and prints results, accuracy and speed
against sympy.lambdify, side by side."""
from __future__ import annotations

import time

import mpmath
import numpy as np
import sympy as sp

import symgraph as sg


def _best(fn, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def speed():
    x, y = sp.symbols("x y")
    expr = sp.exp(-x**2) * sp.sin(y) + sp.log(1 + x**2)
    print(f"1. Speed: f(x, y) = {expr} on 1,000,000 points")
    t = time.perf_counter()
    f = sg.compile([x, y], expr)
    xs = np.linspace(0, 1, 10**6)
    f(xs[:1], 0.5)
    print(f"   compiled in {time.perf_counter() - t:.2f} s (cached on disk for the next process): {f!r}")
    g = sp.lambdify([x, y], expr, "numpy")
    out = np.empty_like(xs)
    t_sg = _best(lambda: f(xs, 0.5, out=out))
    t_np = _best(lambda: g(xs, 0.5))
    diff = np.max(np.abs(f(xs, 0.5) - g(xs, 0.5)))
    print(f"   sympy.lambdify {t_np * 1e3:.2f} ms, symgraph {t_sg * 1e3:.2f} ms: "
          f"{t_np / t_sg:.1f}x faster; max |difference| {diff:.1e}")
    print(f"   f(0.3, 0.5) = {f(0.3, 0.5)!r}")


def accuracy():
    x = sp.symbols("x")
    cases = [
        ("log(1 + exp(x))", sp.log(1 + sp.exp(x)), [-800.0, -30.0, 1e-20, 30.0, 800.0]),
        ("exp(x) - 1", sp.exp(x) - 1, [1e-20, 1e-10, 1e-5, 1.0]),
        ("sqrt(x + 1) - sqrt(x)", sp.sqrt(x + 1) - sp.sqrt(x), [1e5, 1e10, 1e15, 1e20]),
    ]
    print("\n2. Accuracy: the formula as typed, evaluated by lambdify and by symgraph, against mpmath (50 digits)")
    for name, expr, points in cases:
        naive = sp.lambdify(x, expr, "numpy")
        f = sg.compile(x, expr)
        exact_fn = sp.lambdify(x, expr, "mpmath")
        print(f"   {name}")
        for p in points:
            with mpmath.workdps(50):
                exact = float(exact_fn(mpmath.mpf(p)))
            with np.errstate(all="ignore"):
                a = float(naive(np.float64(p)))
            b = float(f(p))
            print(f"     x = {p:<8g} lambdify {a:<24.17g} symgraph {b:<24.17g} exact {exact:.17g}")
    f = sg.compile(x, cases[0][1])
    if f.trace:
        print("   what symgraph rewrote in log(1 + exp(x)):")
        f.explain()


def gradient():
    x, y = sp.symbols("x y")
    loss = (1 - x)**2 + 100 * (y - x**2)**2
    print(f"\n3. Gradient: loss = {loss}")
    f = sg.compile([x, y], loss, grad=True)
    value, (dx, dy) = f(np.array([0.0, 1.0, -1.2]), np.array([0.0, 1.0, 1.0]))
    ex = sp.lambdify([x, y], [sp.diff(loss, x), sp.diff(loss, y)])(np.array([0.0, 1.0, -1.2]), np.array([0.0, 1.0, 1.0]))
    print(f"   value {value}\n   d/dx {dx} (sympy.diff: {ex[0]})\n   d/dy {dy} (sympy.diff: {ex[1]})")


def main():
    speed()
    accuracy()
    gradient()


if __name__ == "__main__":
    main()
