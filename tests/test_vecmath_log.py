"""symgraph.vecmath_log's log10 and vecmath's log2 as the kernels call them, against mpmath.

Errors are in ulps of the exact value (mpmath at 120 bits), so 0.5 is correct rounding: log2 and log10
are rounded once (float64 max 0.5002 ulp, misrounded on 3e-5 of [1/2, 2] and nowhere else in 4*10^5
points; float32 max 0.5000), where log(x)/log(b) as typed rounds three times.
Exact powers of two (ten) give exact integers; the special values are C99's.
"""
import re

import mpmath
import numpy as np
import pytest
import sympy
from sympy.codegen import cfunctions

import symgraph as sg

x = sympy.Symbol("x")
NAMES = ("log2", "log10")
BASES = {"log2": 2, "log10": 10}
FAMILY = sg.compile([x], [cfunctions.log2(x), cfunctions.log10(x)], rewrite=False)
FAMILY_FASTMATH = sg.compile([x], [cfunctions.log2(x), cfunctions.log10(x)], rewrite=False, fastmath=True)
TYPED = sg.compile([x], [sympy.log(x) / sympy.log(2), sympy.log(x) / sympy.log(10)], rewrite=False)
REFERENCE = {"log2": lambda v: mpmath.log(v, 2), "log10": mpmath.log10}
BITS = {np.float64: (53, -1022), np.float32: (24, -126)}
BOUND = {np.float64: 0.501, np.float32: 0.501}
RNG = np.random.default_rng(20261126)


def ulp_errors(values, points, reference, dtype):
    """|value - exact| in ulps of the exact value's binade (inf where a finite exact value got inf/NaN)."""
    precision, emin = BITS[dtype]
    errors = np.empty(len(points))
    with mpmath.workprec(120):
        for i, (v, p) in enumerate(zip(values.tolist(), points.tolist())):
            exact = reference(mpmath.mpf(p))
            if not np.isfinite(v):
                errors[i] = np.inf
                continue
            exponent = mpmath.frexp(exact)[1] - 1 if exact != 0 else emin
            errors[i] = float(abs(mpmath.mpf(v) - exact) / mpmath.ldexp(1, max(int(exponent), emin) - precision + 1))
    return errors


def points(dtype, n):
    """Positive finite points: the whole exponent range (2^u, not 10^u, whose logs would be near floats),
    subnormals, [1/2, 2] where the result is smallest against its error, and 1 +- 10^-k."""
    f64 = dtype == np.float64
    q = n // 4
    lo, hi, tiny = (-1074, 1024, 2.2250738585072014e-308) if f64 else (-149, 128, 1.1754943508222875e-38)
    near = 10.0 ** RNG.uniform(-16 if f64 else -7, -0.5, q // 2)
    pts = np.concatenate([2.0 ** RNG.uniform(lo, hi, q), RNG.uniform(0, tiny, q), RNG.uniform(0.5, 2, q),
                          1 + near, 1 - near])
    return pts.astype(dtype)


@pytest.fixture(scope="module", params=[np.float64, np.float32], ids=["float64", "float32"])
def dtype(request):
    return request.param


@pytest.mark.parametrize("name", NAMES)
def test_accuracy_and_typed_form_is_worse(dtype, name):
    pts = points(dtype, 8000)
    i = NAMES.index(name)
    values = FAMILY(pts)[i]
    assert values.dtype == dtype
    errors = ulp_errors(values, pts, REFERENCE[name], dtype)
    assert errors.max() <= BOUND[dtype], (name, pts[errors.argmax()], errors.max())
    assert np.mean(errors > 0.5) < 0.001  # correctly rounded on more than 99.9% of the points (3e-5 measured)
    # log(x)/log(b) as typed: three roundings, misrounded on about a third of the points
    typed = ulp_errors(TYPED(pts)[i], pts, REFERENCE[name], dtype)
    assert typed.max() > 1.0 and np.mean(typed > 0.5) > 0.2


@pytest.mark.parametrize("name", NAMES)
def test_accuracy_under_fastmath(dtype, name):
    pts = points(dtype, 1600)
    errors = ulp_errors(FAMILY_FASTMATH(pts)[NAMES.index(name)], pts, REFERENCE[name], dtype)
    assert errors.max() <= BOUND[dtype]


@pytest.mark.parametrize("fn", [FAMILY, FAMILY_FASTMATH], ids=["ieee", "fastmath"])
@pytest.mark.parametrize("name", NAMES)
def test_special_values(dtype, fn, name):
    finfo = np.finfo(dtype)
    nan, inf = np.nan, np.inf
    xs = np.array([0.0, -0.0, inf, -inf, nan, 1.0, -1.0, -finfo.smallest_subnormal, -finfo.max], dtype=dtype)
    want = np.array([-inf, -inf, inf, nan, nan, 0.0, nan, nan, nan], dtype=dtype)
    got = fn(xs)[NAMES.index(name)]
    np.testing.assert_array_equal(got, want)
    assert not np.signbit(got[5])  # log(1) = +0


@pytest.mark.parametrize("name", NAMES)
def test_exact_powers_give_exact_integers(dtype, name):
    # every power of the base that is a float (subnormal ones included for base 2) maps to its exponent;
    # for base 10 also the rounded powers 10^-k: log10(fl(10^k)) is within 2^-53/ln 10 of k, below half
    # an ulp of k for every k != 0, so its correct rounding is k too
    finfo = np.finfo(dtype)
    if name == "log2":
        ks = np.arange(int(np.log2(finfo.smallest_subnormal)), finfo.maxexp)
        xs = np.ldexp(np.ones(len(ks)), ks).astype(dtype)
    else:
        ks = np.arange(int(np.ceil(np.log10(float(finfo.tiny)))), int(np.log10(float(finfo.max))) + 1)
        xs = np.array([dtype(f"1e{k}") for k in ks])
    got = FAMILY(xs)[NAMES.index(name)]
    np.testing.assert_array_equal(got, ks.astype(dtype))


def test_scalar_path_and_subnormals():
    for dtype in (np.float64, np.float32):
        tiny = np.finfo(dtype).smallest_subnormal
        xs = np.array([tiny, tiny * 3, np.finfo(dtype).tiny * np.float64(0.7)], dtype=dtype)
        for name in NAMES:
            errors = ulp_errors(FAMILY(xs)[NAMES.index(name)], xs, REFERENCE[name], dtype)
            assert errors.max() <= BOUND[dtype]
            scalar = [float(FAMILY(v)[NAMES.index(name)]) for v in xs]
            assert scalar == [float(v) for v in FAMILY(xs)[NAMES.index(name)]]


@pytest.mark.parametrize("variant, vector", [("float64", "double"), ("float32", "float")])
def test_kernel_loop_is_vectorised(variant, vector):
    FAMILY(np.linspace(0.5, 2.0, 64).astype(variant))
    kernel = FAMILY._kernels[variant]
    llvm = "\n".join(kernel.inspect_llvm(sig) for sig in kernel.signatures)
    widths = {int(w) for w in re.findall(rf"<(\d+) x {vector}>", llvm)}
    assert widths and max(widths) >= 2
    assert not re.search(r"call [^\n]*@(log|log2|log10)f?\(", llvm)
