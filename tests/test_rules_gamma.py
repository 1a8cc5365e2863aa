"""symgraph.rules.gamma: log(gamma(x)), gamma(p)/gamma(q) and loggamma(p) - loggamma(q) for p - q a constant,
the Poisson log-pmf and the log-beta function; each rule fires, is an identity at 50 digits, its compiled
result is accurate in float64 and float32 (tests/rulecheck.py); where gamma overflows (x > 171.6) or the
loggamma terms cancel, the typed forms lose 10 to 64 bits where the rewritten ones keep all but a bit."""
import math

import mpmath
import numpy as np
import sympy

import symgraph as sg
from symgraph import ops
from symgraph.ir import Graph, const
from symgraph.passes import optimize
from symgraph.reference import bits_of_error
from symgraph.rules import gamma

from rulecheck import Case, X, Y, P, rule_tests

HALF = const(sympy.S.Half)
LN_SQRT_2PI = const(sympy.log(2 * sympy.pi) / 2)
# 1e6 + 1/2 is exact at 50 digits (1e300 + 1/2 would not be); below 0 the typed forms stay (mpmath's gamma
# of large negative numbers is slow). The two-argument cases start at 1e-8: the exact evaluation of a point
# with a 1e-300 in it runs at 650 digits and more, where mpmath's gamma takes a while, at 400 points
BOX = (-10.0, 1e6)
POSITIVE = (1e-8, 1e6)
CASES = [
    Case("log-gamma", lambda x, y, p, r: ops.LOG(ops.GAMMA(x)), {X: BOX}),
    Case("gamma-quotient", lambda x, y, p, r: ops.GAMMA(x + 1) / ops.GAMMA(x), {X: BOX}, limits=True),
    Case("gamma-quotient", lambda x, y, p, r: ops.GAMMA(x) / ops.GAMMA(x + 2), {X: BOX}, limits=True),
    Case("gamma-quotient", lambda x, y, p, r: ops.GAMMA(x + HALF) / ops.GAMMA(x), {X: BOX}, 2.5, limits=True),
    Case("loggamma-difference", lambda x, y, p, r: ops.LOGGAMMA(x + 1) - ops.LOGGAMMA(x), {X: BOX}, limits=True),
    Case("loggamma-difference", lambda x, y, p, r: ops.LOGGAMMA(x) - ops.LOGGAMMA(x + 3), {X: BOX}, limits=True),
    Case("loggamma-difference", lambda x, y, p, r: ops.LOGGAMMA(x + HALF) - ops.LOGGAMMA(x), {X: BOX}, limits=True),
    Case("loggamma-difference", lambda x, y, p, r: ops.LOGGAMMA(x + 12) - ops.LOGGAMMA(x), {X: BOX}, limits=True),
    # k log(lam) - lam - loggamma(k + 1), lam = p > 0
    Case("poisson-log-pmf", lambda x, y, p, r: (x * ops.LOG(p) - p) - ops.LOGGAMMA(x + 1),
         {X: (-10.0, 1e4), P: (1e-8, 1e4)}, 3.0, limits=True),
    # lam**k e^-lam / k! and gamma(a + b)/(gamma(a) gamma(b)) where gamma overflows: exp of the logs' sum
    Case("gamma-product-quotient", lambda x, y, p, r: ops.POW(p, x) * ops.EXP(-p) / ops.GAMMA(x + 1),
         {X: (0.0, 400.0), P: (1e-3, 400.0)}, 2.0),
    Case("gamma-product", lambda x, y, p, r: ops.MUL(ops.GAMMA(x + y), ops.POW(const(sympy.Rational(1, 4)), x),
                                                   1 / ops.GAMMA(y)),
         {X: (1.0, 400.0), Y: (1.0, 400.0)}, 2.0),
    # the binomial log-pmf as gamma-product spells it (k = x, m = y, probability p) and exp of a log-pmf
    Case("binomial-log-pmf", lambda x, y, p, r: ops.ADD(x * ops.LOG(p), y * ops.LOG1P(-p), ops.LOGGAMMA(x + y + 1))
         - ops.ADD(ops.LOGGAMMA(x + 1), ops.LOGGAMMA(y + 1)), {X: (0.0, 1e6), Y: (0.0, 1e6), P: (1e-6, 1.0)}, 3.0),
    # (outside Loader's window the typed branch's floor is loggamma(x + 1)'s own rounding, half an ulp of up
    # to ~200 in exp's argument: up to 64 ulps, 6 bits; at (22.34, 0.001) the typed log(p)'s rounding cancels
    # it by chance, 2.8 bits, where carrying log(p)'s error leaves loggamma's, 5.6; on average over x in
    # [0, 60], p in [1e-3, 1e4] carrying it is better, 3.31 -> 3.09 mean bits)
    Case("exp-of-log-pmf", lambda x, y, p, r: ops.EXP((x * ops.LOG(p) - p) - ops.LOGGAMMA(x + 1)),
         {X: (0.0, 1e4), P: (1e-3, 1e4)}, 6.0),
    Case("log-beta", lambda x, y, p, r: (ops.LOGGAMMA(x) + ops.LOGGAMMA(y)) - ops.LOGGAMMA(x + y),
         {X: POSITIVE, Y: POSITIVE}, 2.5, limits=True),
    # the log of the binomial coefficient, loggamma(n + 1) - loggamma(k + 1) - loggamma(n - k + 1)
    Case("log-binomial", lambda x, y, p, r: ops.LOGGAMMA(x + y + 1) - ops.LOGGAMMA(x + 1) - ops.LOGGAMMA(y + 1),
         {X: (0.0, 1e6), Y: (0.0, 1e6)}, 2.5, limits=True),
    # a Student t density's constant: the loggamma pair among more terms (x > 0, the degrees of freedom)
    Case("loggamma-pair", lambda x, y, p, r: (ops.LOGGAMMA(HALF * x + HALF) - HALF * ops.LOG(x))
         - ops.LOGGAMMA(HALF * x), {X: POSITIVE}, 4.0, limits=True),
    Case("loggamma-pair-sum", lambda x, y, p, r: ops.LOGGAMMA(HALF * x + HALF) + (y - ops.LOGGAMMA(HALF * x)),
         {X: POSITIVE}, 3.0, limits=True),
    # the error of Stirling's formula, typed: x log(x) - x - loggamma(x + 1), and the full formula's,
    # loggamma(x) - ((x - 1/2) log(x) - x + log(2 pi)/2), or with log(2 pi x)/2 (its log of a product split)
    Case("stirling-remainder", lambda x, y, p, r: (x * ops.LOG(x) - x) - ops.LOGGAMMA(x + 1), {X: POSITIVE}, 2.0,
         limits=True),
    Case("stirling-remainder", lambda x, y, p, r: ops.LOGGAMMA(x) - (((x - HALF) * ops.LOG(x) - x) + LN_SQRT_2PI),
         {X: POSITIVE}, 2.0, limits=True),
    Case("stirling-remainder", lambda x, y, p, r: ops.ADD(ops.LOGGAMMA(x + 1), x, -(x * ops.LOG(x)),
                                                        -(ops.LOG(const(2 * sympy.pi) * x) / 2)),
         {X: POSITIVE}, 2.0, limits=True),
    Case("stirling-remainder-sum", lambda x, y, p, r: (ops.LOGGAMMA(x) - (x - HALF) * ops.LOG(x)) + x,
         {X: POSITIVE}, 2.0, limits=True),
]
IDS = [f"{c.rule}-{i}" for i, c in enumerate(CASES)]


def test_every_rule_of_the_module_has_a_case():
    assert {r.name for r in gamma.RULES} == {c.rule for c in CASES}


test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \
    rule_tests(CASES, IDS, dtypes=(np.float64, np.float32))


def test_optimizing_twice_changes_nothing():
    for case in CASES:
        once, _ = optimize(Graph([case.node()]))
        twice, trace = optimize(once)
        assert twice.outputs[0] is once.outputs[0], (case.rule, [f.rule for f in trace])


def test_proven_positive_arguments_need_no_guard():
    p = P.attr
    for expr, want in ((sympy.log(sympy.gamma(p)), sympy.loggamma(p)), (sympy.gamma(p + 1) / sympy.gamma(p), p),
                       (sympy.gamma(p) / sympy.gamma(p + 1), 1 / p)):
        graph, _ = optimize(sg.lower(expr))
        assert graph.to_sympy() == want, graph.to_sympy()


def test_other_sums_and_quotients_are_left_alone():
    x, y = X.attr, Y.attr
    for expr in (sympy.gamma(x) / sympy.gamma(y), sympy.loggamma(x) - sympy.loggamma(2 * x),
                 sympy.loggamma(x) + sympy.loggamma(y) - sympy.loggamma(x + 2 * y),
                 x * sympy.log(y) - y - sympy.loggamma(x + 2), x * sympy.log(y) + y - sympy.loggamma(x + 1)):
        fired = {firing.rule for firing in sg.compile([x, y], expr).trace}
        # (a quotient of gammas of unrelated arguments is still a product past overflow: the log form there)
        assert not fired & {r.name for r in gamma.RULES} - {"gamma-product-quotient"}, expr
    assert "gamma-product-quotient" in {f.rule for f in sg.compile([x, y], sympy.gamma(x) / sympy.gamma(y)).trace}


def test_the_typed_forms_lose_bits_where_the_rewritten_ones_keep_them():
    x, y = X.attr, Y.attr
    rng = np.random.default_rng(5)
    k = rng.integers(30, 100, 60).astype(float)
    lam = k * rng.uniform(0.7, 1.3, 60)
    big = rng.uniform(200, 1000, 60)
    huge = np.exp(rng.uniform(math.log(1e6), math.log(1e12), 60))
    checks = [  # (formula, x, y, mean bits rewritten at most, typed at least)
        (sympy.log(sympy.gamma(x)), big, big, 0.5, 60),
        (sympy.gamma(x + 1) / sympy.gamma(x), big, big, 0.5, 60),
        (sympy.gamma(x + sympy.S.Half) / sympy.gamma(x), big, big, 1.5, 60),
        (sympy.loggamma(x + 1) - sympy.loggamma(x), huge, huge, 0.5, 20),
        (x * sympy.log(y) - y - sympy.loggamma(x + 1), k, lam, 1.0, 3),
        (sympy.loggamma(x) + sympy.loggamma(y) - sympy.loggamma(x + y), huge, big, 1.0, 10),
        # log C(n, k), n ~ 1e6..1e12 not an integer: n - k + 1 rounds, its loggamma magnifies that by log(n)
        (sympy.loggamma(x + 1) - sympy.loggamma(y + 1) - sympy.loggamma(x - y + 1), huge, k / 10, 1.0, 10),
    ]
    exprs = [c[0] for c in checks]
    f, typed = sg.compile([x, y], exprs), sg.compile([x, y], exprs, rewrite=False)
    for i, (expr, xs, ys, ours_at_most, typed_at_least) in enumerate(checks):
        fn = sympy.lambdify([x, y], expr, "mpmath")
        with mpmath.workdps(60):
            want = [fn(mpmath.mpf(a), mpmath.mpf(b)) for a, b in zip(xs, ys)]
        with np.errstate(all="ignore"):
            got, naive = f(xs, ys)[i], typed(xs, ys)[i]
        ours = np.mean([bits_of_error(g, w) for g, w in zip(got, want)])
        theirs = np.mean([bits_of_error(g, w) for g, w in zip(naive, want)])
        assert ours <= ours_at_most and theirs >= typed_at_least, (expr, ours, theirs)


def test_probabilities_past_gammas_overflow_are_numbers_not_nan():
    # Poisson and binomial probabilities and the beta density where gamma overflows (the typed forms are
    # inf/inf or inf*0: NaN); exp turns the absolute error of the exponent into a relative one: Loader's
    # forms for the Poisson and the binomial (2.9 and 6.1 mean bits here, far in the tails, values down to
    # 1e-80 and e^-600; 0.5 and 3.3 near the mode), the beta density the ulps of its logs' sum (11.5)
    lam, k, n, p, a, b, x = sympy.symbols("lam k n p a b x")
    rng = np.random.default_rng(11)
    ks = np.round(rng.uniform(200, 2000, 40))
    ns = np.round(np.exp(rng.uniform(math.log(1100), math.log(1e5), 40)))
    checks = [  # (formula, its arguments, their values, mean bits at most)
        (lam**k * sympy.exp(-lam) / sympy.factorial(k), [lam, k], [ks * rng.uniform(0.7, 1.3, 40), ks], 3.5),
        (sympy.binomial(n, k) * p**k * (1 - p)**(n - k), [n, k, p],
         [ns, np.round(ns * 0.4 + rng.uniform(-20, 20, 40)), rng.uniform(0.35, 0.45, 40)], 7.0),
        (sympy.gamma(a + b) / (sympy.gamma(a) * sympy.gamma(b)) * x**(a - 1) * (1 - x)**(b - 1), [a, b, x],
         [rng.uniform(200, 1000, 40), rng.uniform(200, 1000, 40), rng.uniform(0.3, 0.7, 40)], 13.0),
    ]
    for expr, args, columns, at_most in checks:
        f, typed = sg.compile(args, expr), sg.compile(args, expr, rewrite=False)
        fn = sympy.lambdify(args, expr, "mpmath")
        with mpmath.workdps(60):
            want = [fn(*map(mpmath.mpf, point)) for point in zip(*columns)]
        with np.errstate(all="ignore"):
            got, naive = f(*columns), typed(*columns)
        assert all(w > 0 for w in want) and np.all(np.isfinite(got)) and not np.any(np.isfinite(naive) & (naive > 0))
        assert np.mean([bits_of_error(g, w) for g, w in zip(got, want)]) <= at_most, expr


def test_stirling_remainders_keep_the_digits_their_typed_terms_lose():
    # from x = 1e7 the typed error of Stirling's formula has lost every digit; the remainder keeps them
    x = sympy.Symbol("x", positive=True)
    exprs = [x * sympy.log(x) - x - sympy.loggamma(x + 1),
             sympy.loggamma(x + 1) - (x * sympy.log(x) - x + sympy.log(2 * sympy.pi * x) / 2)]
    f, typed = sg.compile(x, exprs), sg.compile(x, exprs, rewrite=False)
    xs = np.array([1.5, 37.0, 1e4, 1e7, 3e12])
    for k, (got, plain) in enumerate(zip(f(xs), typed(xs))):
        with mpmath.workdps(60):
            if k == 0:
                want = [v * mpmath.log(v) - v - mpmath.loggamma(v + 1) for v in map(mpmath.mpf, xs)]
            else:
                want = [mpmath.loggamma(v + 1) - (v * mpmath.log(v) - v + mpmath.log(2 * mpmath.pi * v) / 2)
                        for v in map(mpmath.mpf, xs)]
        for g, w in zip(got, want):
            assert bits_of_error(g, w) <= 1.5, (k, g, w)
        assert max(bits_of_error(t, w) for t, w in zip(plain, want)) > 20


def test_exp_of_a_users_piecewise_keeps_its_branches():
    # exp-of-log-pmf reads the log-pmf rule's own select(holds, Loader's form, typed sum); a user's Piecewise
    # whose default is a Poisson log-pmf is no such select: both its branches stay
    c, lam, k = sympy.symbols("c lam k")
    log_pmf = k * sympy.log(lam) - lam - sympy.loggamma(k + 1)
    f = sg.compile([c, lam, k], sympy.exp(sympy.Piecewise((c, c > 0), (log_pmf, True))))
    got = f(np.array([2.0, -1.0]), np.array([300.0, 300.0]), np.array([290.0, 290.0]))
    with mpmath.workdps(40):
        want = float(mpmath.exp(290 * mpmath.log(300) - 300 - mpmath.loggamma(291)))
    assert got[0] == math.exp(2.0) and abs(got[1] - want) <= 1e-14 * want


def test_a_users_piecewise_among_the_factors_keeps_its_branches():
    # gamma-product reads its own select(cond, exp(...), typed) as the typed product; a user's Piecewise
    # among the factors (here with a gamma quotient as its default) stays one factor, both branches kept
    c, x, z = sympy.symbols("c x z")
    third = sympy.Rational(1, 3)
    expr = sympy.Piecewise((c, c > 0), (sympy.gamma(x) / sympy.gamma(x + HALF.value), True)) \
        * sympy.gamma(z) / sympy.gamma(z + third)
    got = sg.compile([c, x, z], expr)(np.array([2.0, -1.0]), np.array([5.0, 5.0]), np.array([300.0, 300.0]))
    with mpmath.workdps(40):
        tail = mpmath.gamma(300) / mpmath.gamma(300 + mpmath.mpf(1) / 3)
        want = [float(2 * tail), float(mpmath.gamma(5) / mpmath.gamma(5.5) * tail)]
    assert all(abs(g - w) <= 1e-13 * w for g, w in zip(got, want))
