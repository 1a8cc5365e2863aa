"""symgraph.stable_series: each primitive within its stated ulps of mpmath in float64 and float32 (on both
sides of its thresholds, near 0, at the extremes), its derivative against mpmath.diff, its SymPy meaning
against its reference, and its value range (symgraph/domain.py) at sampled points."""
import mpmath
import numpy as np
import pytest
import sympy

from symgraph import ops, stable_series
from symgraph.compile import CompiledFunction
from symgraph.domain import Facts
from symgraph.ir import Graph, const, symbol
from symgraph.reference import evaluate, ulps

x = sympy.Symbol("x")
X = symbol(x)
OPS = [stable_series.X_MINUS_SIN, stable_series.SINH_MINUS_X, stable_series.EXPM1_MINUS_X,
       stable_series.LOG1P_MINUS_X, stable_series.INV_MINUS_COT, stable_series.TAN_MINUS_X,
       stable_series.TANH_MINUS_X, stable_series.ATAN_MINUS_X, stable_series.ASINH_MINUS_X,
       stable_series.ASIN_MINUS_X, stable_series.ATANH_MINUS_X,
       stable_series.SIN_MINUS_X_COS, stable_series.X_COSH_MINUS_SINH, stable_series.EXP_MINUS_TAYLOR2,
       stable_series.COS_MINUS_TAYLOR2, stable_series.LOG_MINUS_X_PLUS_ONE]
# float64 ulps from the correctly rounded value: the series side rounds about once, and so do the unrounded
# expm1, log1p and asinh pairs minus the leading terms; tan_minus_x (tanh_minus_x) multiplies
# tan (tanh) by a series from 0.6; atan_minus_x adds three terms of one sign from 0.4;
# asin_minus_x (atanh_minus_x) from 1/2 sums pairs whose result cancels 2x (11x) against its parts, and
# stays within 0.9 (0.8) ulp of the exact value on 10^5-point samples;
# 1/x - cos(x)/sin(x) beyond 1.5 rounds three times; x_cosh_minus_sinh's series terms after the first reach
# 0.64 of it at 4. float32: the float64 value rounded once.
MAX_ULPS = {"x_minus_sin": (1, 1), "sinh_minus_x": (1, 1), "expm1_minus_x": (1, 1), "log1p_minus_x": (1, 1),
            "inv_minus_cot": (2, 1), "tan_minus_x": (2, 1), "tanh_minus_x": (2, 1),
            "atan_minus_x": (2, 1), "asinh_minus_x": (1, 1), "asin_minus_x": (1, 1), "atanh_minus_x": (1, 1),
            "sin_minus_x_cos": (1, 1), "x_cosh_minus_sinh": (2, 1), "exp_minus_taylor2": (1, 1),
            "cos_minus_taylor2": (1, 1), "log_minus_x_plus_one": (1, 1)}
# where the ulps hold: tan(x) = x at 4.49 is a root of 1/x - cot(x) and of sin(x) - x cos(x) (there the typed
# values' digits are the limit), and tan(x) - x has its poles from pi/2
WITHIN = {"inv_minus_cot": 4.0, "tan_minus_x": 1.55, "sin_minus_x_cos": 4.0}

RNG = np.random.default_rng(31)
_magnitudes = np.concatenate([np.exp(RNG.uniform(np.log(1e-300), np.log(1e3), 400)), RNG.uniform(0, 3, 400)])
POINTS = np.concatenate([_magnitudes, -_magnitudes, [0.0, -0.0, np.inf, -np.inf, np.nan, 700.0, -700.0, 5e-324],
                         -1 + np.exp(RNG.uniform(np.log(1e-15), 0, 50))])
# the primitives defined on [-1, 1]: dense near +-1 and around their reduction's threshold 1/2
_unit = np.concatenate([1 - np.exp(RNG.uniform(np.log(1e-16), np.log(0.5), 300)), RNG.uniform(0.4, 0.6, 300),
                        np.exp(RNG.uniform(np.log(1e-3), np.log(0.5), 200))])
# log(x) - x + 1 cancels near 1 (and switches its reduction at sqrt2/2 and sqrt2)
_near_one = 1 + np.exp(RNG.uniform(np.log(1e-16), np.log(0.5), 300)) * RNG.choice([-1.0, 1.0], 300)
EXTRA_POINTS = {"asin_minus_x": np.concatenate([_unit, -_unit]), "atanh_minus_x": np.concatenate([_unit, -_unit]),
                "log_minus_x_plus_one": _near_one}
# where each derivative and SymPy meaning are checked: inside the domain
DERIVATIVE_POINTS = {"asin_minus_x": (-0.9, -1e-3, 1e-4, 0.5, 0.7, 0.999),
                     "atanh_minus_x": (-0.9, -1e-3, 1e-4, 0.5, 0.7, 0.999),
                     "log_minus_x_plus_one": (1e-3, 0.5, 0.999, 1.001, 2.2, 30.0)}
MEANING_POINTS = {"asin_minus_x": (-0.5, 1e-3, 0.25, 0.75, 0.999), "atanh_minus_x": (-0.5, 1e-3, 0.25, 0.75, 0.999),
                  "log_minus_x_plus_one": (1e-3, 0.25, 0.999, 1.5, 4.0)}


def _around(values, dtype):
    v = np.asarray(values, dtype)
    return np.concatenate([v, np.nextafter(v, dtype(np.inf)), np.nextafter(v, dtype(-np.inf))])


@pytest.fixture(scope="module")
def kernel():
    return CompiledFunction([x], Graph([op(X) for op in OPS], "tuple"))


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("index", range(len(OPS)), ids=[op.name for op in OPS])
def test_primitive_within_its_ulps_of_mpmath(kernel, index, dtype):
    op = OPS[index]
    with np.errstate(over="ignore"):
        pts = np.concatenate([POINTS.astype(dtype), _around(stable_series.THRESHOLDS[op.name], dtype),
                              EXTRA_POINTS.get(op.name, np.zeros(0)).astype(dtype)])
    with np.errstate(all="ignore"):
        got = kernel(pts)[index]
    assert got.dtype == dtype
    limit = MAX_ULPS[op.name][0 if dtype is np.float64 else 1]
    keep = ~(np.abs(pts) >= WITHIN.get(op.name, np.inf))
    for v, g in zip(pts[keep], got[keep]):
        with mpmath.workdps(50):
            want = op.mpmath(mpmath.mpf(float(v)))
        assert ulps(g, want, dtype) <= limit, f"{op.name}({v!r}) = {g!r}, exact {mpmath.nstr(want, 20)}"


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_vjp_agrees_with_mpmath_derivative(op):
    for point in DERIVATIVE_POINTS.get(op.name, (-0.9, -1e-3, 1e-4, 0.7, 2.2, 3.0)):
        node = op(X)
        (grad,) = op.vjp(const(1), node, X)
        with mpmath.workdps(50):
            numeric = mpmath.diff(op.mpmath, mpmath.mpf(point))
            got = evaluate(grad, {x: point}, dps=50)
            assert abs(got - numeric) <= abs(numeric) * mpmath.mpf(10) ** -25, (op.name, point)


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_sympy_meaning_is_the_reference(op):
    meaning = op.to_sympy(x)
    for point in MEANING_POINTS.get(op.name, (-0.5, 1e-3, 0.25, 1.5, 4.0)):
        with mpmath.workdps(60):
            typed = sympy.N(meaning.subs(x, sympy.Rational(point)), 60)
            assert abs(mpmath.mpf(str(typed)) - op.mpmath(mpmath.mpf(point))) <= mpmath.mpf(10) ** -40


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_stated_value_range_holds(op):
    # the range derived for an argument in [lo, hi] contains the value at sampled points of [lo, hi]
    p = sympy.Symbol("p", positive=True)
    # sin(x) in [-1, 1]: inside the branch of tan_minus_x and inv_minus_cot around 0
    sines = [mpmath.sin(mpmath.mpf(float(v))) for v in _magnitudes[:100]]
    for node, args in ((op(X), POINTS), (op(symbol(p)), _magnitudes), (op(ops.SIN(X)), sines)):
        info = Facts().info(node)
        for v in args:
            with mpmath.workdps(50):
                value = op.mpmath(mpmath.mpf(v) if isinstance(v, mpmath.mpf) else mpmath.mpf(float(v)))
            if mpmath.isnan(value):
                assert info.nan, (op.name, v)
            else:
                assert info.lo <= value <= info.hi, (op.name, v, info)
