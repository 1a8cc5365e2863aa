"""symgraph.rules.taylor: a sum of elementary functions of one value that cancels near 0 and that no rule
of its own has taken becomes its Taylor polynomial there (the typed sum beyond): it fires on such sums only,
its polynomial is within an ulp or two of mpmath below the radius in float64 and float32 while the typed
sum loses every digit, and optimizing twice changes nothing. (Not an identity at 50 digits: the series is
truncated 2^-56 below the sum.)"""
import mpmath
import numpy as np
import pytest
import sympy

import symgraph as sg
from symgraph import ops
from symgraph.ir import symbol, topological
from symgraph.lower import lower
from symgraph.passes import Options, optimize
from symgraph.reference import bits_of_error, evaluate
from symgraph.rules import taylor

x = sympy.Symbol("x")
CANCELLING = [
    sympy.sin(3 * x) - 3 * sympy.sin(x),                # -4 sin(x)^3
    sympy.log(1 + x) - x + x**2 / 2,                    # x^3/3 - ...
    sympy.sin(x) - x + x**3 / 6,                        # x^5/120 - ...
    sympy.exp(2 * x) - 2 * sympy.exp(x) + 1,            # (e^x - 1)^2 in SymPy's order of terms
    2 * x / (2 + x) - sympy.log(1 + x),                 # -x^3/12 + ...
    x / (sympy.exp(x) - 1) - 1 + x / 2,                 # x^2/12 - ... (x/(e^x - 1) is a primitive by then)
    sympy.atan(x) - x / (1 + x**2),                     # 2x^3/3 - ... (x/(1 + x^2) is guarded by then)
    sympy.sin(x) / x - 1 + x**2 / 6,                    # x^4/120 - ... (sinc(x) by then)
    sympy.atan(x) - x + x**3 / 3,                       # x^5/5 - ...
    # terms with poles at 0 (Laurent series): the spherical Bessel functions j1 and j2
    sympy.sin(x) / x**2 - sympy.cos(x) / x,             # x/3 - ...
    (3 / x**3 - 1 / x) * sympy.sin(x) - 3 * sympy.cos(x) / x**2,  # x^2/15 - ...
    # divisions by functions that vanish at 0 (poles of finite order)
    1 / (sympy.exp(x) - 1) - 1 / x + sympy.Rational(1, 2),  # x/12 - ... (1/expm1(x) + 1/2 is one fraction)
    1 / (1 - sympy.cos(x)) - 2 / x**2,                  # 1/6 + x^2/120 + ...
    2 * sympy.coth(2 * x) - sympy.coth(x),              # tanh(x)
    # a function another rule split by its argument's size (log1p(2 sinh(x/2)^2) for |x| < 20)
    sympy.log(sympy.cosh(x)) - x**2 / 2,                # -x^4/12 + ...
    # irrational coefficients (and a function of a constant, sqrt(pi), among the terms)
    sympy.erf(x) - 2 * x / sympy.sqrt(sympy.pi),        # -2x^3/(3 sqrt(pi)) + ...
    sympy.erfc(x) - 1 + 2 * x / sympy.sqrt(sympy.pi),   # 2x^3/(3 sqrt(pi)) - ...
    # fractional powers, pow1p and hypot (the stable forms stabilize made of them)
    (1 + x)**sympy.Rational(1, 3) - 1 - x / 3,          # -x^2/9 + ...
    (1 + x)**sympy.Rational(2, 3) - 1 - 2 * x / 3,      # -x^2/9 + ... (pow1p(x, 2/3) by then)
    sympy.sqrt(1 + x**2) - 1 - x**2 / 2,                # -x^4/8 + ... (hypot(1, x) by then)
]


def _fired(expr):
    _, trace = optimize(lower(expr))
    return {f.rule for f in trace}


@pytest.mark.parametrize("expr", CANCELLING, ids=str)
def test_fires_on_sums_that_cancel_at_zero(expr):
    assert _fired(expr) & {"taylor-near-zero", "taylor-near-zero-sum"}, expr


@pytest.mark.parametrize("expr", [sympy.sin(x) + x, sympy.exp(x) - x**2, sympy.log(1 + x) + sympy.cos(x),
                                  sympy.sin(x) - sympy.cos(x)], ids=str)
def test_sums_that_do_not_cancel_are_left_alone(expr):
    assert not _fired(expr) & {"taylor-near-zero", "taylor-near-zero-sum"}, expr


def test_sums_of_two_values_are_left_alone_and_irrational_coefficients_taken():
    y = sympy.Symbol("y")
    assert taylor._taylor(lower(sympy.sin(x) - x + y).outputs[0]) is None
    # a series with irrational coefficients (sqrt(2)) is a polynomial too, its coefficients folded once
    r2 = sympy.sqrt(2)
    assert taylor._taylor(lower(sympy.sin(r2 * x) - r2 * x + r2 * x**3 / 3).outputs[0]) is not None


def test_sums_with_a_branch_point_or_a_pole_at_zero_are_left_alone_without_a_series():
    # acos(-1 + u) = pi - sqrt(2u) + ...: SymPy's series of exp(acos(x**2 - 1)) - exp(pi) ran for minutes
    singular = [sympy.exp(sympy.acos(x**2 - 1)) - sympy.exp(sympy.pi), sympy.sqrt(x) - sympy.sin(sympy.sqrt(x)),
                sympy.log(x) - sympy.log(sympy.sin(x)), sympy.cos(1 / x) - 1, x**sympy.Rational(3, 2) - x]
    analytic = [sympy.exp(sympy.asin(x / 2)) - 1, sympy.sqrt(1 + x) - 1 - x / 2,
                sympy.log(1 + x) - x, x**3 - x]
    assert not any(taylor._analytic_at_zero(lower(e).outputs[0], x) for e in singular)
    assert all(taylor._analytic_at_zero(lower(e).outputs[0], x) for e in analytic)
    assert not _fired(singular[0]) & {"taylor-near-zero", "taylor-near-zero-sum"}
    # a division by a power of x is a pole of finite order, whose Laurent series SymPy sums; a function of it
    # (sin(1/x), an essential singularity) or a negative power of it is not
    assert taylor._analytic_at_zero(lower(sympy.sin(x) / x**2 - sympy.cos(x) / x).outputs[0], x)
    assert not taylor._analytic_at_zero(lower(sympy.exp(x / x**3) - 1).outputs[0], x)
    assert not taylor._analytic_at_zero(lower(x**2 * sympy.sin(1 / x) - x).outputs[0], x)
    # so is a division by a function that is 0 at 0 (analytic there), but not a function of that
    assert taylor._analytic_at_zero(lower(1 / sympy.sin(x) - 1 / x).outputs[0], x)
    assert not taylor._analytic_at_zero(lower(sympy.exp(1 / sympy.sin(x)) - 1 / x).outputs[0], x)
    assert not taylor._analytic_at_zero(lower(1 / sympy.sin(sympy.sqrt(x)) - 1 / x).outputs[0], x)
    # a function at an irrational point: SymPy's series of tan(x/2 + pi/4) ran for minutes
    assert not taylor._analytic_at_zero(lower(sympy.tan(x / 2 + sympy.pi / 4) - 1).outputs[0], x)


@pytest.fixture(scope="module")
def kernels():
    return sg.compile(x, CANCELLING), sg.compile(x, CANCELLING, rewrite=False)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_polynomial_keeps_every_digit_where_the_typed_sum_loses_them(kernels, dtype):
    f, typed = kernels
    xs = np.array([1e-6, -3e-5, 2e-3, -0.01, 0.05, -0.1, 0.2, 0.24, 0.3, 0.45], dtype)
    got, naive = f(xs), typed(xs)
    for k, expr in enumerate(CANCELLING):
        fn = sympy.lambdify(x, expr, "mpmath")
        with mpmath.workdps(60):
            want = [fn(mpmath.mpf(float(v))) for v in xs]
        errors = [bits_of_error(g, w, dtype) for g, w in zip(got[k], want)]
        assert max(errors) <= 2.0, (expr, errors)
        assert max(bits_of_error(t, w, dtype) for t, w in zip(naive[k], want)) > 10, expr


def test_beyond_the_radius_no_worse_than_typed(kernels):
    # the sum as the other rules left it (log(1 + x) as log1p ...); other cancellation points are not this
    # rule's (sin(3x) - 3 sin(x) also vanishes at pi). Where the sum still cancels by a few bits beyond r
    # (1/(e^x - 1) - 1/x + 1/2 at x = -2.5: 3 bits) both forms' errors scatter by an ulp or two from point
    # to point, so the two are compared over 120 points: their mean, and their worst within 2 bits (the
    # polynomial near its radius sums terms larger than the sum: e^(2x) - 2e^x + 1 at x = -1.81, r = 2,
    # is 6 ulps off, the typed sum 1)
    f, typed = kernels
    xs = np.concatenate([np.linspace(1.5, 20.0, 60), -np.linspace(1.5, 20.0, 60)])
    with np.errstate(all="ignore"):
        got, naive = f(xs), typed(xs)
    for k, expr in enumerate(CANCELLING):
        fn = sympy.lambdify(x, expr, "mpmath")
        ours, theirs = [], []
        for v, g, t in zip(xs, got[k], naive[k]):
            with mpmath.workdps(60):
                w = fn(mpmath.mpf(float(v)))
            if isinstance(w, mpmath.mpf) and mpmath.isfinite(w):
                ours.append(bits_of_error(g, w))
                theirs.append(bits_of_error(t, w))
        assert np.mean(ours) <= np.mean(theirs) + 0.25 and max(ours) <= max(theirs) + 2.0, (
            expr, np.mean(ours), np.mean(theirs), max(ours), max(theirs))


def test_optimizing_twice_changes_nothing():
    once, _ = optimize(lower(CANCELLING))
    twice, trace = optimize(once)
    assert all(a is b for a, b in zip(once.outputs, twice.outputs)), [f.rule for f in trace]


def _polynomial_branch(expr):
    """(r, polynomial node) of the select the rule built for `expr` (before the fuse phase, whose fused
    multiply-adds would be found in other selects' branches too)."""
    graph, _ = optimize(lower(expr), Options(disable_phases={"fuse"}))
    node = next(n for n in graph.nodes if n.op is ops.SELECT and n.args[0].op is ops.LT
                and n.args[0].args[0].op is ops.ABS and any(m.op is ops.MUL_ADD for m in topological([n.args[1]])))
    return node.args[0].args[1].value, node.args[1]


@pytest.mark.parametrize("expr", CANCELLING, ids=str)
def test_the_economized_polynomial_is_within_its_bound_over_the_whole_radius(expr):
    # in exact arithmetic (60 digits) the polynomial is within 2^-56 of the sum relative to the sum, as
    # far as the radius (economization spreads its error over the interval instead of leaving it at r)
    r, polynomial = _polynomial_branch(expr)
    fn = sympy.lambdify(x, expr, "mpmath")
    with mpmath.workdps(60):
        for i in range(1, 101):
            for v in (mpmath.mpf(r) * i / 100, -mpmath.mpf(r) * i / 100):
                want = fn(v)
                got = evaluate(polynomial, {x: v}, dps=60)
                assert abs(got / want - 1) <= mpmath.mpf(2) ** -56, (expr, v)


def test_economization_needs_about_half_the_taylor_terms():
    # 2x/(2 + x) - log(1 + x) on |x| < 1/2: the Taylor polynomial needs 57 terms for 2^-56 there (its
    # coefficients decrease as 1/k, its terms as 2^-k/k); the economized one about 30, each a fused
    # multiply-add
    r, polynomial = _polynomial_branch(2 * x / (2 + x) - sympy.log(1 + x))
    steps = [n for n in topological([polynomial]) if n.op is ops.MUL_ADD]
    assert r == sympy.Rational(1, 2) and 20 <= len(steps) <= 35, (r, len(steps))
    outer = [n for n in steps if not any(n is a for step in steps for a in step.args)]
    assert len(outer) == 1 and not any(n.op in (ops.ADD, ops.MUL) for n in topological(outer))  # one chain


def test_a_second_run_under_another_time_budget_builds_the_same_polynomial(monkeypatch):
    # how many series terms the budget allows depends on the machine's load; a second run meets the sum
    # spelled otherwise (x/2 as x*(1/2)) and must not build another polynomial
    once, _ = optimize(lower([x / (sympy.exp(x) - 1) - 1 + x / 2, 2 * x / (2 + x) - sympy.log(1 + x)]))
    monkeypatch.setattr(taylor, "SERIES_SECONDS", 1e-6)
    twice, trace = optimize(once)
    assert all(a is b for a, b in zip(once.outputs, twice.outputs)), [f.rule for f in trace]


# sums that cancel at a point the formula names (x - c, log(x/c)), with that point; some other rule has
# taken part of each sum first (series-in-sum's log1p_minus_x(x - 1), tan-plus-one's split of 1 + tan(u),
# log-quotient's log1p(x/2 - 1)), which the polynomial about c sees through
AT_POINTS = [
    (sympy.log(x) - (x - 1) + (x - 1)**2 / 2, 1),              # (x - 1)^3/3 - ...
    (sympy.exp(x - 1) - x, 1),                                  # (x - 1)^2/2 + ...
    (sympy.exp(x - 1) - x - (x - 1)**2 / 2, 1),                 # (x - 1)^3/6 + ...
    (sympy.tan(x - 1) - x + 1, 1),                              # (x - 1)^3/3 + ...
    (sympy.log(x / 2) - (x - 2) / 2 + (x - 2)**2 / 8, 2),       # (x - 2)^3/24 - ...
    (x - 3 - sympy.sin(x - 3), 3),                              # (x - 3)^3/6 - ... (x - 3 split: no x_minus_sin)
]


@pytest.fixture(scope="module")
def kernels_at_points():
    exprs = [e for e, _ in AT_POINTS]
    return sg.compile(x, exprs), sg.compile(x, exprs, rewrite=False)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_polynomial_about_a_named_point_keeps_the_digits_the_typed_sum_loses(kernels_at_points, dtype):
    f, typed = kernels_at_points
    for k, (expr, c) in enumerate(AT_POINTS):
        xs = np.array([c * (1 + d) for d in (1e-6, -3e-5, 2e-3, -0.01, 0.05, -0.1, 0.2, -0.3, 0.45)], dtype)
        got, naive = f(xs)[k], typed(xs)[k]
        fn = sympy.lambdify(x, expr, "mpmath")
        with mpmath.workdps(60):
            want = [fn(mpmath.mpf(float(v))) for v in xs]
        errors = [bits_of_error(g, w, dtype) for g, w in zip(got, want)]
        assert max(errors) <= 2.0, (expr, errors)
        assert max(bits_of_error(t, w, dtype) for t, w in zip(naive, want)) > 10, expr


def test_a_named_point_is_tried_only_where_the_sum_cancels_there():
    # each polynomial is a select on |x - c| < r about its point; x - 1 - log(x) keeps its primitive
    # (series-in-sum's guarded log1p_minus_x(x - 1)), the window built on that guard's typed fallback
    # removed as dead, and log1p_minus_x(x - 1) + (x - 1) (a sum that does not cancel at 1, though its
    # x - 1 spelled u + 1 - 1 would) is left alone
    exprs = [e for e, _ in AT_POINTS] + [x - 1 - sympy.log(x)]
    graph, _ = optimize(lower(exprs), Options(disable_phases={"fuse"}))
    for expr, out, c in zip(exprs, graph.outputs, [c for _, c in AT_POINTS] + [None]):
        windows = [n for n in topological([out]) if n.op is ops.SELECT and n.args[0].op is ops.LT
                   and n.args[0].args[0].op is ops.ABS and n.args[0].args[0].args[0].op is ops.SUB]
        assert len(windows) == (c is not None), expr
        assert all(w.args[0].args[0].args[0].args[1].value == c for w in windows), expr
    u = symbol(x) - 1
    assert taylor._named_points(ops.LOG1P_MINUS_X(u) + u) == [1]
    assert taylor._taylor(ops.LOG1P_MINUS_X(u) + u) is None


def test_optimizing_formulas_with_named_points_twice_changes_nothing():
    once, _ = optimize(lower([e for e, _ in AT_POINTS]))
    twice, trace = optimize(once)
    assert all(a is b for a, b in zip(once.outputs, twice.outputs)), [f.rule for f in trace]


def test_a_point_where_a_function_has_an_irrational_value_is_declined_before_any_series():
    # atan(x) - pi/4 - (x - 1)/2 names x = 1 (SymPy spells it x/2 - 1/2 among the sum's terms), where
    # atan is pi/4: SymPy's series of atan(1 + u) runs for minutes and its coefficients are irrational
    expr = sympy.atan(x) - sympy.pi / 4 - (x - 1) / 2
    node = lower(expr).outputs[0]
    assert taylor._named_points(node) == [1]
    u = symbol(taylor._SHIFTED)
    assert not taylor._rational_at_zero(ops.ATAN(u + 1), taylor._SHIFTED)
    assert taylor._rational_at_zero(ops.LOG1P(u) + ops.EXP(u) + ops.TAN(u), taylor._SHIFTED)
    assert taylor._taylor_at(node, 1) is None


def test_a_users_piecewise_whose_pieces_differ_in_the_window_is_not_read_as_one_piece():
    # near 0 the first piece cancels, but from x = 1/2 on the user asked for 0: a polynomial of the first
    # piece over a window past 1/2 would be a wrong number there
    expr = sympy.Piecewise((sympy.sin(x) - x + x**3 / 6, x < sympy.Rational(1, 2)), (0, True))
    f = sg.compile(x, expr)
    xs = np.array([0.6, 1.0, 2.5, 7.0])
    assert np.all(f(xs) == 0.0), f(xs)
    assert taylor._taylor(lower(expr).outputs[0]) is None
