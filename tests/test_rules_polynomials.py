"""symgraph.rules.polynomials: sums of three or more terms in two or three values whose expanded terms
cancel are factored (x**2 - 2*x*y + y**2 is (x - y)**2); the rewrite is an identity at 50 digits and the
compiled result is accurate (tests/rulecheck.py); sums whose factors would not remove a cancellation, or
that are too big, are left to the other rules without asking SymPy; polynomials of one value are summed
from the highest degree down."""
import math

import mpmath
import numpy as np
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import symgraph as sg
from symgraph import ops
from symgraph.ir import const
from symgraph.rules import polynomials

from rulecheck import Case, X, Y, optimized, rule_tests
from symgraph.reference import bits_of_error, exact

CASES = [
    # x - y rounds where the values are not close, and the square doubles that: 1.5 ulps
    Case("factored-polynomial-difference", lambda x, y, p, r: x * x + y * y + const(-2) * x * y, {}, 2.0),
    Case("factored-polynomial", lambda x, y, p, r: (x * x - x * y) + (y * y - x * y), {}, 2.0),
    Case("root-of-square-polynomial", lambda x, y, p, r: ops.SQRT(x * x + y * y + const(2) * x * y), {}, 2.0,
         limits=True),
    Case("root-of-square-polynomial", lambda x, y, p, r: ops.SQRT(const(4) * x * x - const(4) * x + 1), {}, 2.0,
         limits=True),
    Case("factored-polynomial-difference",
         lambda x, y, p, r: x * x * x - const(3) * x * x * y + const(3) * x * y * y - y * y * y, {}, 2.5),
    Case("factored-polynomial-difference", lambda x, y, p, r: x * x * y + y * y * y - const(2) * x * y * y, {}, 2.5),
    # sin's Taylor polynomial as SymPy's Add lowers it, positive terms apart from negative ones; checked
    # point by point where it approximates sin (beyond, near its roots at +-3.4 and +-4.2, the terms cancel
    # and either order may be the luckier at a point: the mean is checked below)
    Case("sum-order", lambda x, y, p, r: (x + ops.POW(x, const(5)) / 120)
         - (ops.POW(x, const(3)) / 6 + ops.POW(x, const(7)) / 5040), {X: (-1.6, 1.6)}, 2.0),
    # a negative coefficient as a factor (canonicalize makes it a difference)
    Case("sum-order", lambda x, y, p, r: ops.ADD(
        const(1), x / 2, ops.POW(x, const(3)) / 16, ops.MUL(const(sympy.Rational(-1, 8)), x, x)), {X: (-1, 1)}, 2.0),
]
IDS = [f"{c.rule}-{i}" for i, c in enumerate(CASES)]


def test_every_rule_of_the_module_has_a_case():
    assert {r.name for r in polynomials.RULES} == {c.rule for c in CASES}


test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \
    rule_tests(CASES, IDS, dtypes=(np.float64, np.float32))


def test_sums_without_a_cancelling_factor_are_left_alone():
    for build in (lambda: X * X + Y * Y + X * Y,          # irreducible
                  lambda: X * X + const(2) * X * Y + Y * Y,  # (x + y)^2: every coefficient positive
                  lambda: X * X - Y + X):                    # degree 2 but nothing to factor
        graph_node = build()
        case = Case("factored-polynomial", lambda x, y, p, r, b=build: b())
        assert not {"factored-polynomial", "factored-polynomial-difference"} & set(optimized(case)[1]), graph_node


def test_near_equal_values_are_exact():
    x, y = sympy.symbols("x y")
    f = sg.compile([x, y], x**2 - 2 * x * y + y**2)
    xs = np.array([1.0, 1e3, 3.0])
    ys = xs * (1 + np.array([1e-12, -3e-10, 2e-8]))
    exact = [(sympy.Rational(a) - sympy.Rational(b)) ** 2 for a, b in zip(xs, ys)]
    np.testing.assert_allclose(f(xs, ys), [float(e) for e in exact], rtol=4e-16)
    assert any(n.op is ops.SELECT for n in f.graph.nodes)


def test_polynomials_of_one_value_are_summed_from_the_highest_degree():
    # sin's Taylor polynomial and sqrt(1 + x)'s: summed as SymPy prints them (lambdify's order) the small
    # terms gather first; positive terms apart from negative ones (the rule switched off), the partial
    # sums cancel and cost a quarter of a bit on average
    x = sympy.Symbol("x")
    sine = x - x**3 / 6 + x**5 / 120 - x**7 / 5040
    cases = [(sine, np.linspace(-1.57, 1.57, 2001)), (sine, np.linspace(-4, 4, 2001)),
             (1 + x / 2 - x**2 / 8 + x**3 / 16 - sympy.Rational(5, 128) * x**4, np.linspace(0, 1, 2001))]
    horner = {"compensated-horner"}  # (exact near the roots: this test is sum-order's)
    off, on = sg.Options(disable_rules={"sum-order"} | horner), sg.Options(disable_rules=horner)
    for expr, points in cases:
        fn = sympy.lambdify([x], expr, "mpmath")
        with mpmath.workdps(40):
            exact = [fn(mpmath.mpf(v)) for v in points]
        def bits(f):
            return np.mean([np.log2(1 + abs(float(g) - float(e)) / np.spacing(abs(float(e))))
                            for g, e in zip(f(points), exact)])
        ordered, grouped = bits(sg.compile(x, expr, rewrite=on)), bits(sg.compile(x, expr, rewrite=off))
        typed = bits(sympy.lambdify([x], expr, "numpy"))
        assert ordered <= typed + 0.02 and grouped > ordered + 0.1, (expr, points[0], ordered, grouped, typed)


def test_a_factored_pair_inside_a_sum_is_ordered_as_its_terms():
    # 2x - x/y + 2y lowers as (2x + 2y) - x/y; common-factor-sum makes the inner sum 2 (x + y) first
    # (bottom-up), and sum-order reads that select as 2x + 2y: summed in SymPy's order, as lambdify does
    # (0.34 mean bits as 2 (x + y) - x/y, 0.23 this way)
    x, y = sympy.symbols("x y")
    expr = 2 * x - x / y + 2 * y
    f = sg.compile([x, y], expr)
    assert "sum-order" in [t.rule for t in f.trace]
    rng = np.random.default_rng(29)
    xs, ys = rng.uniform(0.1, 10, 2000), rng.uniform(0.1, 10, 2000)
    fn = sympy.lambdify([x, y], expr, "mpmath")
    with mpmath.workdps(40):
        want = np.array([float(fn(mpmath.mpf(a), mpmath.mpf(b))) for a, b in zip(xs, ys)])
    ours = np.mean(bits_of_error(f(xs, ys), want))
    lam = np.mean(bits_of_error(sympy.lambdify([x, y], expr, "numpy")(xs, ys), want))
    assert ours <= lam + 0.02, (ours, lam)


def test_variances_are_sums_of_squared_differences():
    # E[x^2] - E[x]^2 of three and four samples near 1000: typed, the squares (1e6) round before they
    # cancel to a variance of ~0.1 (20+ bits lost); as sums of (x_i - x_j)^2 the differences are exact
    x, y, z, w = sympy.symbols("x y z w")
    exprs = [(x**2 + y**2 + z**2) / 3 - ((x + y + z) / 3)**2,
             (x**2 + y**2 + z**2 + w**2) / 4 - ((x + y + z + w) / 4)**2]
    f, typed = sg.compile([x, y, z, w], exprs), sg.compile([x, y, z, w], exprs, rewrite=False)
    rng = np.random.default_rng(3)
    columns = [1000 + rng.uniform(0, 1, 200) for _ in range(4)]
    for k, expr in enumerate(exprs):
        fn = sympy.lambdify([x, y, z, w], expr, "mpmath")
        with mpmath.workdps(40):
            want = np.array([float(fn(*map(mpmath.mpf, point))) for point in zip(*columns)])
        got, naive = f(*columns)[k], typed(*columns)[k]
        assert np.max(np.abs(got - want) / np.spacing(want)) <= 4, expr
        assert np.median(np.abs(naive - want) / np.spacing(want)) > 1e4, expr


@settings(max_examples=40, deadline=None, database=None)
@given(st.lists(st.one_of(st.floats(-1e6, 1e6), st.sampled_from([0.0, 1e300, -1e300, 1e-300, math.inf, math.nan])),
                min_size=4, max_size=4))
def test_sums_of_squared_differences_are_identities_at_50_digits(values):
    # rulecheck's boundary grid takes two values; the variances take three and four
    x, y, z, w = sympy.symbols("x y z w")
    for expr in [(x**2 + y**2 + z**2) / 3 - ((x + y + z) / 3)**2, x*x + y*y + z*z + w*w - x*y - y*z - z*w - w*x]:
        typed = sg.lower(expr).outputs[0]
        rewritten = sg.compile([x, y, z, w], expr).graph.outputs[0]
        assert any(n.op is ops.SELECT for n in sg.compile([x, y, z, w], expr).graph.nodes)
        env = dict(zip((x, y, z, w), values))
        a, b = exact(typed, env, dps=50), exact(rewritten, env, dps=50)
        assert (mpmath.isnan(a) and mpmath.isnan(b)) or a == b or abs(a - b) <= 1e-30 * max(abs(a), abs(b)), (expr, env)


def test_polynomials_of_one_value_near_their_roots_are_compensated():
    # no rational factor to take out: typed (and in Horner's form) the terms cancel near the real roots and
    # keep cond(p, x) ulps; compensated Horner is as accurate as twice the precision, then rounded
    x = sympy.Symbol("x")
    cases = [(x**3 + 2 * x**2 + 3 * x + 4, -1.6506291914393882),
             (x**4 - 10 * x**2 + 1, 0.31783724519578224), (x**4 - 10 * x**2 + 1, -3.1462643699419726),
             # a coefficient that does not round exactly (two 24-bit parts in the sum, the rest an error term)
             (2 * x**3 - 3 * x + sympy.Rational(1, 3), 0.11204895858782261),
             # powers past x**4, as typed
             (x**8 - 3 * x**5 + x**2 - 7, -1.0679486350478445),
             # partial sums with rational roots (x**2 - 3x at 3, x**3 + x**2 - 2x at 1 and -2) that a rule factors
             # near those, and a constant that the select's branches then take: one polynomial, compensated
             # whole (15 to 19 bits before)
             (x**2 + x - 3, 1.3027756377319946), (x**2 - 3 * x + 1, 2.618033988749895),
             (x**3 + x**2 - 2 * x - 1, 1.246979603717467), (x**3 + x**2 - 2 * x - 1, -1.8019377358048383),
             (x**3 - 3 * x + 1, 0.34729635533386066),
             # a numerator (18 bits before: numerators were left to quotient-beyond-overflow)
             ((x**3 - 3 * x + 1) / (x - 2), 0.34729635533386066)]
    exprs = [e for e, _ in cases]
    f, typed = sg.compile(x, exprs), sg.compile(x, exprs, rewrite=False)
    for k, (expr, root) in enumerate(cases):
        points = root * (1 + np.array([1e-15, -3e-13, 1e-10, -1e-7, 1e-4]))
        fn = sympy.lambdify([x], expr, "mpmath")
        with mpmath.workdps(60):
            want = [fn(mpmath.mpf(float(v))) for v in points]
        ours = [bits_of_error(g, w) for g, w in zip(f(points)[k], want)]
        theirs = [bits_of_error(t, w) for t, w in zip(typed(points)[k], want)]
        assert max(ours) <= 1.0 and max(theirs) > 8, (expr, ours, theirs)
        # float32: the same kernel's float32 variant (its FMA and TwoSum in float32)
        points32 = np.float32(root) * (1 + np.array([1e-7, -3e-6, 1e-4, -1e-2], np.float32))
        with mpmath.workdps(60):
            want32 = [fn(mpmath.mpf(float(v))) for v in points32]
        ours32 = [bits_of_error(g, w, np.float32) for g, w in zip(f(points32)[k], want32)]
        assert max(ours32) <= 1.0, (expr, ours32)
    assert "compensated-horner" in [firing.rule for firing in f.trace]


def test_compensated_horner_takes_whole_sums_only_and_can_be_switched_off():
    x = sympy.Symbol("x")
    p = x**3 + 2 * x**2 + 3 * x + 4
    def fired(expr, options=True):
        return [firing.rule for firing in sg.compile(x, expr, rewrite=options).trace].count("compensated-horner")
    assert fired(p) == 1 and fired(2 * sympy.sin(p)) == 1  # one firing: not again on a partial sum
    # a numerator or denominator too (cancelling near a root as much as a sum does): specialize's
    # quotient-beyond-overflow reads the compensated sum as the polynomial it is
    assert fired(1 / p) == 1
    q = sg.compile(x, (x**2 + x - 3) / (x**2 + 1))
    assert {"compensated-horner", "quotient-beyond-overflow"} <= {firing.rule for firing in q.trace}
    assert fired(x**2 + x + 1) == 0  # no real root: nothing cancels much, and Horner's form costs 2-3x
    assert fired(p, sg.Options(disable_phases={"horner"})) == 0
    assert fired(p, sg.Options(disable_rules={"compensated-horner"})) == 0
    # past the steps' overflow the typed sum (inf at 1e300; at -1e300 the typed -inf + inf is NaN)
    f, typed = sg.compile(x, p), sg.compile(x, p, rewrite=False)
    far = np.array([1e300, -1e300, 1e120])
    np.testing.assert_array_equal(f(far), typed(far))
    assert f(far)[0] == np.inf


def test_roots_of_squares_keep_their_digits():
    # sqrt(x**2 - 2*x*y + y**2) near x = y and sqrt(x**2 + 2*x*y + y**2) near x = -y: typed, the radicand
    # cancels to its terms' roundings (22 bits lost at |x - y| ~ 1e-4); |x - y| is exact there; past the
    # squares' overflow the typed root is inf, |x + y| is not
    x, y = X.attr, Y.attr
    exprs = [sympy.sqrt(x**2 - 2 * x * y + y**2), sympy.sqrt(x**2 + 2 * x * y + y**2)]
    f, typed = sg.compile([x, y], exprs), sg.compile([x, y], exprs, rewrite=False)
    xs = np.array([1.0, 1.5, 3.0, 1e200, -2.0, 7.0])
    gaps = np.array([1e-4, 3e-6, 2e-9, 1e190, 5e-5, 1e-7])
    for k, (a, b) in enumerate(((xs, xs + gaps), (xs, -xs + gaps))):
        fn = sympy.lambdify([x, y], exprs[k], "mpmath")
        with mpmath.workdps(60):
            want = [fn(mpmath.mpf(float(u)), mpmath.mpf(float(v))) for u, v in zip(a, b)]
        assert max(bits_of_error(g, w) for g, w in zip(f(a, b)[k], want)) <= 1.0, exprs[k]
        assert max(bits_of_error(t, w) for t, w in zip(typed(a, b)[k], want)) > 20, exprs[k]


def test_sums_of_one_value_that_cancel_to_a_constant_are_that_constant():
    # x**2 - (x - 1)*(x + 1) and (x + 1)**2 - x**2 - 2*x are 1: typed, the squares' roundings are left
    # (any number of ulps of 1 for large x); a sum that cancels to 0 keeps its typed NaN and inf behaviour,
    # and a part of an n-ary sum is no polynomial left to cancel with the rest ((x + 1)(x - 1) - x^2 + 1)
    x = sympy.Symbol("x")
    exprs = [x**2 - (x - 1) * (x + 1), (x + 1)**2 - x**2 - 2 * x, (x + 1) * (x - 1) - x**2 + 1]
    f, typed = sg.compile(x, exprs), sg.compile(x, exprs, rewrite=False)
    points = np.array([1.5e8 + 0.25, -7.3e9 + 0.5, 2.1e12 + 0.125, 3.3, -12.5])
    got, naive = f(points), typed(points)
    np.testing.assert_array_equal(got[0], np.ones(5))
    np.testing.assert_array_equal(got[1], np.ones(5))
    np.testing.assert_array_equal(got[2], np.zeros(5))
    assert (naive[0] != 1).any() and (naive[1] != 1).any()
    assert np.isnan(f(np.array([np.inf]))[2][0])


def test_binomials_with_a_root_are_compensated_near_it():
    # 2 - 6 v^2 (Falkner and Boettcher's quantum walk), 1 - 5 v^2, 3 x^3 - 1: the typed c*v^2 rounds v^2
    # before the sum cancels near the root (10+ bits lost within 1e-6 of it); compensated Horner's form is
    # within an ulp of the exact value
    v = sympy.Symbol("v")
    exprs = [2 - 6 * v**2, 1 - 5 * v**2, 3 * v**3 - 1]
    roots = [1 / np.sqrt(3), 1 / np.sqrt(5), 3 ** (-1 / 3)]
    f, typed = sg.compile(v, exprs), sg.compile(v, exprs, rewrite=False)
    for k, (expr, root) in enumerate(zip(exprs, roots)):
        points = root * (1 + np.array([1e-15, -3e-13, 1e-10, -1e-7, 1e-4]))
        fn = sympy.lambdify([v], expr, "mpmath")
        with mpmath.workdps(60):
            want = [fn(mpmath.mpf(float(p))) for p in points]
        ours = [bits_of_error(g, w) for g, w in zip(f(points)[k], want)]
        theirs = [bits_of_error(t, w) for t, w in zip(typed(points)[k], want)]
        assert max(ours) <= 1.0 and max(theirs) > 8, (expr, ours, theirs)
