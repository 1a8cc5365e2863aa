"""symgraph.stable_pow: pow1p(u, v) = (1 + u)^v within 1 ulp of mpmath in float64 and float32 where pow(1 + u
rounded, v) is a normal number (2 ulps where it over- or underflows and the result does not), while
NumPy's power(1 + u, v) is off by up to |v| 2^-53 relative; IEEE pow's values at 0, +-1, +-inf and NaN;
its derivative against mpmath.diff; its SymPy side (evalf, fdiff, rewrite, lowering); its value range
(symgraph/domain.py) at sampled points of sampled intervals."""
import math

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symgraph as sg
from symgraph import ops
from symgraph.compile import CompiledFunction
from symgraph.domain import DERIVE, Info
from symgraph.ir import Graph, const, symbol
from symgraph.lower import lower
from symgraph.reference import evaluate, ulps
from symgraph.stable_pow import POW1P, mp_pow1p

u, v = sympy.symbols("u v")
U, V = symbol(u), symbol(v)
DTYPES = (np.float64, np.float32)


@pytest.fixture(scope="module")
def kernel():
    return CompiledFunction([u, v], Graph([POW1P(U, V)], "single"))


def exact(us, vs):
    with mpmath.workdps(40):  # 1 + u is exact in mp_pow1p at any precision
        return [mp_pow1p(mpmath.mpf(float(a)), mpmath.mpf(float(b))) for a, b in zip(us, vs)]


def _log_uniform(rng, lo, hi, n):
    return np.exp(rng.uniform(np.log(lo), np.log(hi), n))


def _signs(rng, n):
    return rng.choice([-1.0, 1.0], n)


def _point_sets():
    rng = np.random.default_rng(1707)
    n = 400
    x = _log_uniform(rng, 1, 1e15, n)
    small = _log_uniform(rng, 1e-15, 1, n)
    anywhere = _log_uniform(rng, 1e-20, 1e3, n) * _signs(rng, n)
    anywhere = np.where(anywhere < -1, -1 / anywhere, anywhere)  # 1 + u > 0
    near = _log_uniform(rng, 1e-17, 1e-14, n) * _signs(rng, n)
    # |v log(1 + u)| up to 745: from 1e-17 the exponent is beyond 2^53 and e^t carries most of the result
    exponent = rng.uniform(0, 745, n) / np.abs(near) * _signs(rng, n)
    return {
        "(1 + 1/x)^x": (1 / x, x),
        "(1 + x)^(1/x)": (small, 1 / small),
        "(1 - x)^(1/x)": (-small / 2, 2 / small),
        "random": (anywhere, _log_uniform(rng, 1e-10, 1e4, n) * _signs(rng, n)),
        "v beyond 2^53": (near, exponent),
        # a negative base and integer exponents: real powers, NumPy's sign
        "negative base": (-1 - _log_uniform(rng, 1e-10, 1e6, n), np.round(rng.uniform(-50, 50, n))),
        # pow(1 + u rounded, v) near the overflow and underflow thresholds
        "near overflow": (small, rng.uniform(700, 709.7, n) / np.log1p(small)),
        "near underflow": (-small / 2, rng.uniform(700, 708, n) / np.log1p(-small / 2)),
    }


POINTS = _point_sets()


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("name", list(POINTS))
def test_within_one_ulp_where_pow_of_the_rounded_base_is_normal(kernel, name, dtype):
    a, b = POINTS[name]
    with np.errstate(over="ignore"):
        a, b = a.astype(dtype), b.astype(dtype)
    keep = np.isfinite(a) & np.isfinite(b)
    a, b = a[keep], b[keep]
    with np.errstate(all="ignore"):
        got = kernel(a, b)
        typed = np.power(a + dtype(1), b)
    assert got.dtype == dtype
    want = exact(a, b)
    err = ulps(got, want, dtype)
    with np.errstate(all="ignore"):
        base = (a.astype(np.float64) + 1.0) ** b.astype(np.float64)
    normal = (np.abs(base) >= np.finfo(np.float64).tiny) & (np.abs(base) < np.inf)
    worst = int(np.argmax(np.where(normal, err, 0)))
    assert err[normal].max() <= 1, f"pow1p({a[worst]!r}, {b[worst]!r}) = {got[worst]!r}: {err[worst]} ulps"
    # pow of a rounded 1 + u that over- or underflows: pow(|1 + u|, v/2) squared
    assert err.max() <= 2, (name, a[int(np.argmax(err))], b[int(np.argmax(err))])
    if dtype is np.float64 and name not in ("negative base",):
        # the test measures something: NumPy's power of the rounded base is far off
        assert ulps(typed, want, dtype).max() > 1000, name


def test_past_the_range_of_pow_of_the_rounded_base(kernel):
    # 1 - 6.6e-17 rounds to 1 - 2^-53, whose 8.8e18-th power overflows; (1 + u)^v is 3.7e251. The last:
    # pow(1 + 2^-52, v) and even its square root underflow; (1 + u)^v is the subnormal 4.6e-321
    a = np.array([-6.598744963736506e-17, 1.5 * 2.0 ** -52, -0.7 * 2.0 ** -53, 1.1245840835344936e-16])
    b = np.array([-8.778493585032942e+18, 710 * 2.0 ** 51, 800 * 2.0 ** 53, -6.558976329740059e+18])
    with np.errstate(all="ignore"):
        got = kernel(a, b)
        assert not np.isfinite(np.power(1 + a[:2], b[:2])).any() and np.all(np.power(1 + a[2:], b[2:]) == 0)
    assert np.all(np.isfinite(got)) and np.all(got > 0)
    assert ulps(got, exact(a, b)).max() <= 2


SPECIAL_U = [0.0, -0.0, 1e-300, -1e-300, 5e-324, 1e-17, -1e-17, 0.5, 1.0, -0.5, -1.0, -2.0, -3.5, -1e300, 1e300,
             np.inf, -np.inf, np.nan]
SPECIAL_V = [0.0, -0.0, 0.5, 2.0, 3.0, -3.0, -0.5, 1e20, -1e20, 1e300, np.inf, -np.inf, np.nan]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def test_ieee_values(kernel, dtype):
    a = np.repeat(SPECIAL_U, len(SPECIAL_V))
    b = np.tile(SPECIAL_V, len(SPECIAL_U))
    with np.errstate(all="ignore"):
        a, b = a.astype(dtype), b.astype(dtype)
        got = kernel(a, b)
        typed = np.power(a.astype(np.float64) + 1.0, b.astype(np.float64)).astype(dtype)
    # where 1 + u is exact (in float64), pow1p is pow, bit for bit, signed zeros included
    exact_base = (a.astype(np.float64) + 1.0) - 1.0 == a
    exact_base |= ~np.isfinite(a)
    np.testing.assert_array_equal(got[exact_base], typed[exact_base])
    assert np.array_equal(np.signbit(got[exact_base]), np.signbit(typed[exact_base]))
    # everywhere: the exact value, but at a negative base to an infinite power, which has no limit
    # (mpmath: NaN) and where pow1p gives pow's C99 values (inf, 0, or 1 at -1) like the typed formula
    want = exact(a, b)
    no_limit = (a + 1 < 0) & np.isinf(b) & np.isfinite(a)  # (-inf)^(+-inf): C99's inf and 0 for both
    assert ulps(got[~no_limit], [w for w, n in zip(want, no_limit) if not n], dtype).max() <= 1
    np.testing.assert_array_equal(got[no_limit], typed[no_limit])
    assert np.all(np.isnan(np.array(want, float)[no_limit]))


def test_named_values(kernel):
    got = kernel(np.array([0.0, np.nan, 1e-17, -1e-17, 1e-17, -1.0, -1.0, -1.0, 1e-17, -3.0]),
                 np.array([np.nan, 0.0, np.inf, np.inf, np.nan, 2.5, -2.5, 0.0, 1e17, 3.0]))
    np.testing.assert_array_equal(got[:4], [1.0, 1.0, np.inf, 0.0])
    assert np.isnan(got[4])  # 1 + 1e-17 is not 1: (1 + u)^NaN is NaN, though pow(1, NaN) = 1
    np.testing.assert_array_equal(got[5:8], [0.0, np.inf, 1.0])
    assert got[8] == pytest.approx(math.e, rel=2e-16) and got[9] == -8.0


def test_float32_helper_computes_in_float32(kernel):
    kernel(np.ones(3, np.float32), np.ones(3, np.float32))
    helpers = [getattr(kernel._module, name) for name in dir(kernel._module)
               if name.startswith("_h_") and name.endswith("f32") and "pow1p" in name]
    assert helpers and all(str(sig.return_type) == "float32" for h in helpers for sig in h.nopython_signatures)


# ---------------------------------------------------------------- derivative, SymPy side, value range
@pytest.mark.parametrize("point", [(0.5, 3.0), (1e-3, 1e3), (-0.5, -2.5), (2.0, 0.3), (-3.0, 3.0)])
def test_vjp_agrees_with_mpmath_derivative(point):
    node = POW1P(U, V)
    grads = POW1P.vjp(const(1), node, U, V)
    env = {u: point[0], v: point[1]}
    with mpmath.workdps(50):
        for i, g in enumerate(grads):
            numeric = mpmath.diff(lambda t: mp_pow1p(*[t if j == i else mpmath.mpf(c) for j, c in enumerate(point)]),
                                  mpmath.mpf(point[i]))
            if point[0] < -1 and i == 1:  # d/dv of a negative base's power: not real
                continue
            got = evaluate(g, env, dps=50)
            assert abs(got - numeric) <= abs(numeric) * mpmath.mpf(10) ** -25, (point, i, got, numeric)


def test_vjp_at_a_zero_base():
    grads = POW1P.vjp(const(1), POW1P(U, V), U, V)
    du, dv = (evaluate(g, {u: -1.0, v: 2.5}) for g in grads)
    assert du == 0 and dv == 0  # 2.5 * 0^1.5 and 0 * log(0) taken as its limit 0


def test_sympy_side():
    assert sg.pow1p(u, 0) == 1 and sg.pow1p(0, v) == 1
    assert sg.pow1p(sympy.Rational(1, 2), 3) == sympy.Rational(27, 8)
    value = sg.pow1p(sympy.Float("1e-30", 30), sympy.Float("1e30", 30)).evalf(30)
    assert abs(value - sympy.E) < 1e-25  # (1 + 1e-30)^1e30 rounds 1 + u away at 30 digits, evalf does not
    assert sg.pow1p(u, v).rewrite(sympy.Pow) == (1 + u) ** v
    at = {u: sympy.Rational(3, 7), v: sympy.Rational(5, 4)}
    for var in (u, v):
        ours = sg.pow1p(u, v).diff(var).subs(at).evalf(30)
        theirs = ((1 + u) ** v).diff(var).subs(at).evalf(30)
        assert abs(ours - theirs) < 1e-25, var
    graph = lower(sg.pow1p(u, v))
    assert graph.outputs[0].op is POW1P and graph.to_sympy() == sg.pow1p(u, v)
    assert POW1P is ops.POW1P and ops.OPS["pow1p"] is POW1P


def test_user_function_compiles_with_gradient():
    f = sg.compile([u, v], sg.pow1p(u, v), grad=True)
    value, (du, dv) = f(np.array([1e-17, 0.5]), np.array([1e17, 2.0]))
    np.testing.assert_allclose(value, [math.e, 2.25], rtol=2e-16)
    np.testing.assert_allclose(du, [1e17 * math.e, 3.0], rtol=1e-15)
    np.testing.assert_allclose(dv, [math.e * 1e-17, 2.25 * math.log(1.5)], rtol=1e-15)


def test_stated_facts():
    from symgraph.domain import Facts
    f = Facts()
    p = symbol(sympy.Symbol("p", positive=True))
    assert f.within(POW1P(p, p), 1, math.inf) and f.positive(POW1P(p, p))
    assert f.within(POW1P(-ops.SIGMOID(U), p), 0, 1) and f.nonnegative(POW1P(ops.EXP(U), V))
    assert not f.nonnegative(POW1P(U, V))  # a negative base to an odd power


BOUND = st.one_of(st.floats(min_value=-1e3, max_value=1e3), st.sampled_from([-1.0, 0.0, -0.0, 1.0, -2.0]))


@settings(max_examples=300, deadline=None, database=None)
@given(BOUND, BOUND, BOUND, BOUND, st.floats(0, 1), st.floats(0, 1))
def test_stated_interval_holds_at_sampled_points(a, b, c, d, s, t):
    lo_u, hi_u, lo_v, hi_v = min(a, b), max(a, b), min(c, d), max(c, d)
    pu = min(max(lo_u + (hi_u - lo_u) * s, lo_u), hi_u)
    pv = min(max(lo_v + (hi_v - lo_v) * t, lo_v), hi_v)
    infos = [Info(lo, hi, nan=False, zero=lo <= 0 <= hi, infinite=False) for lo, hi in ((lo_u, hi_u), (lo_v, hi_v))]
    info = DERIVE["pow1p"](infos, POW1P(U, V))
    with mpmath.workdps(50):
        value = mp_pow1p(mpmath.mpf(pu), mpmath.mpf(pv))
    if mpmath.isnan(value):
        assert info.nan, (lo_u, hi_u, lo_v, hi_v, pu, pv)
        return
    assert info.lo <= value <= info.hi, (lo_u, hi_u, lo_v, hi_v, pu, pv, value, info)
    if value == 0:
        assert info.zero
