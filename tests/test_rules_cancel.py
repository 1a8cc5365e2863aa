"""symgraph.rules.cancel: quotients whose numerator and denominator share a factor are put in lowest
terms, and two values of one function with cancelling coefficients are regrouped: each rule fires on its example, is an identity at 50 digits (hypothesis and boundary points), its
compiled form is within a few ulps of the exact typed formula (float64 and float32); the typed difference
quotients and NMSE 6.1 A lose the digits the rewritten ones keep, NaN stays where a cancelled factor is 0,
and quotients with no common factor and sums with no cancelling coefficients are left as typed."""
import math

import mpmath
import numpy as np
import sympy

import symgraph as sg
from rulecheck import Case, X, Y, bits_against_mpmath, rule_tests
from symgraph import ops
from symgraph.reference import bits_of_error
from symgraph.rules import cancel

CASES = [
    Case("common-factor-quotient", lambda x, y, p, r: (1 / (x + y) - 1 / x) / y, {}, 2.5, limits=True),
    Case("common-factor-quotient", lambda x, y, p, r: (x * x - 1) / (x - 1), {}, 1.5, limits=True),
    # positive: at the pole x = -y the typed 1/(y^2 - x^2) is 1/(+0) and the sign of its inf is arbitrary
    Case("common-factor-product", lambda x, y, p, r: (1 / (y * y - x * x)) * (1 / x - 1 / y),
         {X: (0.0, math.inf), Y: (0.0, math.inf)}, 3.0, limits=True),
    # Toniolo and Linder's radicand (x + 1)/(x - 1) (y^2 + 2p^2) - y^2 (the y^2 x parts cancel), and a sum
    # ending in an addition, (x + 1)/(x - 1) y + (1 - x)/(x + 1) y = 4xy/((x - 1)(x + 1))
    Case("cancelling-sum", lambda x, y, p, r: (x + 1) / (x - 1) * (y * y + 2 * (p * p)) - y * y, {}, 3.0,
         limits=True),
    Case("cancelling-sum-plus", lambda x, y, p, r: (x + 1) / (x - 1) * y + (1 - x) / (x + 1) * y, {}, 3.0,
         limits=True),
    Case("cancelling-coefficients", lambda x, y, p, r: (1 + 1 / y) * ops.EXP(x + y) - (1 / y - 1) * ops.EXP(x - y),
         {X: (-50, 50), Y: (-5, 5)}, 3.0, limits=True),
    Case("cancelling-coefficients-sum", lambda x, y, p, r: (1 / y + 1) * ops.EXP(x + y) + (1 - 1 / y) * ops.EXP(x),
         {X: (-50, 50), Y: (-5, 5)}, 3.0, limits=True),
]
IDS = [f"{c.rule}-{i}" for i, c in enumerate(CASES)]


def test_every_rule_of_the_module_has_a_case():
    assert {r.name for r in cancel.RULES} == {c.rule for c in CASES}


test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \
    rule_tests(CASES, IDS, dtypes=(np.float64, np.float32))

x, h = X.attr, Y.attr
a, b = sympy.symbols("a b")


def _fired(f):
    return [s.rule for s in f.trace if s.rule in {r.name for r in cancel.RULES}]


EXPRS = [(1 / (x + h) - 1 / x) / h,                                   # the difference quotient of 1/x
         (1 / (x + h)**2 - 1 / x**2) / h,                             # of 1/x^2
         sympy.pi / 2 * (1 / (h * h - x * x)) * (1 / x - 1 / h)]      # Hamming's NMSE 6.1 B (a = x, b = h)
NEAR = [False, False, True]  # the step h (small), or b (near a)


def test_difference_quotients_keep_the_digits_the_typed_ones_lose():
    # typed, the difference of the reciprocals cancels (x/h ulps: 20+ bits at h = 1e-7 x), and so do
    # b^2 - a^2 and 1/a - 1/b for b near a; in lowest terms nothing cancels
    f, typed = sg.compile([x, h], EXPRS), sg.compile([x, h], EXPRS, rewrite=False)
    assert _fired(f).count("common-factor-quotient") == len(EXPRS)  # (SymPy writes NMSE 6.1 B as a quotient)
    xs = np.array([1.0, 1.7, 3.25, 7.5, 12.0, 0.3])
    for dtype, scale in ((np.float64, 1e-7), (np.float32, 1e-3)):
        u = xs.astype(dtype)
        step = (u * np.array([1.0, -2.0, 3.0, 0.5, -1.5, 4.0]) * dtype(scale)).astype(dtype)
        for k, expr in enumerate(EXPRS):
            v = (u + step).astype(dtype) if NEAR[k] else step
            got, bad = f(u, v)[k], typed(u, v)[k]
            fn = sympy.lambdify([x, h], expr, "mpmath")
            with mpmath.workdps(60):
                want = [fn(mpmath.mpf(float(p)), mpmath.mpf(float(q))) for p, q in zip(u, v)]
            assert max(bits_of_error(g, w, dtype) for g, w in zip(got, want)) <= 2.0, (expr, dtype)
            assert max(bits_of_error(t, w, dtype) for t, w in zip(bad, want)) > 8, (expr, dtype)


def test_nan_stays_where_a_cancelled_factor_is_zero():
    # h = 0 and a = b: 0/0 typed, a finite limit in lowest terms; the formula is undefined there
    f = sg.compile([x, h], EXPRS)
    out = f(np.array([2.0, 3.0, 1.5]), np.array([0.0, 3.0, -0.0]))
    assert math.isnan(out[0][0]) and math.isnan(out[0][2]) and math.isnan(out[1][0])
    assert math.isnan(out[2][1]) and np.isfinite(out[0][1]) and np.isfinite(out[1][1])


def test_quotients_without_a_common_factor_are_left_as_typed():
    for expr in ((1 / x - 1 / h) / (x + h), x / (x + 1), (x**2 + 1) / (x - 1), (x - h) / (x + h) * (1 / x + 1),
                 (sympy.exp(x) - 1) / x):
        assert _fired(sg.compile([x, h], expr)) == [], expr


def test_cancelling_coefficients_keep_the_digits_the_typed_sum_loses():
    # Hamming's NMSE 6.1 A: for small e the coefficients are +-1/e and the typed terms cancel to order 1
    # (log2(1/e) bits lost); regrouped, (e^u - e^v)/e is e^v expm1(2 e x)/e and nothing cancels
    e = sympy.Symbol("e")
    expr = ((1 + 1 / e) * sympy.exp(-(1 - e) * x) - (1 / e - 1) * sympy.exp(-(1 + e) * x)) / 2
    f, typed = sg.compile([x, e], expr), sg.compile([x, e], expr, rewrite=False)
    assert "cancelling-coefficients" in _fired(f) or "cancelling-coefficients-sum" in _fired(f)
    xs = np.array([0.1, 0.5, 1.0, 2.5, 7.0, 10.0])
    for dtype, es in ((np.float64, [1e-8, -3e-7, 2e-6, 1e-5, -4e-8, 5e-7]), (np.float32, [1e-4, -3e-4, 2e-4, 1e-3, -4e-4, 5e-5])):
        u, v = xs.astype(dtype), np.array(es, dtype)
        fn = sympy.lambdify([x, e], expr, "mpmath")
        with mpmath.workdps(60):
            want = [fn(mpmath.mpf(float(p)), mpmath.mpf(float(q))) for p, q in zip(u, v)]
        assert max(bits_of_error(g, w, dtype) for g, w in zip(f(u, v), want)) <= 2.0, dtype
        assert max(bits_of_error(g, w, dtype) for g, w in zip(typed(u, v), want)) > 8, dtype


def test_sums_without_cancelling_coefficients_are_left_as_typed():
    y = sympy.Symbol("w")
    for expr in (x * sympy.exp(y) + h * sympy.exp(x),               # nothing cancels between x and h
                 (1 + x) * sympy.exp(y) - 2 * sympy.exp(h),          # a constant coefficient
                 (x + 1) * sympy.exp(y) - (x - 1) * sympy.sin(h),    # two functions
                 (x + 1) * sympy.exp(y) - (x + 1) * sympy.exp(h)):   # one common factor: common-factor's
        assert _fired(sg.compile([x, y, h], expr)) == [], expr


def test_sums_whose_terms_cancel_keep_their_digits():
    # (x + 1)/(x - 1) (l^2 + 2t^2) - l^2 for large x: the typed terms are both ~l^2 and their difference
    # 2(l^2 + t^2 (x + 1))/(x - 1) small against them; in lowest terms nothing cancels
    l, t = a, b
    expr = (x + 1) / (x - 1) * (l**2 + 2 * t**2) - l**2
    f, typed = sg.compile([x, l, t], expr), sg.compile([x, l, t], expr, rewrite=False)
    assert "cancelling-sum" in _fired(f)
    rng = np.random.default_rng(5)
    xs, ls, ts = 10.0 ** rng.uniform(6, 9, 200), rng.uniform(1, 10, 200), rng.uniform(0.01, 0.1, 200)
    ok, lost = bits_against_mpmath(expr, [x, l, t], [xs, ls, ts], f, typed)
    assert max(ok) <= 2.0
    assert np.mean(lost) > 8


def test_sums_whose_terms_do_not_cancel_are_left_alone():
    # (-(x h + 5/2) + 1/(x + 3): over x + 3 its numbers -15/2 and 1 only partly cancel: no sign of it)
    for expr in (x / h + h / x, x / h - h / (x + 1), x / (x + h) + h / (x + 1),
                 (x + 1) / (x - 1) - 2 * x,  # (one input: rules/fractions.py's)
                 -x * h - sympy.Rational(5, 2) + 1 / (x + 3)):
        f = sg.compile([x, h], expr)
        assert "cancelling-sum" not in _fired(f) and "cancelling-sum-plus" not in _fired(f), expr


def test_shared_factors_that_no_typed_sum_cancels_are_left_as_typed():
    # Kahan's (1 + u^2)/(2 + u^2), u = 2t/(1 + t): numerator and denominator share (1 + t)^2, but no sum
    # subtracts (its factor has one sign, its sums add): the typed quotient is well conditioned in u (0.23
    # bits), the rational function of t rounded more (0.31)
    t = x
    u = 2 * t / (1 + t)
    for expr in ((1 + u**2) / (2 + u**2), (x / (x + 1) + h) / (1 / (x + 1) + h)):
        assert "common-factor-quotient" not in _fired(sg.compile([x, h], expr)), expr
