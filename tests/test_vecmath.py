"""symgraph.vecmath: the vectorisable exp/log family the kernels call, against mpmath (correctly rounded).

Errors are in ulps of the exact value (mpmath at 120 bits), so 0.5 is correct rounding. The bounds are the
maxima measured on 10^6 points per function by benchmarks/vecmath.py (see symgraph/vecmath.py), rounded
up in the third decimal; the samples here are smaller and include the hard regions.
"""
import re

import mpmath
import numpy as np
import pytest
import sympy
from sympy.codegen import cfunctions

import symgraph as sg

x = sympy.Symbol("x")
NAMES = ("exp", "log", "exp2", "log2", "expm1", "log1p")
EXPRS = [sympy.exp(x), sympy.log(x), cfunctions.exp2(x), cfunctions.log2(x), cfunctions.expm1(x),
         cfunctions.log1p(x)]
# one module holds all six in float64 and float32 (and the scalar path); a fast-math one beside it
FAMILY = sg.compile([x], EXPRS, rewrite=False)
FAMILY_FASTMATH = sg.compile([x], EXPRS, rewrite=False, fastmath=True)
REFERENCE = {"exp": mpmath.exp, "log": mpmath.log, "exp2": lambda v: mpmath.power(2, v),
             "log2": lambda v: mpmath.log(v, 2), "expm1": mpmath.expm1, "log1p": mpmath.log1p}
BITS = {np.float64: (53, -1022), np.float32: (24, -126)}
# 10^6-point maxima (benchmarks/vecmath.py): 0.5171, 0.5304, 0.5172, 0.5001 (log2: symgraph/vecmath_log.py), 0.5001, 0.5301
BOUND64 = {"exp": 0.52, "log": 0.54, "exp2": 0.52, "log2": 0.501, "expm1": 0.501, "log1p": 0.54}
BOUND32 = 0.501  # 10^6-point maxima 0.5000 to 0.5006
RNG = np.random.default_rng(20240611)


def ulp_errors(values, points, reference, dtype):
    """|value - exact| in ulps of the exact value's binade (the subnormal ulp below the normal range)."""
    precision, emin = BITS[dtype]
    limit = float(np.finfo(dtype).max)
    errors = np.empty(len(points))
    with mpmath.workprec(120):
        for i, (v, p) in enumerate(zip(values.tolist(), points.tolist())):
            exact = reference(mpmath.mpf(p))
            if abs(exact) > limit * (1 + 2.0 ** -precision) or not np.isfinite(v):
                # beyond the largest float plus half an ulp the only right answer is inf
                ok = (v == np.inf and exact > limit) or (v == -np.inf and exact < -limit)
                errors[i] = 0.0 if ok else np.inf
                continue
            exponent = mpmath.frexp(exact)[1] - 1 if exact != 0 else emin  # |exact| in [2^e, 2^(e+1))
            errors[i] = float(abs(mpmath.mpf(v) - exact) / mpmath.ldexp(1, max(int(exponent), emin) - precision + 1))
    return errors


def decades(lo, hi, n):
    """n points log-uniform in [10^lo, 10^hi)."""
    return 10.0 ** RNG.uniform(lo, hi, n)


def signed(values):
    return np.concatenate([values, -values])


def points(name, dtype, n):
    """n-ish points over the function's whole domain, hard regions included."""
    f64 = dtype == np.float64
    q = n // 4
    tiny_mag = -300 if f64 else -40
    if name in ("exp", "exp2"):
        scale = 1.0 if name == "exp" else 1 / np.log(2)
        lo, hi = (-745.2, 709.79) if f64 else (-103.98, 88.73)
        low_normal = -708.4 if f64 else -87.3  # below: subnormal results
        parts = [RNG.uniform(lo, hi, q), RNG.uniform(lo, low_normal, q), signed(decades(-20, 2, q)) / 2,
                 RNG.uniform(-1, 1, q)]
        pts = np.concatenate(parts) * scale
    elif name == "expm1":
        hi = 709.79 if f64 else 88.73
        pts = np.concatenate([RNG.uniform(-40, hi, q), signed(decades(tiny_mag, 0, q)) / 2, RNG.uniform(-1, 1, q),
                              RNG.uniform(-0.36, 0.36, q)])
    elif name in ("log", "log2"):
        lo, hi, tiny = (-307, 308, 2.2250738585072014e-308) if f64 else (-37, 38, 1.1754943508222875e-38)
        pts = np.concatenate([decades(lo, hi, q), RNG.uniform(0, tiny, q), RNG.uniform(0.5, 2, q),
                              1 + signed(decades(-16 if f64 else -7, 0, q // 2))])
    else:  # log1p
        hi = 308 if f64 else 38
        pts = np.concatenate([decades(tiny_mag, hi, q), -decades(tiny_mag, 0, q), RNG.uniform(-1, 1, q),
                              -1 + decades(-16 if f64 else -7, 0, q)])
    with np.errstate(over="ignore"):
        return pts.astype(dtype)


@pytest.fixture(scope="module", params=[np.float64, np.float32], ids=["float64", "float32"])
def dtype(request):
    return request.param


@pytest.mark.parametrize("name", NAMES)
def test_accuracy(dtype, name):
    pts = points(name, dtype, 8000)
    values = FAMILY(pts)[NAMES.index(name)]
    assert values.dtype == dtype
    errors = ulp_errors(values, pts, REFERENCE[name], dtype)
    bound = BOUND64[name] if dtype == np.float64 else BOUND32
    assert errors.max() <= bound, (name, pts[errors.argmax()], errors.max())
    assert errors.mean() < 0.3  # 0.1 to 0.25 when (nearly) correctly rounded


@pytest.mark.parametrize("name", NAMES)
def test_accuracy_under_fastmath(dtype, name):
    # the helpers keep IEEE semantics inside a fast-math kernel (reassoc would undo their exact steps)
    pts = points(name, dtype, 1600)
    errors = ulp_errors(FAMILY_FASTMATH(pts)[NAMES.index(name)], pts, REFERENCE[name], dtype)
    assert errors.max() <= (BOUND64[name] if dtype == np.float64 else BOUND32)


def _first_above(bound, dtype):
    v = dtype(float(bound))
    return v if v > bound else np.nextafter(v, dtype(np.inf))


@pytest.mark.parametrize("name, base", [("exp", mpmath.e), ("exp2", 2)])
def test_overflow_and_underflow_thresholds(dtype, name, base):
    # inf from where the value exceeds max + half an ulp; 0 up to half the smallest subnormal (ties to even)
    precision, emin = BITS[dtype]
    with mpmath.workprec(200):
        overflow_at = mpmath.log(mpmath.ldexp(1, 2 - emin) - mpmath.ldexp(1, 1 - emin - precision), base)
        underflow_at = mpmath.log(mpmath.ldexp(1, emin - precision), base)
    first_inf, first_nonzero = _first_above(overflow_at, dtype), _first_above(underflow_at, dtype)
    xs = np.array([np.nextafter(first_inf, dtype(-np.inf)), first_inf,
                   np.nextafter(first_nonzero, dtype(-np.inf)), first_nonzero], dtype=dtype)
    got = FAMILY(xs)[NAMES.index(name)]
    with mpmath.workprec(200):
        largest = dtype(float(REFERENCE[name](mpmath.mpf(float(xs[0])))))
    assert np.isfinite(largest) and got[0] == largest
    assert got[1] == np.inf and got[2] == 0.0 and got[3] == np.finfo(dtype).smallest_subnormal


def special_values(name, dtype):
    tiny, huge = np.finfo(dtype).smallest_subnormal, np.finfo(dtype).max
    nan, inf = np.nan, np.inf
    common = [(nan, nan)]
    table = {
        "exp": [(0.0, 1.0), (-0.0, 1.0), (inf, inf), (-inf, 0.0), (1.0, np.e), (tiny, 1.0), (-tiny, 1.0),
                (800.0, inf), (-800.0, 0.0), (-huge, 0.0), (huge, inf)],
        "exp2": [(0.0, 1.0), (-0.0, 1.0), (inf, inf), (-inf, 0.0), (1.0, 2.0), (-1.0, 0.5), (10.0, 1024.0),
                 (0.5, np.sqrt(2.0)), (float(BITS[dtype][1] - BITS[dtype][0] + 1), tiny),
                 (2000.0, inf), (-2000.0, 0.0), (tiny, 1.0)],
        "expm1": [(0.0, 0.0), (-0.0, -0.0), (inf, inf), (-inf, -1.0), (800.0, inf), (-800.0, -1.0),
                  (tiny, tiny), (-tiny, -tiny), (-huge, -1.0), (huge, inf)],
        "log": [(1.0, 0.0), (0.0, -inf), (-0.0, -inf), (inf, inf), (-1.0, nan), (-inf, nan), (-tiny, nan),
                (-huge, nan), (2.0, np.log(2.0)), (0.5, -np.log(2.0))],
        "log2": [(1.0, 0.0), (0.0, -inf), (-0.0, -inf), (inf, inf), (-1.0, nan), (-inf, nan), (8.0, 3.0),
                 (0.25, -2.0), (tiny, float(BITS[dtype][1] - BITS[dtype][0] + 1)), (2.0 ** 100, 100.0)],
        "log1p": [(0.0, 0.0), (-0.0, -0.0), (-1.0, -inf), (-2.0, nan), (inf, inf), (-inf, nan),
                  (tiny, tiny), (-tiny, -tiny), (1.0, np.log(2.0)), (-0.5, -np.log(2.0))],
    }[name]
    return table + common


@pytest.mark.parametrize("fn", [FAMILY, FAMILY_FASTMATH], ids=["ieee", "fastmath"])
@pytest.mark.parametrize("name", NAMES)
def test_special_values_exact(dtype, fn, name):
    table = special_values(name, dtype)
    xs = np.array([a for a, _ in table], dtype=dtype)
    want = np.array([b for _, b in table], dtype=dtype)
    got = fn(xs)[NAMES.index(name)]
    np.testing.assert_array_equal(got, want)  # NaN where NaN is due, every other value exactly
    assert np.array_equal(np.signbit(got), np.signbit(want))  # expm1(-0.0) = log1p(-0.0) = -0.0


def test_scalar_path_uses_the_same_helpers():
    for dtype in (np.float64, np.float32):
        values = FAMILY(dtype(0.0))
        assert [float(v) for v in values] == [1.0, -np.inf, 1.0, -np.inf, 0.0, 0.0]
        assert FAMILY(dtype(np.nan))[0] != FAMILY(dtype(np.nan))[0]


def test_log_of_subnormals():
    for dtype in (np.float64, np.float32):
        tiny = np.finfo(dtype).smallest_subnormal
        xs = np.array([tiny, tiny * 3, np.finfo(dtype).tiny * np.float64(0.7)], dtype=dtype)
        for name in ("log", "log2", "log1p"):
            errors = ulp_errors(FAMILY(xs)[NAMES.index(name)], xs, REFERENCE[name], dtype)
            assert errors.max() <= (BOUND64[name] if dtype == np.float64 else BOUND32)


def test_generated_helpers_are_ieee_and_inlined():
    source = FAMILY_FASTMATH.source
    decorators = re.findall(r"@numba.njit\(([^)]*)\)\ndef _h_v", source)
    assert len(decorators) >= 12  # six functions in two dtypes, plus their shared parts
    assert all("fastmath={'contract'}" in d and "forceinline=True" in d for d in decorators)
    assert source.count("def _vm_float_bits") == 1  # the bit-cast preamble appears once


@pytest.mark.parametrize("variant, vector", [("float64", "double"), ("float32", "float")])
def test_kernel_loop_is_vectorised(variant, vector):
    # the point of these helpers: with math.exp & co. the loop stays scalar (a libm call per element)
    FAMILY(np.linspace(0.5, 2.0, 64).astype(variant))
    kernel = FAMILY._kernels[variant]
    llvm = "\n".join(kernel.inspect_llvm(sig) for sig in kernel.signatures)
    widths = {int(w) for w in re.findall(rf"<(\d+) x {vector}>", llvm)}
    assert widths and max(widths) >= 2
    assert not re.search(r"call [^\n]*@(exp|log|exp2|log2|expm1|log1p|pow)f?\(", llvm)
