"""symgraph.rules.taylor_infinity: a sum of elementary functions of one value that cancels as |x| grows and that
no rule of its own has taken becomes its asymptotic series in 1/x (or 1/sqrt(x)) beyond a bound R (the
typed sum below): it fires on such sums only, on the sides of the line where they cancel, its polynomial
is within an ulp or two of mpmath beyond R in float64 and float32 while the typed sum loses every digit,
and optimizing twice changes nothing. (Not an identity at 50 digits: the series is truncated 2^-56
below the sum.)"""
import mpmath
import numpy as np
import pytest
import sympy

import symgraph as sg
from symgraph.lower import lower
from symgraph.passes import optimize
from symgraph.reference import bits_of_error, exact
from symgraph.rules import taylor_infinity

x = sympy.Symbol("x")
FIRED = {"taylor-at-infinity", "taylor-at-infinity-sum"}
CANCELLING = [
    sympy.asinh(x) - sympy.log(2 * x),                       # 1/(4x^2) - ...
    sympy.acosh(x) - sympy.log(2 * x),                       # -1/(4x^2) - ...
    sympy.log(x + 1) - sympy.log(x) - 1 / x,                 # -1/(2x^2) + ...
    sympy.sqrt(x**2 + x) - x - sympy.Rational(1, 2),         # -1/(8x) + ...
    x**2 * (1 - sympy.cos(1 / x)) - sympy.Rational(1, 2),    # -1/(24x^2) + ...
    sympy.cbrt(x**3 + 1) - x,                                # 1/(3x^2) - ...
    sympy.atan(x) - sympy.pi / 2 + 1 / x,                    # 1/(3x^3) - ... (x > 0 only)
    x * (sympy.sqrt(x**2 + 1) - x) - sympy.Rational(1, 2),   # -1/(8x^2) + ... (x/(|x| + hypot(1, x)) by then)
    sympy.sqrt(x + 1) - sympy.sqrt(x) - 1 / (2 * sympy.sqrt(x)),  # -x^(-3/2)/8 + ...: a series in 1/sqrt(x)
    sympy.log(1 + x**2) - 2 * sympy.log(x),                  # 1/x^2 - ... (log1p(x^2) is 2 log|x| past 2^60)
]
FAR = np.array([20.0, 1e3, 3.7e5, 1e8, 5e11, 1e15, 3e20, 1e30])


def _fired(expr):
    _, trace = optimize(lower(expr))
    return {f.rule for f in trace}


@pytest.mark.parametrize("expr", CANCELLING, ids=str)
def test_fires_on_sums_that_cancel_far_out(expr):
    assert _fired(expr) & FIRED, expr


@pytest.mark.parametrize("expr", [sympy.log(x) + x, sympy.sqrt(x) - sympy.log(x), sympy.exp(x) - x**2,
                                  sympy.atan(x) - 1 / x, sympy.sin(x) - 1 / x], ids=str)
def test_sums_that_do_not_cancel_or_grow_like_exponentials_are_left_alone(expr):
    assert not _fired(expr) & FIRED, expr


def test_sums_of_two_values_or_with_functions_of_growing_arguments_without_a_series_are_left_alone():
    y = sympy.Symbol("y")
    for expr in (sympy.asinh(x) - sympy.log(2 * x) + y, sympy.sin(x) ** 2 + sympy.cos(x) ** 2 - 1,
                 sympy.log(sympy.exp(x) + x) - x):
        node = optimize(lower(expr))[0].outputs[0]
        assert taylor_infinity._asymptotic(node) is None, expr


@pytest.fixture(scope="module")
def kernels():
    return sg.compile(x, CANCELLING), sg.compile(x, CANCELLING, rewrite=False)


def _exact(expr, values):
    """The typed formula at each value, at the precision it needs (reference.exact doubles it until two
    evaluations agree: x**2*(1 - cos(1/x)) - 1/2 at 1e30 cancels 60 digits)."""
    node = lower(expr).outputs[0]
    return [exact(node, {x: float(v)}) for v in values]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_series_keeps_every_digit_where_the_typed_sum_loses_them(kernels, dtype):
    f, typed = kernels
    xs = FAR.astype(dtype)
    got, naive = f(xs), typed(xs)
    for k, expr in enumerate(CANCELLING):
        want = _exact(expr, xs)
        errors = [bits_of_error(g, w, dtype) for g, w in zip(got[k], want) if mpmath.isfinite(w)]
        assert errors and max(errors) <= 2.0, (expr, errors)
        with np.errstate(all="ignore"):
            lost = [bits_of_error(t, w, dtype) for t, w in zip(naive[k], want) if mpmath.isfinite(w)]
        assert max(lost) > 10, expr


def test_below_the_bound_no_worse_than_typed(kernels):
    # between 1/64 and the bound the typed sum (as the other rules left it); compared over 100 points:
    # their mean, and their worst within an ulp
    f, typed = kernels
    xs = np.geomspace(1 / 64, 16, 100)
    with np.errstate(all="ignore"):
        got, naive = f(xs), typed(xs)
    for k, expr in enumerate(CANCELLING):
        want = _exact(expr, xs)
        ours = [bits_of_error(g, w) for g, w in zip(got[k], want) if mpmath.isfinite(w)]
        theirs = [bits_of_error(t, w) for t, w in zip(naive[k], want) if mpmath.isfinite(w)]
        assert np.mean(ours) <= np.mean(theirs) + 0.25 and max(ours) <= max(theirs) + 1.0, (
            expr, np.mean(ours), np.mean(theirs), max(ours), max(theirs))


def test_a_side_where_the_sum_does_not_cancel_keeps_the_typed_sum(kernels):
    # atan(x) - pi/2 + 1/x is near -pi for x << 0: one select, on x > R, and the typed sum (as the other
    # rules left it) right there; log(2x) is NaN for x < 0, as typed
    f, typed = kernels
    k = CANCELLING.index(sympy.atan(x) - sympy.pi / 2 + 1 / x)
    graph, trace = optimize(lower(CANCELLING[k]))
    assert FIRED & {r.rule for r in trace}
    conditions = [n.args[0] for n in graph.nodes if n.op.name == "select"]
    assert [c.op.name for c in conditions] == ["gt"] and conditions[0].args[0].is_symbol
    with np.errstate(all="ignore"):
        got, naive = f(-FAR), typed(-FAR)
    want = _exact(CANCELLING[k], -FAR)
    assert max(bits_of_error(g, w) for g, w in zip(got[k], want)) <= 1.0
    assert np.all(np.isnan(got[0])) and np.all(np.isnan(naive[0]))


def test_both_sides_share_one_polynomial_where_their_series_agree():
    # x**2*(1 - cos(1/x)) - 1/2 is even: one select on |x|
    f = sg.compile(x, CANCELLING[4])
    xs = np.array([1e3, 1e8, 3e15])
    assert np.array_equal(f(xs), f(-xs))
    graph, _ = optimize(lower(CANCELLING[4]))
    selects = [n for n in graph.nodes if n.op.name == "select"]
    assert len(selects) == 1 and selects[0].args[0].args[0].op.name == "abs"


def test_optimizing_twice_changes_nothing():
    once, _ = optimize(lower(CANCELLING))
    twice, trace = optimize(once)
    assert all(a is b for a, b in zip(once.outputs, twice.outputs)), [f.rule for f in trace]


def test_a_second_run_under_another_time_budget_builds_the_same_polynomial(monkeypatch):
    once, _ = optimize(lower(CANCELLING[:3]))
    monkeypatch.setattr(taylor_infinity, "SERIES_SECONDS", 1e-6)
    twice, trace = optimize(once)
    assert all(a is b for a, b in zip(once.outputs, twice.outputs)), [f.rule for f in trace]
