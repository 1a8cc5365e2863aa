"""symgraph.vecmath_hyp: vectorisable tanh, sinh, cosh, asinh, acosh, atanh, logit (and stable.py's hypot
and log1mexp, built on the same pieces) against mpmath, special values, and the loop's vectorisation.

Errors are in ulps of the exact value (mpmath at 120 bits; 0.5 is correct rounding). The float64 bounds
are the maxima measured on 10^6 points per function (benchmarks/vecmath.py; logit and log1mexp with the
same sampling), rounded up in the second decimal; float32 maxima were 0.5000. The samples here are smaller and weighted to the hard regions (near 0, near 1 for acosh/atanh,
sinh where its Taylor branch ends (0.3), the overflow edges).
"""
import re

import mpmath
import numpy as np
import pytest
import sympy
from sympy.codegen import cfunctions

import symgraph as sg
from symgraph.stable import log1mexp, logit, mp_log1mexp

from test_vecmath import BITS, ulp_errors

x, y = sympy.symbols("x y")
NAMES = ("tanh", "sinh", "cosh", "asinh", "acosh", "atanh", "logit", "log1mexp")
EXPRS = [sympy.tanh(x), sympy.sinh(x), sympy.cosh(x), sympy.asinh(x), sympy.acosh(x), sympy.atanh(x), logit(x),
         log1mexp(x)]
# one module holds all eight in float64 and float32; a fast-math one beside it
FAMILY = sg.compile([x], EXPRS, rewrite=False)
FAMILY_FASTMATH = sg.compile([x], EXPRS, rewrite=False, fastmath=True)
HYPOT = sg.compile([x, y], cfunctions.hypot(x, y), rewrite=False)
REFERENCE = {"tanh": mpmath.tanh, "sinh": mpmath.sinh, "cosh": mpmath.cosh, "asinh": mpmath.asinh,
             "acosh": mpmath.acosh, "atanh": mpmath.atanh, "logit": lambda p: mpmath.log(p / (1 - p)),
             "log1mexp": mp_log1mexp}
# 10^6-point maxima: 0.5001, 0.5329, 0.5151, 0.5306, 0.5298, 0.5271, 0.5248, 0.5285 (a bound within 0.002 of
# its maximum gets 0.01 more, as a smaller sample may land elsewhere)
BOUND64 = {"tanh": 0.501, "sinh": 0.54, "cosh": 0.52, "asinh": 0.54, "acosh": 0.54, "atanh": 0.53, "logit": 0.53,
           "log1mexp": 0.54}
BOUND32 = 0.501
RNG = np.random.default_rng(20251125)


def signed_decades(lo, hi, n):
    return 10.0 ** RNG.uniform(lo, hi, n) * RNG.choice([-1.0, 1.0], n)


def points(name, dtype, n):
    """n points over the function's domain, hard regions included."""
    f64 = dtype == np.float64
    q = n // 4
    tiny = -300 if f64 else -40
    near_one = 10.0 ** RNG.uniform(-16 if f64 else -7, 0, q)
    if name == "tanh":
        parts = [signed_decades(tiny, 1.5, q), RNG.uniform(-1, 1, q), RNG.uniform(-20, 20, q), RNG.uniform(0.3, 0.8, q)]
    elif name in ("sinh", "cosh"):
        edge = 710.4758600739439 if f64 else 89.4159851  # the overflow threshold
        parts = [signed_decades(tiny, 2.9, q), RNG.uniform(-2, 2, q), RNG.uniform(0.2, 0.6, q),
                 RNG.uniform(edge - 1, edge, q)]
    elif name == "asinh":
        parts = [signed_decades(tiny, 308 if f64 else 38, q), RNG.uniform(-3, 3, q), signed_decades(-1, 3, q),
                 signed_decades(7, 10, q)]
    elif name == "acosh":
        parts = [1 + near_one, 10.0 ** RNG.uniform(0, 308 if f64 else 38, q), RNG.uniform(1, 3, q),
                 10.0 ** RNG.uniform(7, 10, q)]
    elif name == "atanh":
        parts = [signed_decades(tiny, 0, q), (1 - near_one) * RNG.choice([-1.0, 1.0], q), RNG.uniform(-1, 1, q),
                 RNG.uniform(0.4, 0.6, q)]
    elif name == "logit":  # on (0, 1)
        parts = [10.0 ** RNG.uniform(tiny, -0.3, q), 1 - near_one / 2, RNG.uniform(0.49, 0.51, q), RNG.uniform(0, 1, q)]
    else:  # log1mexp on x < 0; -25 is where it switches to -e^x (1 + e^x/2)
        parts = [-(10.0 ** RNG.uniform(tiny - 20, 2.9, q)), RNG.uniform(-2, 0, q), RNG.uniform(-45, -20, q),
                 RNG.uniform(-26, -24, q)]
    with np.errstate(over="ignore"):
        pts = np.concatenate(parts).astype(dtype)
    keep = {"logit": (pts > 0) & (pts < 1), "atanh": np.abs(pts) < 1, "log1mexp": pts < 0}.get(name, pts == pts)
    return pts[keep]


@pytest.fixture(scope="module", params=[np.float64, np.float32], ids=["float64", "float32"])
def dtype(request):
    return request.param


@pytest.mark.parametrize("name", NAMES)
def test_accuracy(dtype, name):
    pts = points(name, dtype, 3000)
    values = FAMILY(pts)[NAMES.index(name)]
    assert values.dtype == dtype
    errors = ulp_errors(values, pts, REFERENCE[name], dtype)
    bound = BOUND64[name] if dtype == np.float64 else BOUND32
    assert errors.max() <= bound, (name, pts[errors.argmax()], errors.max())
    assert errors.mean() < 0.3


@pytest.mark.parametrize("name", NAMES)
def test_accuracy_under_fastmath(dtype, name):
    # the helpers keep IEEE semantics inside a fast-math kernel (reassoc would undo their exact steps)
    pts = points(name, dtype, 400)
    errors = ulp_errors(FAMILY_FASTMATH(pts)[NAMES.index(name)], pts, REFERENCE[name], dtype)
    assert errors.max() <= (BOUND64[name] if dtype == np.float64 else BOUND32)


def special_values(name, dtype):
    tiny, huge = np.finfo(dtype).smallest_subnormal, np.finfo(dtype).max
    nan, inf = np.nan, np.inf
    table = {
        "tanh": [(0.0, 0.0), (-0.0, -0.0), (inf, 1.0), (-inf, -1.0), (tiny, tiny), (-tiny, -tiny), (25.0, 1.0),
                 (-25.0, -1.0), (huge, 1.0), (-huge, -1.0)],
        "sinh": [(0.0, 0.0), (-0.0, -0.0), (inf, inf), (-inf, -inf), (tiny, tiny), (-tiny, -tiny), (800.0, inf),
                 (-800.0, -inf), (huge, inf), (-huge, -inf)],
        "cosh": [(0.0, 1.0), (-0.0, 1.0), (inf, inf), (-inf, inf), (tiny, 1.0), (800.0, inf), (-800.0, inf),
                 (-huge, inf)],
        "asinh": [(0.0, 0.0), (-0.0, -0.0), (inf, inf), (-inf, -inf), (tiny, tiny), (-tiny, -tiny)],
        "acosh": [(1.0, 0.0), (inf, inf), (0.0, nan), (-1.0, nan), (-inf, nan), (np.nextafter(dtype(1), dtype(0)), nan)],
        "atanh": [(0.0, 0.0), (-0.0, -0.0), (1.0, inf), (-1.0, -inf), (2.0, nan), (-2.0, nan), (inf, nan),
                  (-inf, nan), (tiny, tiny), (-tiny, -tiny)],
        "logit": [(0.0, -inf), (-0.0, -inf), (1.0, inf), (0.5, 0.0), (-1.0, nan), (2.0, nan), (inf, nan),
                  (-inf, nan)],
        # -e^x rounded: -0.0 where it underflows
        "log1mexp": [(0.0, -inf), (-0.0, -inf), (1.0, nan), (inf, nan), (-inf, -0.0), (-800.0, -0.0)],
    }[name]
    return table + [(nan, nan)]


@pytest.mark.parametrize("fn", [FAMILY, FAMILY_FASTMATH], ids=["ieee", "fastmath"])
@pytest.mark.parametrize("name", NAMES)
def test_special_values_exact(dtype, fn, name):
    table = special_values(name, dtype)
    xs = np.array([a for a, _ in table], dtype=dtype)
    want = np.array([b for _, b in table], dtype=dtype)
    with np.errstate(invalid="ignore"):  # the other outputs are NaN on some of these points
        got = fn(xs)[NAMES.index(name)]
    np.testing.assert_array_equal(got, want)  # NaN where NaN is due, every other value exactly
    number = want == want
    assert np.array_equal(np.signbit(got[number]), np.signbit(want[number]))  # odd functions keep the sign of 0


def _first_above(bound, dtype):
    v = dtype(float(bound))
    return v if v > bound else np.nextafter(v, dtype(np.inf))


@pytest.mark.parametrize("name", ["sinh", "cosh"])
def test_overflow_threshold(dtype, name):
    # inf from where the exact value exceeds the largest float plus half an ulp, finite and right below
    precision, emin = BITS[dtype]
    with mpmath.workprec(200):
        limit = mpmath.ldexp(1, 2 - emin) - mpmath.ldexp(1, 1 - emin - precision)
        threshold = mpmath.asinh(limit) if name == "sinh" else mpmath.acosh(limit)
    first_inf = _first_above(threshold, dtype)
    xs = np.array([np.nextafter(first_inf, dtype(0)), first_inf, -first_inf], dtype=dtype)
    with np.errstate(invalid="ignore"):
        got = FAMILY(xs)[NAMES.index(name)]
    errors = ulp_errors(got[:1], xs[:1], REFERENCE[name], dtype)
    assert np.isfinite(got[0]) and errors[0] <= (BOUND64[name] if dtype == np.float64 else BOUND32)
    assert got[1] == np.inf and got[2] == (-np.inf if name == "sinh" else np.inf)


def test_scalar_path_uses_the_same_helpers():
    for dtype in (np.float64, np.float32):
        values = FAMILY(dtype(0.5))
        for name, value in zip(NAMES, values):
            with mpmath.workprec(120):
                exact = REFERENCE[name](mpmath.mpf(0.5))
            if name in ("acosh", "log1mexp"):  # outside their domains
                assert value != value
            else:
                assert abs(float(value) - float(exact)) <= np.finfo(dtype).eps * abs(float(exact))


def test_hypot_accuracy_and_special_values():
    for dtype, lo, hi in ((np.float64, -320, 308), (np.float32, -45, 38)):
        n = 1500
        with np.errstate(over="ignore"):
            a = np.concatenate([signed_decades(lo, hi, n), signed_decades(-3, 3, n)]).astype(dtype)
            b = np.concatenate([signed_decades(lo, hi, n), signed_decades(-3, 3, n)]).astype(dtype)
        pairs = dict(enumerate(zip(a.tolist(), b.tolist())))
        errors = ulp_errors(HYPOT(a, b), np.arange(len(a)),
                            lambda i: mpmath.hypot(*pairs[int(i)]), dtype)
        assert errors.max() <= (1.0 if dtype == np.float64 else BOUND32), errors.max()
        inf, nan, huge = np.inf, np.nan, np.finfo(dtype).max
        xs = np.array([0.0, -0.0, inf, -inf, nan, nan, 3.0, huge, huge], dtype=dtype)
        ys = np.array([-0.0, 0.0, nan, 1.0, -inf, 1.0, -4.0, huge, 1.0], dtype=dtype)
        want = np.array([0.0, 0.0, inf, inf, inf, nan, 5.0, inf, huge], dtype=dtype)
        got = HYPOT(xs, ys)
        np.testing.assert_array_equal(got, want)
        assert not np.signbit(got[:2]).any()


@pytest.mark.parametrize("variant", ["float64", "float32"])
def test_kernel_loop_is_vectorised(variant):
    # math.tanh & co. are libm calls: with them the loop stays scalar (float32 computes in double vectors)
    for fn, args in ((FAMILY, 1), (HYPOT, 2)):
        fn(*[np.linspace(0.5, 2.0, 64).astype(variant)] * args)
        kernel = fn._kernels[variant]
        llvm = "\n".join(kernel.inspect_llvm(sig) for sig in kernel.signatures)
        widths = {int(w) for w in re.findall(r"<(\d+) x double>", llvm)}
        assert widths and max(widths) >= 2
        assert not re.search(r"call [^\n]*@(a?(tanh|sinh|cosh)|exp|log|expm1|log1p|hypot|pow)f?\(", llvm)
