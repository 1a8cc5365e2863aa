"""Compile time and run time of symgraph against sympy.lambdify (NumPy) and numexpr, in one run.

    python benchmarks/compare.py [--n 1000000] [--repeat 5] [--quick]

Compile times are measured with a fresh on-disk cache (the first compile in a new process pays Numba's
JIT); "cached" is the same compile once more in a new process, loading the kernel from disk.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import sympy as sp

x, y, z = sp.symbols("x y z")


def representative_cases():
    """(name, args, expression, input generator) for a few kinds of expression users write."""
    rng = np.random.default_rng(0)

    def uniform(lo, hi):
        return lambda n: rng.uniform(lo, hi, n)

    chain = x
    for k in range(1, 30):
        chain = chain + sp.sin(k * x) / k  # a Fourier-like series: many transcendental calls, shared x
    cases = [
        ("issue example", [x, y], sp.exp(-x**2) * sp.sin(y) + sp.log(1 + x**2), [uniform(-3, 3), uniform(-3, 3)]),
        ("rational polynomial", [x], (1 + 2*x + 3*x**2 + 4*x**3) / (1 + x**2 + x**4 / 7), [uniform(-2, 2)]),
        ("gaussian pdf", [x, y, z], sp.exp(-(x - y)**2 / (2 * z**2)) / (z * sp.sqrt(2 * sp.pi)),
         [uniform(-5, 5), uniform(-1, 1), uniform(0.5, 2)]),
        ("shared subexpressions", [x, y], (sp.sin(x * y) + sp.cos(x * y))**2 + sp.sqrt(1 + (sp.sin(x * y))**2),
         [uniform(-3, 3), uniform(-3, 3)]),
        ("piecewise", [x], sp.Piecewise((x**2, x < 0), (sp.log(1 + x), x < 1), (sp.sqrt(x), True)),
         [uniform(-2, 3)]),
        ("fourier series (30 terms)", [x], chain, [uniform(-3, 3)]),
    ]
    return cases


def best_of(fn, repeat):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def numexpr_string(expr):
    from sympy.printing.lambdarepr import NumExprPrinter
    try:
        text = NumExprPrinter().doprint(expr)  # "numexpr.evaluate('<expression>', truediv=True)"
    except Exception:
        return None
    start, end = text.find("'"), text.rfind("'")
    return text[start + 1:end] if 0 <= start < end else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="elements per input array")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="smaller arrays, fewer repeats")
    opts = parser.parse_args()
    if opts.quick:
        opts.n, opts.repeat = 100_000, 3
    os.environ.setdefault("SYMGRAPH_CACHE_DIR", tempfile.mkdtemp(prefix="symgraph-bench-"))
    import symgraph as sg

    try:
        import numexpr
    except ImportError:
        numexpr = None

    print(f"n = {opts.n:,} elements, best of {opts.repeat}; times in ms; ratio = lambdify / symgraph")
    header = f"{'case':28s} {'compile: lambdify':>17s} {'symgraph':>9s} | {'run: lambdify':>13s} " \
             f"{'numexpr':>8s} {'symgraph':>9s} {'ratio':>6s} | {'max rel diff':>12s}"
    print(header)
    print("-" * len(header))
    ratios = []
    for name, args, expr, gens in representative_cases():
        inputs = [g(opts.n) for g in gens]
        t = time.perf_counter()
        ref = sp.lambdify(args, expr, "numpy")
        t_lam_compile = time.perf_counter() - t
        t = time.perf_counter()
        f = sg.compile(args, expr)
        f(*[a[:1] for a in inputs])  # Numba compiles lazily, at the first call
        t_sg_compile = time.perf_counter() - t
        out = np.empty(opts.n)
        with np.errstate(all="ignore"):
            t_lam = best_of(lambda: ref(*inputs), opts.repeat)
            expected = ref(*inputs)
        t_sg = best_of(lambda: f(*inputs, out=out), opts.repeat)
        got = f(*inputs)
        t_ne = float("nan")
        text = numexpr_string(expr) if numexpr is not None else None
        if text is not None:
            local = {str(s): a for s, a in zip(args, inputs)}
            try:
                numexpr.evaluate(text, local_dict=local)
                t_ne = best_of(lambda: numexpr.evaluate(text, local_dict=local), opts.repeat)
            except Exception:
                pass
        scale = np.maximum(np.abs(expected), 1e-300)
        diff = np.nanmax(np.abs(got - expected) / scale)
        ratio = t_lam / t_sg
        ratios.append(ratio)
        print(f"{name:28s} {t_lam_compile * 1e3:17.1f} {t_sg_compile * 1e3:9.1f} | {t_lam * 1e3:13.2f} "
              f"{t_ne * 1e3:8.2f} {t_sg * 1e3:9.2f} {ratio:6.1f} | {diff:12.2e}")
    geo = float(np.exp(np.mean(np.log(ratios))))
    print(f"geometric mean speed-up of symgraph over lambdify: {geo:.1f}x")
    cached_compile_check()


def cached_compile_check():
    """The same compile in a new process loads the kernel from the on-disk cache."""
    script = ("import time, sympy as sp, numpy as np, symgraph as sg\n"
              "x, y = sp.symbols('x y')\n"
              "t = time.perf_counter()\n"
              "f = sg.compile([x, y], sp.exp(-x**2) * sp.sin(y) + sp.log(1 + x**2))\n"
              "f(np.ones(3), 0.5)\n"
              "print(f'{(time.perf_counter() - t) * 1e3:.1f}')\n")
    times = []
    for _ in range(2):
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=os.environ)
        times.append(result.stdout.strip() or result.stderr.strip()[-200:])
    print(f"compile + first call in a new process: {times[0]} ms cold cache (or warm if run before), "
          f"{times[1]} ms with the kernel cached on disk")


if __name__ == "__main__":
    main()
