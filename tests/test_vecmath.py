"""symgraph.vecmath: the vectorisable exp/log helpers the kernels call, against mpmath (correctly rounded).

Errors are in ulps of the exact value (mpmath at 120 bits), so 0.5 is correct rounding. The bounds are the
ones measured on 10^6 points by benchmarks/vecmath.py (module docstring of symgraph.vecmath), not loosened.
"""
import re

import mpmath
import numpy as np
import pytest
import sympy

import symgraph as sg

x = sympy.Symbol("x")
# one module: exp and log in float64, float32 (and the scalar path); a fast-math one beside it
EXP_LOG = sg.compile([x], [sympy.exp(x), sympy.log(x)], rewrite=False)
EXP_LOG_FASTMATH = sg.compile([x], [sympy.exp(x), sympy.log(x)], rewrite=False, fastmath=True)
RNG = np.random.default_rng(20240611)

BITS = {np.float64: (53, -1022), np.float32: (24, -126)}
BOUND = {("exp", np.float64): 0.54, ("log", np.float64): 0.58,
         ("exp", np.float32): 0.501, ("log", np.float32): 0.501}


def ulp_errors(values, points, reference, dtype):
    """|value - exact| in ulps of the exact value's binade (subnormal ulp below the normal range)."""
    precision, emin = BITS[dtype]
    errors = np.empty(len(points))
    with mpmath.workprec(120):
        for i, (v, p) in enumerate(zip(values.tolist(), points.tolist())):
            exact = reference(mpmath.mpf(p))
            limit = np.finfo(dtype).max
            if abs(exact) > limit * (1 + 2.0 ** -precision) or not np.isfinite(v):
                # beyond the largest float (plus half an ulp) the only right answer is inf
                errors[i] = 0.0 if (v == np.inf and exact > limit) or (v == -np.inf and exact < -limit) else np.inf
                continue
            exponent = mpmath.frexp(exact)[1] - 1 if exact != 0 else emin  # exact = m 2^(e+1), m in [1/2, 1)
            ulp = mpmath.ldexp(1, int(max(exponent, emin)) - precision + 1)
            errors[i] = float(abs(mpmath.mpf(v) - exact) / ulp)
    return errors


def signed_decades(lo_exp, hi_exp, n_per_decade, dtype):
    """n points log-uniform in each decade [10^e, 10^(e+1)), both signs."""
    parts = [10.0 ** RNG.uniform(e, e + 1, n_per_decade) for e in range(lo_exp, hi_exp)]
    mags = np.concatenate(parts)
    return np.concatenate([mags, -mags]).astype(dtype)


def exp_points(dtype):
    if dtype == np.float64:
        body = signed_decades(-20, 2, 400, dtype)
        body = body[np.abs(body) < 100]
        return np.concatenate([body, RNG.uniform(-708, 709.78, 3000), RNG.uniform(-745.2, -708, 2000),
                               RNG.uniform(709.0, 709.78, 500)]).astype(dtype)
    body = signed_decades(-10, 2, 400, np.float64)
    body = body[np.abs(body) < 80]
    return np.concatenate([body, RNG.uniform(-87.3, 88.72, 3000), RNG.uniform(-103.9, -87.3, 2000)]).astype(dtype)


def log_points(dtype):
    if dtype == np.float64:
        mags = 10.0 ** RNG.uniform(-307, 308, 6000)
        subnormal = RNG.uniform(0, 1, 1500) * 2.2250738585072014e-308
    else:
        mags = 10.0 ** RNG.uniform(-37, 38, 6000)
        subnormal = RNG.uniform(0, 1, 1500) * 1.1754943508222875e-38
    near_one = 1 + RNG.uniform(-1, 1, 2000) * 10.0 ** RNG.uniform(-15 if dtype == np.float64 else -7, 0, 2000)
    return np.concatenate([mags, subnormal[subnormal > 0], near_one, RNG.uniform(0.5, 2, 2000)]).astype(dtype)


@pytest.fixture(scope="module", params=[np.float64, np.float32], ids=["float64", "float32"])
def dtype(request):
    return request.param


@pytest.mark.parametrize("fn", [EXP_LOG, EXP_LOG_FASTMATH], ids=["ieee", "fastmath"])
def test_exp_accuracy(dtype, fn):
    points = exp_points(dtype)
    values = fn(points)[0]
    assert values.dtype == dtype
    errors = ulp_errors(values, points, mpmath.exp, dtype)
    assert errors.max() <= BOUND["exp", dtype], points[errors.argmax()]
    assert errors.mean() < 0.3  # about 0.25 when (nearly) correctly rounded


@pytest.mark.parametrize("fn", [EXP_LOG, EXP_LOG_FASTMATH], ids=["ieee", "fastmath"])
def test_log_accuracy(dtype, fn):
    points = log_points(dtype)
    values = fn(points)[1]
    errors = ulp_errors(values, points, mpmath.log, dtype)
    assert errors.max() <= BOUND["log", dtype], points[errors.argmax()]
    assert errors.mean() < 0.3


def _first_double_above(bound, dtype):
    x = dtype(float(bound))
    return x if x > bound else np.nextafter(x, dtype(np.inf))


def test_exp_overflow_and_underflow_thresholds(dtype):
    # exp(x) is inf from where it exceeds max + half an ulp, and 0 up to where it reaches half the
    # smallest subnormal (ties to even: exactly half rounds to 0); check the doubles on both sides
    precision, emin = BITS[dtype]
    with mpmath.workprec(200):
        # largest float + half an ulp = 2^1024 - 2^970 (float64), 2^128 - 2^103 (float32)
        overflow_at = mpmath.log(mpmath.ldexp(1, 2 - emin) - mpmath.ldexp(1, 1 - emin - precision))
        underflow_at = mpmath.log(mpmath.ldexp(1, emin - precision))
    first_inf = _first_double_above(overflow_at, dtype)
    first_nonzero = _first_double_above(underflow_at, dtype)
    xs = np.array([np.nextafter(first_inf, dtype(-np.inf)), first_inf,
                   np.nextafter(first_nonzero, dtype(-np.inf)), first_nonzero], dtype=dtype)
    got = EXP_LOG(xs)[0]
    smallest = np.finfo(dtype).smallest_subnormal
    with mpmath.workprec(200):
        largest_finite = dtype(float(mpmath.exp(mpmath.mpf(float(xs[0])))))
    assert got[0] == largest_finite and np.isfinite(got[0])
    assert got[1] == np.inf and got[2] == 0.0 and got[3] == smallest


def special_exp(dtype):
    tiny, huge = np.finfo(dtype).smallest_subnormal, np.finfo(dtype).max
    return [(0.0, 1.0), (-0.0, 1.0), (np.inf, np.inf), (-np.inf, 0.0), (1.0, np.e), (tiny, 1.0), (-tiny, 1.0),
            (800.0, np.inf), (-800.0, 0.0), (-huge, 0.0), (huge, np.inf)]


def special_log(dtype):
    tiny, huge = np.finfo(dtype).smallest_subnormal, np.finfo(dtype).max
    return [(1.0, 0.0), (0.0, -np.inf), (-0.0, -np.inf), (np.inf, np.inf), (-1.0, np.nan), (-np.inf, np.nan),
            (-tiny, np.nan), (-huge, np.nan), (2.0, np.log(2.0)), (0.5, -np.log(2.0))]


@pytest.mark.parametrize("fn", [EXP_LOG, EXP_LOG_FASTMATH], ids=["ieee", "fastmath"])
def test_special_values_exact(dtype, fn):
    for table, out in ((special_exp(dtype), 0), (special_log(dtype), 1)):
        xs = np.array([a for a, _ in table] + [np.nan], dtype=dtype)
        want = np.array([b for _, b in table] + [np.nan], dtype=dtype)
        got = fn(xs)[out]
        np.testing.assert_array_equal(got, want)  # NaN where NaN is due, every other value exactly
    # the scalar call path compiles the same helpers
    assert fn(dtype(0.0))[1] == -np.inf and np.isnan(fn(dtype(np.nan))[0]) and fn(dtype(-np.inf))[0] == 0.0


def test_log_of_subnormals():
    xs = np.array([5e-324, 1e-310, 2.2250738585072009e-308], dtype=np.float64)
    errors = ulp_errors(EXP_LOG(xs)[1], xs, mpmath.log, np.float64)
    assert errors.max() <= BOUND["log", np.float64]
    xs32 = np.array([1e-45, 1e-40, 1.1754942e-38], dtype=np.float32)
    errors32 = ulp_errors(EXP_LOG(xs32)[1], xs32, mpmath.log, np.float32)
    assert errors32.max() <= BOUND["log", np.float32]


def test_generated_helpers_are_ieee_and_inlined():
    # the helpers must not inherit the kernel's fast-math flags (reassoc would fold their exact steps)
    source = EXP_LOG_FASTMATH.source
    helper_decorators = re.findall(r"@numba.njit\(([^)]*)\)\ndef _h_v(?:exp|log)", source)
    assert len(helper_decorators) == 4
    assert all("fastmath={'contract'}" in d and "forceinline=True" in d for d in helper_decorators)
    assert source.count("def _vm_float_bits") == 1  # the bit-cast preamble appears once


@pytest.mark.parametrize("variant, vector", [("float64", "double"), ("float32", "float")])
def test_kernel_loop_is_vectorised(variant, vector):
    # the point of these helpers: with math.exp the loop stays scalar (a libm call per element)
    data = np.linspace(0.5, 2.0, 64).astype(variant)
    EXP_LOG(data)
    kernel = EXP_LOG._kernels[variant]
    llvm = "\n".join(kernel.inspect_llvm(sig) for sig in kernel.signatures)
    widths = {int(w) for w in re.findall(rf"<(\d+) x {vector}>", llvm)}
    assert widths and max(widths) >= 2
    assert not re.search(r"call [^\n]*@(exp|log)\b", llvm)
