"""symgraph's vectorised exp/log (symgraph/vecmath.py, log2/log10: symgraph/vecmath_log.py) and tanh/sinh/cosh/asinh/acosh/atanh
(symgraph/vecmath_hyp.py) against NumPy and a Numba loop calling math.*.

Run: python benchmarks/vecmath.py [--points N] [--size N] [--skip-accuracy] [--only tanh,atanh,...]

Speed: best of 30 calls on --size elements (default 10^6), float64 and float32, out= preallocated for
every contender (so allocation is not what is compared). Contenders: numpy ufuncs; a hand-written Numba
@njit loop with math.exp/math.log (what symgraph emitted before: no SVML in Numba 0.62+, so it stays
scalar); symgraph.compile(...) of the same expression.
Accuracy: --points random points per function and dtype (default 10^6) over the whole domain, errors in
ulps of the exact value (mpmath at 120 bits); max and mean. This part takes a few minutes (mpmath).
"""
import argparse
import math
import time

import mpmath
import numba
import numpy as np
import sympy
from sympy.codegen import cfunctions

import symgraph as sg


def _math_loop(fn):
    @numba.njit(error_model="numpy")
    def loop(x, out):
        for i in range(x.size):
            out[i] = fn(x[i])
    return loop


@numba.njit
def _pow2(v):
    return 2.0 ** v


MATH_LOOPS = {"exp": _math_loop(math.exp), "log": _math_loop(math.log), "exp2": _math_loop(_pow2),
              "log2": _math_loop(math.log2), "log10": _math_loop(math.log10), "expm1": _math_loop(math.expm1), "log1p": _math_loop(math.log1p),
              "tanh": _math_loop(math.tanh), "sinh": _math_loop(math.sinh), "cosh": _math_loop(math.cosh),
              "asinh": _math_loop(math.asinh), "acosh": _math_loop(math.acosh), "atanh": _math_loop(math.atanh)}


@numba.njit(error_model="numpy")
def loop_composite(x, out):
    for i in range(x.size):
        v = x[i]
        out[i] = math.exp(-v * v) * math.log(1 + v * v)


def numpy_composite(x, out):
    # as a NumPy user writes it (temporaries included), only the result into out
    np.multiply(np.exp(-x * x), np.log(1 + x * x), out=out)


x_ = sympy.Symbol("x")
FUNCTIONS = {  # name: (SymPy expression, NumPy ufunc, mpmath reference)
    "exp": (sympy.exp(x_), np.exp, mpmath.exp),
    "log": (sympy.log(x_), np.log, mpmath.log),
    "exp2": (cfunctions.exp2(x_), np.exp2, lambda v: mpmath.power(2, v)),
    "log2": (cfunctions.log2(x_), np.log2, lambda v: mpmath.log(v, 2)),
    "log10": (cfunctions.log10(x_), np.log10, mpmath.log10),
    "expm1": (cfunctions.expm1(x_), np.expm1, mpmath.expm1),
    "log1p": (cfunctions.log1p(x_), np.log1p, mpmath.log1p),
    "tanh": (sympy.tanh(x_), np.tanh, mpmath.tanh),
    "sinh": (sympy.sinh(x_), np.sinh, mpmath.sinh),
    "cosh": (sympy.cosh(x_), np.cosh, mpmath.cosh),
    "asinh": (sympy.asinh(x_), np.arcsinh, mpmath.asinh),
    "acosh": (sympy.acosh(x_), np.arccosh, mpmath.acosh),
    "atanh": (sympy.atanh(x_), np.arctanh, mpmath.atanh),
}
SPEED_INPUTS = {"exp": (-50, 50), "log": (1e-3, 1e3), "exp2": (-70, 70), "log2": (1e-3, 1e3),
                "log10": (1e-3, 1e3),
                "expm1": (-5, 5), "log1p": (-0.9, 100), "tanh": (-10, 10), "sinh": (-30, 30), "cosh": (-30, 30),
                "asinh": (-1e3, 1e3), "acosh": (1, 1e3), "atanh": (-0.999, 0.999)}


def best_ms(fn, *args, repeats=30):
    fn(*args)
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - t)
    return best * 1e3


def speed(size, names):
    rng = np.random.default_rng(0)
    rows = [(name, sg.compile([x_], expr, rewrite=False), MATH_LOOPS[name],
             lambda a, o, u=ufunc: u(a, out=o), rng.uniform(*SPEED_INPUTS[name], size))
            for name, (expr, ufunc, _) in FUNCTIONS.items() if name in names]
    rows.append(("exp(-x^2)*log(1+x^2)", sg.compile([x_], sympy.exp(-x_ ** 2) * sympy.log(1 + x_ ** 2),
                                                    rewrite=False),
                 loop_composite, numpy_composite, rng.uniform(-4, 4, size)))
    print(f"speed, {size} elements, best of 30 (ms); ratios are time / symgraph's time")
    print(f"{'expression':24s} {'dtype':8s} {'numpy':>8s} {'math.* loop':>12s} {'symgraph':>9s}"
          f" {'numpy/sg':>9s} {'loop/sg':>8s}")
    for name, compiled, loop, numpy_fn, data in rows:
        for dtype in (np.float64, np.float32):
            a = data.astype(dtype)
            out = np.empty_like(a)
            t_np = best_ms(numpy_fn, a, out)
            t_loop = best_ms(loop, a, out)
            t_sg = best_ms(lambda: compiled(a, out=out))
            print(f"{name:24s} {np.dtype(dtype).name:8s} {t_np:8.3f} {t_loop:12.3f} {t_sg:9.3f}"
                  f" {t_np / t_sg:9.2f} {t_loop / t_sg:8.2f}")


def ulp_errors(values, points, reference, dtype):
    precision, emin = (53, -1022) if dtype == np.float64 else (24, -126)
    limit = float(np.finfo(dtype).max)
    errors = np.empty(len(points))
    with mpmath.workprec(120):
        for i, (v, p) in enumerate(zip(values.tolist(), points.tolist())):
            exact = reference(mpmath.mpf(p))
            if abs(exact) > limit * (1 + 2.0 ** -precision) or not math.isfinite(v):
                ok = (v == math.inf and exact > limit) or (v == -math.inf and exact < -limit)
                errors[i] = 0.0 if ok else math.inf
                continue
            exponent = mpmath.frexp(exact)[1] - 1 if exact != 0 else emin
            errors[i] = float(abs(mpmath.mpf(v) - exact) / mpmath.ldexp(1, max(int(exponent), emin) - precision + 1))
    return errors


def domain(name, dtype, n, rng):
    """n points over the function's whole domain, the hard regions (subnormal results or inputs,
    cancellation near 0 or 1, overflow edges) included."""
    f64 = dtype == np.float64
    q = n // 4
    tiny_exp = -300 if f64 else -40

    def signed_decades(lo, hi, m):
        return np.copysign(10.0 ** rng.uniform(lo, hi, m), rng.uniform(-1, 1, m))

    if name in ("exp", "exp2"):
        lo, hi, low_normal = (-745.2, 709.79, -708.4) if f64 else (-103.98, 88.73, -87.3)
        pts = np.concatenate([rng.uniform(lo, hi, q), rng.uniform(lo, low_normal, q),
                              signed_decades(-20, 2, q) / 2, rng.uniform(-1, 1, n - 3 * q)])
        pts = pts if name == "exp" else pts / math.log(2)
    elif name == "expm1":
        pts = np.concatenate([rng.uniform(-40, 709.79 if f64 else 88.73, q), signed_decades(tiny_exp, 0, q),
                              rng.uniform(-1.1, 1.1, n - 2 * q)])
    elif name in ("log", "log2", "log10"):
        lo, hi, tiny = (-307, 308, 2.2250738585072014e-308) if f64 else (-37, 38, 1.1754943508222875e-38)
        pts = np.concatenate([10.0 ** rng.uniform(lo, hi, q), rng.uniform(0, tiny, q), rng.uniform(0.5, 2, q),
                              1 + signed_decades(-16 if f64 else -7, 0, n - 3 * q)])
    elif name == "tanh":
        pts = np.concatenate([signed_decades(-10, 1.5, q), rng.uniform(-1, 1, q), rng.uniform(-20, 20, q),
                              rng.uniform(0.3, 0.8, n - 3 * q)])
    elif name in ("sinh", "cosh"):
        hi = 710.5 if f64 else 89.5  # the overflow edge (710.4758600739439, 89.41599)
        pts = np.concatenate([signed_decades(-10, 2.9, q), rng.uniform(-2, 2, q), rng.uniform(-hi, hi, q),
                              rng.uniform(hi - 1, hi, n - 3 * q)])
    elif name == "asinh":
        pts = np.concatenate([signed_decades(tiny_exp, 308 if f64 else 38, q), rng.uniform(-3, 3, q),
                              signed_decades(-1, 3, q), signed_decades(6, 10, n - 3 * q)])
    elif name == "acosh":
        pts = np.concatenate([1 + 10.0 ** rng.uniform(-16 if f64 else -7, 0, q),
                              10.0 ** rng.uniform(0, 308 if f64 else 38, q), rng.uniform(1, 3, q),
                              10.0 ** rng.uniform(7, 10, n - 3 * q)])
    elif name == "atanh":
        pts = np.concatenate([signed_decades(tiny_exp, 0, q), (1 - 10.0 ** rng.uniform(-16 if f64 else -7, 0, q))
                              * rng.choice([-1.0, 1.0], q), rng.uniform(-1, 1, q), rng.uniform(0.4, 0.6, n - 3 * q)])
    else:
        pts = np.concatenate([10.0 ** rng.uniform(tiny_exp, 308 if f64 else 38, q),
                              -(10.0 ** rng.uniform(tiny_exp, 0, q)), rng.uniform(-1, 1, q),
                              -1 + 10.0 ** rng.uniform(-16 if f64 else -7, 0, n - 3 * q)])
    with np.errstate(over="ignore"):
        return pts.astype(dtype)


def accuracy(points, names):
    compiled = sg.compile([x_], [expr for name, (expr, _, _) in FUNCTIONS.items() if name in names], rewrite=False)
    rng = np.random.default_rng(1)
    print(f"\naccuracy, {points} random points per function and dtype, ulps vs mpmath (0.5 = correctly rounded)")
    for dtype in (np.float64, np.float32):
        selected = [(name, reference) for name, (_, _, reference) in FUNCTIONS.items() if name in names]
        for index, (name, reference) in enumerate(selected):
            start = time.perf_counter()
            pts = domain(name, dtype, points, rng)
            with np.errstate(invalid="ignore"):  # the other functions' outputs may be NaN on these points
                values = compiled(pts)[index]
            errors = ulp_errors(values, pts, reference, dtype)
            print(f"{name:6s} {np.dtype(dtype).name}: max {errors.max():.4f} ulp (at x = {pts[errors.argmax()]!r}), "
                  f"mean {errors.mean():.4f} ulp, {len(pts)} points, {time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10 ** 6)
    parser.add_argument("--points", type=int, default=10 ** 6)
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--only", default=",".join(FUNCTIONS), help="comma-separated function names")
    options = parser.parse_args()
    names = options.only.split(",")
    speed(options.size, names)
    if not options.skip_accuracy:
        accuracy(options.points, names)
