"""symgraph.rules.fractions: sums of fractions of one value that cancel for large values, or near a root of their
sum that float64 holds exactly, are put over their common denominator; the rewrite holds at 50 digits, is
accurate in float64 and float32, and leaves sums alone where nothing cancels."""
import mpmath
import numpy as np
import sympy

import symgraph as sg
from rulecheck import X_SYM, Y_SYM, Case, X, bits_against_mpmath, compile_cases, optimized, rule_tests
from symgraph import ops
from symgraph.ir import const
from symgraph.reference import bits_of_error, exact

# bits: the numerator's and the factors' roundings (x - 1 and x + 1 each round once) and one per division:
# up to 5 half-ulps for three factors, 2.5 ulps (1.8 bits)
CASES = [
    Case("common-denominator", lambda x, y, p, r: (1 / (x + 1) + 1 / (x - 1)) - 2 / x, {}, 2.0),
    Case("common-denominator", lambda x, y, p, r: x - (x * x) / (x + 1), {}, 2.0, limits=True),
    Case("common-denominator", lambda x, y, p, r: 2 / (x + 3) - 2 / (x - 3), {}, 2.0),
    Case("common-denominator", lambda x, y, p, r: 2 / ((x + 1) * (x + 1)) - 2 / (x * x), {}, 2.5),
    Case("common-denominator-sum", lambda x, y, p, r: (1 / (x + 1) + 1 / (x - 1)) + (-2) / x, {}, 2.0),
    Case("common-denominator-sum", lambda x, y, p, r: ops.ADD(x / (x + 1), const(-1)), {}, 1.0, limits=True),
    # cancellation near a root: 2 - 2/(1 + x) = 2x/(1 + x) at 0, (1 + x)/(2 - x) - 2 = 3(x - 1)/(2 - x) at 1
    # (x/y - 1 itself is stability's quotient-minus-one),
    # 1/(x + 1) - 2/x = -(x + 2)/(x (x + 1)) at -2, x/(x + 1) - 1/2 = (x - 1)/(2 (x + 1)) at 1
    Case("common-denominator", lambda x, y, p, r: 2 - 2 / (1 + x), {}, 1.5),
    Case("common-denominator", lambda x, y, p, r: (1 + x) / (2 - x) - 2, {}, 2.0),  # 4 roundings
    Case("common-denominator", lambda x, y, p, r: 1 / (x + 1) - 2 / x, {}, 2.0),
    Case("common-denominator", lambda x, y, p, r: x / (x + 1) - const(sympy.Rational(1, 2)), {}, 1.5),
    Case("common-denominator", lambda x, y, p, r: (x * x + 1) / (x - 1) - (x + 3), {}, 2.0, limits=True),
    # a polynomial with a double root: (x - 1)^2, and x^3 - x = x (x - 1)(x + 1)
    Case("common-denominator-sum", lambda x, y, p, r: x * x - 2 * x + 1, {}, 1.5, limits=True),
    Case("common-denominator", lambda x, y, p, r: x * x * x - x, {}, 2.0, limits=True),
    # two quotients by one denominator: (x - y)/(y + 1), x - y exact near x = y; the sum for x ~ -y
    Case("shared-denominator", lambda x, y, p, r: x / (y + 1) - y / (y + 1), {}, 2.0),
    Case("shared-denominator-sum", lambda x, y, p, r: x / p + y / p, {}, 1.5),
    # quotients whose typed terms overflow before the result does: x/(1 + x)^2 (1/x far out), x^2/(x^4 + x + 1),
    # (x^2 + 1)/(x^2 - 2) (inf/inf from 1.3e154), x^3/(x^2 + 1); at infinite x the far form is the limit
    Case("quotient-beyond-overflow", lambda x, y, p, r: x / ((1 + x) * (1 + x)), {}, 2.0, limits=True),
    Case("quotient-beyond-overflow", lambda x, y, p, r: (x * x) / (x * x * (x * x) + x + 1), {}, 2.0, limits=True),
    Case("quotient-beyond-overflow", lambda x, y, p, r: (x * x + 1) / (x * x - 2), {}, 2.0, limits=True),
    Case("quotient-beyond-overflow", lambda x, y, p, r: (x * x * x) / (x * x + 1), {}, 2.0, limits=True),
    Case("quotient-beyond-overflow", lambda x, y, p, r: (x * x * x + 1) / (3 * (x * x * x) - 2), {}, 2.0,
         limits=True),    # x (y + z/x) = x y + z, one fused multiply-add (NaN at x = 0, as typed)
    Case("product-with-reciprocal-term", lambda x, y, p, r: x * (y + 3 / x), {}, 0.0),
    Case("product-with-reciprocal-subtrahend", lambda x, y, p, r: (y - r / x) * x, {}, 0.0),
    Case("product-with-reciprocal-minuend", lambda x, y, p, r: x * (ops.SIN(y) / x - 2), {}, 1.0),
]
IDS = [f"{c.rule}-{i}" for i, c in enumerate(CASES)]

test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \
    rule_tests(CASES, IDS, dtypes=(np.float64, np.float32))


def test_three_fractions_become_one_quotient_by_each_factor():
    # 2/x/(x - 1)/(x + 1) in some order of the factors: no sum but the factors' own
    node, _ = optimized(CASES[0])
    divisors = []
    while node.op is ops.DIV:
        node, divisor = node.args
        divisors.append(divisor)
    assert node is const(2) and set(divisors) == {X, X - 1, X + 1} and len(divisors) == 3


def test_typed_sum_cancels_and_the_rewrite_does_not():
    # Herbie's 3frac: the typed sum loses every bit beyond x = 1e8; the common denominator keeps them all,
    # also where x^3 would overflow (6e102) and the result is subnormal
    case = CASES[0]
    f = compile_cases([case])
    xs = np.array([1e4, 1e8, 1e12, 1e50, 1e103])
    got = f(xs, *(np.ones_like(xs),) * 3)
    for v, rewritten, typed in zip(xs, got[0], got[1]):
        want = exact(case.node(), {X.attr: float(v)})
        assert bits_of_error(rewritten, want) <= 1.0
        assert bits_of_error(typed, want) > 10
    assert mpmath.mpf(float(got[0][-1])) != 0


def test_sums_that_do_not_cancel_are_left_alone():
    for build in (lambda x: 1 / (x + 1) + 1 / (x * x),        # x^2 + x + 1 over x^2 (x + 1): no real root
                  lambda x: 1 / (x + 3) + 2 / (x + 3),          # 3/(x + 3): the terms never cancel
                  lambda x: 1 / (x + 1) - 1 / (4 * x),          # cancels at 1/3, which no float is
                  lambda x: ops.ADD(x * x, 2 * x, const(3)),    # a polynomial without real roots
                  lambda x: 3 * x - const(1),                   # a x + b: nothing to factor
                  lambda x: 1 / (x + 1) - 1 / (ops.SIN(x) + 1),  # two leaves
                  # terms of one sign: 1/2 + 1/(2s) cancels at s = -1, which a square root never is, and
                  # (1 + s)/(2s) would round 1 + s fully where the typed 1/(2s) is small against 1/2
                  lambda x: const(sympy.Rational(1, 2)) + 1 / (2 * ops.SQRT(x)),
                  lambda x: 1 / (ops.ABS(x) + 1) - const(-2)):
        _, fired = optimized(Case("common-denominator", lambda x, y, p, r, b=build: b(x)))
        assert "common-denominator" not in fired and "common-denominator-sum" not in fired


def test_irreducible_denominators_are_left_alone():
    # 1/(x^2 + 1) - 1/x^2 = -1/(x^2 (x^2 + 1)), but x^2 + 1 has no rational root to divide by
    _, fired = optimized(Case("common-denominator", lambda x, y, p, r: 1 / (x * x + 1) - 1 / (x * x)))
    assert "common-denominator" not in fired


def test_float_constants_are_their_binary_values():
    # 0.1 is 3602879701896397/2^55: the shifts combine exactly, the typed sum at that constant is the reference
    c = sympy.Float(0.1)
    case = Case("common-denominator", lambda x, y, p, r: 1 / (x + const(c)) - 1 / (x - const(c)), {}, 1.0)
    f = compile_cases([case])
    xs = np.array([1e3, 1e9, 1e30])
    got = f(xs, *(np.ones_like(xs),) * 3)[0]
    for v, g in zip(xs, got):
        assert bits_of_error(g, exact(case.node(), {X.attr: float(v)})) <= 1.0


def test_cancellation_near_a_root_is_gone():
    # 2 - 2/(1 + x) near 0, 1/(x + 1) - 2/x near -2, x/(x + 1) - 1/2 near 1: the typed sums lose the digits
    # of the distance to the root; over the common denominator its factor is exact
    for case, points in ((CASES[6], [1e-12, -3e-9, 2e-5]), (CASES[8], [-2 + 2**-40, -2 - 3e-9]),
                         (CASES[9], [1 + 2**-52, 1 - 2**-53]), (CASES[11], [1 + 2**-30, 1 - 1e-7]),
                         (CASES[12], [1 + 2**-40, -1 - 1e-10])):
        f = compile_cases([case])
        xs = np.array(points)
        got = f(xs, *(np.ones_like(xs),) * 3)
        for v, rewritten, typed in zip(xs, got[0], got[1]):
            want = exact(case.node(), {X.attr: float(v)})
            assert bits_of_error(rewritten, want) <= 1.0, (case.build, v)
            assert bits_of_error(typed, want) > 10, (case.build, v)


def test_away_from_its_roots_a_sum_of_two_terms_keeps_its_typed_form():
    # x - 1/x, x^3 - x, x - 4/x, x^2 - 1/x cancel only near their roots (+-1, +-2, 1); farther out the typed
    # sum rounds fewer times than the factors (x - 1/x over [1e-3, 1e3]: 0.20 bits typed, 0.33 factored, the
    # window 0.18): factored within the window, where the typed sum loses the digits of the distance to the
    # root, and never worse than typed (on average) over a wide range
    x = X_SYM
    exprs = [x - 1 / x, x**3 - x, x - 4 / x, x**2 - 1 / x, x / 3 - 3 / x]
    f, typed = sg.compile([x], exprs), sg.compile([x], exprs, rewrite=False)
    rng = np.random.default_rng(5)
    wide = np.exp(rng.uniform(np.log(1e-3), np.log(1e3), 400)) * rng.choice([-1.0, 1.0], 400)
    for k, expr in enumerate(exprs):
        ok, base = bits_against_mpmath(expr, [x], [wide], lambda v: f(v)[k], lambda v: typed(v)[k])
        assert np.mean(ok) <= np.mean(base) + 0.02, (expr, np.mean(ok), np.mean(base))
    roots = [1.0, -1.0, 2.0, 1.0, 3.0]
    for k, (expr, root) in enumerate(zip(exprs, roots)):
        xs = root * (1 + np.array([3e-13, -7e-12, -3e-9, 1e-7, 2e-6, -1e-3]))
        ok, lost = bits_against_mpmath(expr, [x], [xs], lambda v: f(v)[k], lambda v: typed(v)[k])
        assert max(ok) <= 2.0 and max(lost) > 8, (expr, ok, lost)  # (up to three roundings)


def test_expanded_powers_become_powers_of_their_factor():
    # x^3 - 3x^2 + 3x - 1 and (x - 2)^9 expanded (ten terms, degree 9): near the repeated root the typed
    # terms cancel (53 bits lost); factored, (x - r) is exact there and the power rounds once
    for build, root in ((lambda x, y, p, r: x * x * x - 3 * (x * x) + 3 * x - 1, 1.0),
                        (lambda x, y, p, r: ops.ADD(*(const(sympy.binomial(9, k) * (-2) ** (9 - k)) * x ** k
                                                    for k in range(10))), 2.0)):
        case = Case("common-denominator", build)
        new, fired = optimized(case)
        assert "common-denominator" in fired or "common-denominator-sum" in fired
        f = compile_cases([case])
        xs = np.array([root + 2**-30, root - 3e-6, root + 1e-3])
        got = f(xs, *(np.ones_like(xs),) * 3)
        for v, rewritten, typed in zip(xs, got[0], got[1]):
            want = exact(case.node(), {X.attr: float(v)})
            assert bits_of_error(rewritten, want) <= 1.0, (v, rewritten, want)
            assert bits_of_error(typed, want) > 10, (v, typed, want)


def test_quotients_stay_finite_where_their_typed_terms_overflow():
    # float64 overflows x^2 from 1.3e154 and x^4 from 1.2e77; float32 from 1.8e19 and 4.3e9
    cases = [c for c in CASES if c.rule == "quotient-beyond-overflow"]
    f = compile_cases(cases)
    for dtype, points in ((np.float64, [1e80, -3e160, 1e200, 1.7e308]), (np.float32, [5e9, -3e19, 1e30, 3e38])):
        xs = np.array(points, dtype)
        with np.errstate(all="ignore"):
            got = f(xs, *(np.ones_like(xs),) * 3)
        for k, case in enumerate(cases):
            for v, rewritten, typed in zip(xs, got[k], got[len(cases) + k]):
                want = exact(case.node(), {X.attr: float(v)})
                assert bits_of_error(rewritten, want, dtype) <= 2.0, (k, dtype, v, rewritten, want)
            assert any(bits_of_error(t, exact(case.node(), {X.attr: float(v)}), dtype) > 20
                       for v, t in zip(xs, got[len(cases) + k])), (k, dtype)


def test_quotients_whose_result_overflows_with_their_terms_are_left_alone():
    # 1/(x^2 + 1) underflows where x^2 overflows, (x^2 - 1)/3 overflows with x^2, x/(x + 1) has no
    # power; x^2/(x^2 + sin(x)) has two leaves
    for build in (lambda x: 1 / (x * x + 1), lambda x: (x * x - 1) / 3, lambda x: x / (x + 1),
                  lambda x: (x * x) / (x * x + ops.SIN(x))):
        _, fired = optimized(Case("quotient-beyond-overflow", lambda x, y, p, r, b=build: b(x)))
        assert "quotient-beyond-overflow" not in fired, build


def test_quotients_by_one_denominator_cancel_in_their_numerator():
    # x/(y + 1) - y/(y + 1) near x = y: the typed quotients keep only their ulps of the difference, where
    # x - y is exact (Sterbenz)
    x, y = X_SYM, Y_SYM
    expr = x / (y + 1) - y / (y + 1)
    f, typed = sg.compile([x, y], expr), sg.compile([x, y], expr, rewrite=False)
    ys = np.array([0.3, 7.0, 2e5, -0.6, 1e-3])
    xs = ys * (1 + np.array([1e-12, -3e-10, 2e-9, 1e-11, -5e-12]))
    ok, lost = bits_against_mpmath(expr, [x, y], [xs, ys], f, typed)
    assert max(ok) <= 1.5 and max(lost) > 15, (ok, lost)
    # where x - y overflows, the halves: finite wherever the typed result is
    with np.errstate(all="ignore"):
        got = f(np.array([1.5e308, -1.7e308]), np.array([-1.5e308, 1.7e308]))
    assert np.all(np.isfinite(got)) and np.allclose(got, [-2.0, -2.0]), got


def test_quotients_by_one_denominator_of_known_opposite_signs_stay_as_typed():
    # nothing cancels: the typed form's two roundings of same-signed terms are as accurate
    _, fired = optimized(Case("shared-denominator", lambda x, y, p, r: p / (x + 1) - (-p) / (x + 1)))
    assert "shared-denominator" not in fired


def test_a_product_with_a_reciprocal_term_is_nan_at_zero_and_infinite_at_infinity_as_typed():
    x = sympy.Symbol("x")
    expr = x * (4 + 3 / x)
    f, typed = sg.compile([x], expr), sg.compile([x], expr, rewrite=False)
    v = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-320, -0.75, 2.0])
    with np.errstate(all="ignore"):
        got, want = f(v), typed(v)
    assert np.array_equal(got[:5], want[:5], equal_nan=True) and np.isnan(got[0])
    # 3/1e-320 overflows in the typed form; -0.75 is its root, where the typed sum rounds 3/x first
    assert got[5] == 3.0 and want[5] == np.inf
    assert got[6] == 0.0 and got[7] == 11.0
