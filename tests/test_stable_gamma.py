"""symgraph.stable_gamma: stirlerr(n) = loggamma(n + 1) - (n + 1/2) log(n) + n - log(2 pi)/2 within a few ulps
of mpmath at 50 digits in float64 and float32 (the half-integer table, the recurrence below 10, the switch
points 1/4 and 10, tiny, huge, inf, NaN, negatives), where the typed difference loses all its bits from
n = 1e8; the SymPy side (evalf, fdiff, rewrite, lowering), the derivative and the range."""
import math

import mpmath
import numpy as np
import pytest
import sympy

import symgraph as sg
from symgraph import ops
from symgraph.domain import Facts
from symgraph.ir import const, symbol
from symgraph.lower import lower
from symgraph.reference import bits_of_error, evaluate, ulps
from symgraph.stable_gamma import STIRLERR, mp_stirlerr

x = sympy.Symbol("x")
DTYPES = (np.float64, np.float32)
TYPED = sympy.loggamma(x + 1) - (x + sympy.S.Half) * sympy.log(x) + x - sympy.log(2 * sympy.pi) / 2


@pytest.fixture(scope="module")
def kernel():
    # stirlerr and its definition as typed: one Numba compile for the module
    return sg.compile([x], [sg.stirlerr(x), TYPED], rewrite=False)


def _points(dtype):
    rng = np.random.default_rng(7)
    info = np.finfo(dtype)
    switch = [0.25, 10.0, 15.0]
    near = [float(np.nextafter(dtype(s), dtype(d))) for s in switch for d in (0, np.inf)]
    pts = np.concatenate([
        np.arange(1, 41) / 2, rng.uniform(0, 12, 500), rng.uniform(0, 0.3, 100),
        np.exp(rng.uniform(math.log(1e-30), math.log(float(info.max)), 400)),
        switch, near, [float(info.smallest_subnormal), float(info.tiny), 1e-20, 1 / 3, 9.999, 1e8, 1e15,
                       2.0 ** 53 + 2, float(info.max)]])
    return pts.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def test_within_a_few_ulps_of_mpmath(kernel, dtype):
    pts = _points(dtype)
    got = kernel(pts)[0]
    assert got.dtype == dtype
    with mpmath.workdps(50):
        exact = [mp_stirlerr(mpmath.mpf(float(v))) for v in pts]
    err = ulps(got, exact, dtype)
    worst = int(np.argmax(err))
    assert err.max() <= 3, (pts[worst], got[worst], err[worst])
    assert np.mean(err) < 0.6, np.mean(err)


def test_half_integers_are_correctly_rounded(kernel):
    pts = np.arange(1, 21) / 2
    with mpmath.workdps(50):
        exact = [mp_stirlerr(mpmath.mpf(v)) for v in pts]
    assert ulps(kernel(pts)[0], exact).max() == 0


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def test_special_values(kernel, dtype):
    pts = np.array([0.0, -0.0, math.inf, math.nan, -1.0, -1e-30, -math.inf], dtype)
    got = kernel(pts)[0]
    assert got[0] == math.inf and got[1] == math.inf and got[2] == 0.0
    assert np.isnan(got[3:]).all()


def test_the_typed_definition_loses_its_bits_where_stirlerr_does_not(kernel):
    pts = np.exp(np.random.default_rng(3).uniform(math.log(1e3), math.log(1e12), 200))
    ours, typed = kernel(pts)
    with mpmath.workdps(50):
        exact = [mp_stirlerr(mpmath.mpf(v)) for v in pts]
    ours_bits = np.mean([bits_of_error(g, e) for g, e in zip(ours, exact)])
    typed_bits = np.mean([bits_of_error(g, e) for g, e in zip(typed, exact)])
    assert ours_bits < 0.4 and typed_bits > 30, (ours_bits, typed_bits)


# ---------------------------------------------------------------- SymPy side
def test_evalf_rewrite_derivative_and_lowering():
    value = sympy.N(sg.stirlerr(sympy.Integer(10) ** 12), 30)
    with mpmath.workdps(80):
        truth = mp_stirlerr(mpmath.mpf(10) ** 12)
        assert abs(mpmath.mpf(value._as_mpf_val(200)) - truth) <= abs(truth) * mpmath.mpf(10) ** -28
    assert sg.stirlerr(sympy.oo) == 0
    point = sympy.Rational(37, 10)
    assert abs(sg.stirlerr(x).rewrite(sympy.loggamma).subs(x, point).evalf(30) - sg.stirlerr(point).evalf(30)) < 1e-25
    assert abs(sg.stirlerr(x).diff(x).subs(x, point).evalf(30) - TYPED.diff(x).subs(x, point).evalf(30)) < 1e-25
    graph = lower(sg.stirlerr(x))
    assert graph.outputs[0].op is STIRLERR and graph.to_sympy() == sg.stirlerr(x)
    assert ops.STIRLERR is STIRLERR and "stirlerr" in sg.__all__


def test_vjp_agrees_with_mpmath_derivative():
    arg = symbol(x)
    node = STIRLERR(arg)
    (grad,) = STIRLERR.vjp(const(1), node, arg)
    for point in (0.1, 1.0, 3.5, 12.0, 1e4):
        with mpmath.workdps(50):
            numeric = mpmath.diff(mp_stirlerr, mpmath.mpf(point))
            exact = evaluate(grad, {x: point}, dps=50)
            assert abs(exact - numeric) <= abs(numeric) * mpmath.mpf(10) ** -25, point


def test_range_is_known_for_guards():
    facts = Facts()
    assert facts.nonnegative(STIRLERR(symbol(x)))
    assert facts.within(STIRLERR(symbol(sympy.Symbol("n", positive=True))), 0.0, math.inf)
