"""symgraph.rules.compensate: exp and expm1 of a rounded argument become exp_pair/expm1_pair with the
argument's first-order rounding error; the rewrite is an identity in the reals (the error ops mean 0) and
the compiled results are accurate in float64 and float32 (tests/rulecheck.py)."""
import math

import mpmath
import numpy as np
import sympy

import symgraph as sg

from symgraph import ops
from symgraph.stable import SCALED_EXPM1
from symgraph.stable_pow import POW1P
from symgraph.ir import Graph, const
from symgraph.passes import optimize
from symgraph.rules import compensate

from rulecheck import Case, R, X, Y, bits_against_mpmath, rule_tests
from symgraph.reference import bits_of_error

EXP_BOX = {X: (-1e4, 1e4), Y: (-1e4, 1e4)}  # mpmath's exp(1e300) is slow; 1e4 covers every over/underflow

CASES = [
    Case("exp-compensated", lambda x, y, p, r: ops.EXP(-(x * x)), EXP_BOX),
    Case("exp-compensated", lambda x, y, p, r: ops.EXP(x / y), EXP_BOX),
    Case("exp-compensated", lambda x, y, p, r: ops.EXP(const(3) * x - y), EXP_BOX),
    Case("exp-compensated", lambda x, y, p, r: ops.EXP(const(sympy.pi) * x - const(sympy.Rational(1, 3)) * y),
         EXP_BOX),
    Case("expm1-compensated", lambda x, y, p, r: ops.EXPM1(x * y), EXP_BOX),
    # sqrt(u) - c with the root's error (sqrt_error), u's, the difference's and c's added back: one rounding
    Case("root-minus-constant", lambda x, y, p, r: ops.SQRT(x) - 2, {}, 1.0),
    Case("root-minus-constant", lambda x, y, p, r: ops.SQRT(x - y) - const(sympy.pi), {}, 1.0),
    Case("constant-minus-root", lambda x, y, p, r: const(sympy.Rational(3, 2)) - ops.SQRT(x + 1), {}, 1.0),
    # exp(x) - 3 as stability has it: log 3's rounding carried, and the constant's own (log 2 expm1(...))
    Case("scaled-expm1-compensated", lambda x, y, p, r: SCALED_EXPM1(const(3), x - const(sympy.log(3))), EXP_BOX),
    Case("scaled-expm1-compensated",
         lambda x, y, p, r: SCALED_EXPM1(const(sympy.log(2)), x / y - const(sympy.log(sympy.log(2)))), EXP_BOX),
    Case("sigmoid-compensated", lambda x, y, p, r: ops.SIGMOID(x * y), EXP_BOX),
    Case("softplus-compensated", lambda x, y, p, r: ops.SOFTPLUS(x * y), EXP_BOX),
    Case("log_sigmoid-compensated", lambda x, y, p, r: ops.LOG_SIGMOID(x / y), EXP_BOX),
    Case("sinh-compensated", lambda x, y, p, r: ops.SINH(x * y), EXP_BOX),
    Case("cosh-compensated", lambda x, y, p, r: ops.COSH(x + y), EXP_BOX),
    Case("erfc-compensated", lambda x, y, p, r: ops.ERFC(x * y), EXP_BOX),
    Case("exp2-compensated", lambda x, y, p, r: ops.EXP2(x / y), EXP_BOX),
    Case("pow-of-constant-compensated", lambda x, y, p, r: ops.POW(const(10), x * y), EXP_BOX),
    # a base the dtype cannot hold: (1/3)**x carries 1/3's rounding, x times as many ulps (6.3 bits typed)
    Case("pow-of-constant-compensated", lambda x, y, p, r: ops.POW(const(sympy.Rational(1, 3)), x), {X: (-600, 600)}),
    # a rounded base and a rounded exponent; sin, cos, tan of a rounded argument (|u| within 2^10: float32
    # corrects up to an error of 2^-13)
    Case("pow-compensated", lambda x, y, p, r: ops.POW(x * y, r), {X: (0, 10), Y: (0, 10), R: (-8, 8)}),
    Case("pow1p-compensated", lambda x, y, p, r: POW1P(x / y, r), {X: (0, 10), Y: (0.1, 10), R: (-50, 50)}),
    Case("pow-compensated", lambda x, y, p, r: ops.POW(x, y / const(3)), {X: (0, 10), Y: (-30, 30)}),
    Case("sin-compensated", lambda x, y, p, r: ops.SIN(x * y), {X: (-30, 30), Y: (-30, 30)}),
    Case("cos-compensated", lambda x, y, p, r: ops.COS(x + y), {X: (-500, 500), Y: (-500, 500)}),
    Case("tan-compensated", lambda x, y, p, r: ops.TAN(x / y), {X: (-30, 30), Y: (0.5, 30)}),
    Case("sinpi-compensated", lambda x, y, p, r: ops.SINPI(x / 180), {X: (-1000, 1000)}),
    Case("cospi-compensated", lambda x, y, p, r: ops.COSPI(x * y), {X: (-30, 30), Y: (-30, 30)}),
    Case("sinc-compensated", lambda x, y, p, r: ops.SINC(x * y), {X: (-30, 30), Y: (-30, 30)}),
    # logs of a rounded argument near 1 (x*y within a factor 2 of 1: typed, every digit of log(x*y) near 0)
    Case("log-compensated", lambda x, y, p, r: ops.LOG(x * y), {X: (0.7, 1.4), Y: (0.7, 1.4)}),
    Case("log2-compensated", lambda x, y, p, r: ops.LOG2(x + y), {X: (0.3, 0.7), Y: (0.3, 0.7)}),
    Case("log10-compensated", lambda x, y, p, r: ops.LOG10(x / y), {X: (0.7, 1.4), Y: (0.7, 1.4)}),
    # asin and acos of a rounded argument near +-1 (x*y below 1)
    Case("asin-compensated", lambda x, y, p, r: ops.ASIN(x * y), {X: (0.9, 1), Y: (0.9, 1)}),
    Case("acos-compensated", lambda x, y, p, r: ops.ACOS(x * y), {X: (-1, -0.9), Y: (0.9, 1)}),
    Case("reciprocal-compensated", lambda x, y, p, r: 1 / (x * x), {}, 1.0),
    Case("reciprocal-compensated", lambda x, y, p, r: const(3) / (x * y), {}, 1.0),
    Case("difference-of-products", lambda x, y, p, r: x * y - const(2) * x, {}, 1.0),
    Case("difference-of-products", lambda x, y, p, r: x * x - const(3) * y, {}, 1.5),
    # sums of three or more inputs and numbers: about one rounding, wherever they cancel
    Case("compensated-sum", lambda x, y, p, r: (x + y) + const(2), {}, 1.0),
    Case("compensated-sum", lambda x, y, p, r: (x - y) + r, {}, 1.0),
    Case("compensated-sum", lambda x, y, p, r: (const(1) - x) - y, {}, 1.0),  # 1 + (-x - y), as sum-order puts it
    Case("compensated-difference", lambda x, y, p, r: x - (y + r), {}, 1.0),
    Case("compensated-difference", lambda x, y, p, r: x - y - const(3), {}, 1.0),
    # a level set: products and a number (a circle's x^2 + y^2 - 1, with scaled coordinates too)
    Case("compensated-difference", lambda x, y, p, r: (x * x + y * y) - const(1), {}, 1.0),
    Case("compensated-sum", lambda x, y, p, r: ops.ADD((3 * x) * (3 * x), y * r, const(-5)), {}, 1.0),
    # quotients of inputs and numbers: their errors are added too (the remainder by FMA)
    Case("compensated-sum", lambda x, y, p, r: ops.ADD(1 / x, 1 / y, const(-1)), {}, 1.0),
    Case("compensated-sum", lambda x, y, p, r: ops.ADD(4 * x, const(1), r / y), {}, 1.0),
    # a number the dtype cannot hold added to an input or to a product of two: its rounding and the sum's
    Case("plus-inexact-constant", lambda x, y, p, r: x + const(sympy.pi), {}, 1.0),
    Case("plus-inexact-constant", lambda x, y, p, r: x * y + const(sympy.Rational(1, 3)), {}, 1.0),
    Case("minus-inexact-constant", lambda x, y, p, r: x - const(sympy.sqrt(2) / 2), {}, 1.0),
    Case("minus-inexact-constant", lambda x, y, p, r: x / y - const(sympy.Rational(1, 10)), {}, 1.0),
    Case("inexact-constant-minus", lambda x, y, p, r: const(sympy.E) - x, {}, 1.0),
    Case("compensated-sum", lambda x, y, p, r: (x - y) + const(sympy.pi), {}, 1.0),
    Case("compensated-sum", lambda x, y, p, r: const(sympy.Rational(1, 3)) - x - y, {}, 1.0),
    Case("inexact-constant-minus", lambda x, y, p, r: const(sympy.Rational(2, 3)) - x * y, {}, 1.0),
    # a product of rounded operands and a number the dtype holds: their errors, the product's and the sum's
    Case("rounded-product-plus-number", lambda x, y, p, r: x * (y + const(1)) + const(3), {}, 1.0),
    Case("rounded-product-minus-number", lambda x, y, p, r: x * (x + const(1)) - const(3), {}, 1.0),
    Case("rounded-product-minus-number", lambda x, y, p, r: (x - y) * (x + y) - const(sympy.Rational(1, 2)), {},
         1.0),
    Case("number-minus-rounded-product", lambda x, y, p, r: const(3) - (x - const(2)) * (y - const(1)), {}, 1.0),
]
IDS = [f"{c.rule}-{i}" for i, c in enumerate(CASES)]


def test_every_rule_of_the_module_has_a_case():
    assert {r.name for r in compensate.RULES} == {c.rule for c in CASES}


test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \
    rule_tests(CASES, IDS, dtypes=(np.float64, np.float32))


def test_products_of_rounded_values_and_numbers_keep_their_digits_where_they_cancel():
    # polynomials typed factored, near their roots: x + 1 (x - 2, x - 1 off 1/2..2) rounds, the product
    # carries it, and the number cancels the product down to that rounding (9 to 19 bits); the FMA alone
    # leaves the operand's rounding. With the operands' and the product's errors added back: about one
    # rounding. (x*x + 1 cannot cancel: typed, `when` declines)
    x, y, z = sympy.symbols("x y z")
    exprs = [x * (x + 1) - 3, (x + 1)**2 - 3, (x - 2) * (x - 1) - sympy.Rational(1, 2), 3 - x * (x + 1)]
    roots = [1.3027756377319946, 0.7320508075688772, 0.6339745962155614, 1.3027756377319946]
    f, typed = sg.compile([x, y, z], exprs), sg.compile([x, y, z], exprs, rewrite=False)
    rng = np.random.default_rng(5)
    zs = np.zeros(200)
    points = [(r * (1 + rng.uniform(-1e-9, 1e-9, 200)), zs, zs) for r in roots]
    _assert_about_one_rounding(exprs, [x, y, z], points, f, typed)
    rules = [firing.rule for firing in f.trace]
    assert "rounded-product-minus-number" in rules and "number-minus-rounded-product" in rules
    plain = sg.compile([x], (x + 1)**2 + 3)
    assert "rounded-product-plus-number" not in [firing.rule for firing in plain.trace]
    # a NaN or infinite number is no term to compensate (and no sign to compare)
    one = const(1)
    for k in (sympy.nan, sympy.oo, -sympy.oo):
        graph, trace = optimize(Graph([X * (X + one) + const(k)]))
        assert not {f.rule for f in trace} & {"rounded-product-plus-number", "rounded-product-minus-number"}


def test_reciprocals_of_products_round_once():
    # 1/x**2 and 3/(x*y) round the product and the quotient; with the product's error and the quotient's
    # remainder taken out they are correctly rounded (but for the last sum's rounding) on 20000 points,
    # where the typed forms are off by an ulp on about a third of them
    x, y = sympy.symbols("x y")
    exprs = [1 / x**2, 3 / (x * y)]
    f, typed = sg.compile([x, y], exprs), sg.compile([x, y], exprs, rewrite=False)
    rng = np.random.default_rng(7)
    xs, ys = rng.uniform(1, 2, 20000) * 10.0 ** rng.integers(-100, 100, 20000), rng.uniform(-4, 4, 20000)
    for k, expr in enumerate(exprs):
        fn = sympy.lambdify([x, y], expr, "mpmath")
        with mpmath.workdps(40):
            want = np.array([float(fn(mpmath.mpf(a), mpmath.mpf(b))) for a, b in zip(xs, ys)])
        got, naive = f(xs, ys)[k], typed(xs, ys)[k]
        assert np.mean(got != want) < 0.01, expr
        assert np.mean(naive != want) > 0.1, expr


def _ours_and_typed(expr, symbols, args, f, typed, k):
    """Bits of error of output k of the rewritten and the typed kernel at the points `args`, where the exact
    value is not 0."""
    fn = sympy.lambdify(symbols, expr, "mpmath")
    with mpmath.workdps(60):
        want = [fn(*(mpmath.mpf(float(v)) for v in point)) for point in zip(*args)]
    got, naive = f(*args)[k], typed(*args)[k]
    return ([bits_of_error(g, w) for g, w in zip(got, want) if w != 0],
            [bits_of_error(t, w) for t, w in zip(naive, want) if w != 0])


def test_differences_of_products_keep_their_digits_where_they_cancel():
    # a 2x2 determinant near singular, a discriminant near a double root, x*y - 1 near x*y = 1: typed, the
    # products round before the difference cancels (every digit lost at these points); with the products'
    # exact errors added back, the result rounds about once
    a, b, c, d = sympy.symbols("a b c d")
    exprs = [a * d - b * c, b**2 - 4 * a * c, a * b - 1]
    f, typed = sg.compile([a, b, c, d], exprs), sg.compile([a, b, c, d], exprs, rewrite=False)
    rng = np.random.default_rng(3)
    n = 200
    av, bv, cv = rng.uniform(1, 2, n), rng.uniform(1, 2, n), rng.uniform(1, 2, n)
    dv = bv * cv / av  # a d ~ b c
    points = [(av, bv, cv, dv), (av, 2 * np.sqrt(av * cv), cv, dv), (av, 1 / av, cv, dv)]
    for k, (expr, args) in enumerate(zip(exprs, points)):
        ok, lost = _ours_and_typed(expr, [a, b, c, d], args, f, typed, k)
        assert max(ok) <= 1.0, expr
        assert np.mean(lost) > 20, expr


def test_a_constant_the_dtype_cannot_hold_brings_its_rounding_to_the_argument():
    # exp(-pi x/2): pi x/2 is off by (pi - fl(pi)) x/2 besides the product's rounding, about 100 ulps of
    # the result at x = 300; with both carried, exp is within an ulp, in float64 and in float32
    x = sympy.Symbol("x")
    expr = sympy.exp(-sympy.pi * x / 2)
    f, typed = sg.compile([x], expr), sg.compile([x], expr, rewrite=False)
    for dtype, lo, hi in ((np.float64, 100.0, 400.0), (np.float32, 10.0, 50.0)):
        xs = np.linspace(lo, hi, 300).astype(dtype)
        ok, lost = bits_against_mpmath(expr, [x], [xs], f, typed, dtype=dtype)
        assert max(ok) <= 1.0, dtype
        assert np.mean(lost) > 3, dtype


def _assert_about_one_rounding(exprs, symbols, points, f, typed):
    """Output k of f within an ulp at points[k] where the typed kernel loses more than 10 bits on average."""
    for k, (expr, args) in enumerate(zip(exprs, points)):
        ok, lost = _ours_and_typed(expr, symbols, args, f, typed, k)
        assert max(ok) <= 1.0, expr
        assert np.mean(lost) > 10, (expr, np.mean(lost))


def test_sums_of_inputs_keep_their_digits_where_they_cancel():
    # jcobi's a + b + 2 near a = b = -1, 1 - p - q for p + q near 1, x - y + z for x + z near y: typed, the
    # first partial sum rounds (to a multiple of 2^-52 near 2) and the last term cancels it; with each
    # partial sum's exact error added back the result rounds about once
    a, b, c = sympy.symbols("a b c")
    exprs = [a + b + 2, 1 - a - b, a - b + c]
    f, typed = sg.compile([a, b, c], exprs), sg.compile([a, b, c], exprs, rewrite=False)
    rng = np.random.default_rng(5)
    n = 200
    near = -1 + rng.uniform(0, 1e-9, n)
    p = rng.uniform(0.3, 0.7, n)
    x, z = rng.uniform(1, 2, n), rng.uniform(1, 2, n)
    points = [(near, -1 + rng.uniform(0, 1e-9, n), x), (p, (1 - p) * (1 + rng.uniform(-1e-9, 1e-9, n)), x),
              (x, (x + z) * (1 + rng.uniform(-1e-9, 1e-9, n)), z)]
    _assert_about_one_rounding(exprs, [a, b, c], points, f, typed)


def test_level_sets_of_products_keep_their_digits_on_the_surface():
    # x^2 + y^2 + z^2 - 1 near the unit sphere, (30x)^2 + (30y)^2 - 625 near a circle of radius 25/30,
    # x y + z^2 - 2 near x y = 2 - z^2: typed, the squares' and the partial sums' roundings are all that is
    # left where the number cancels them; with their exact errors (TwoProduct, TwoSum) about one rounding
    x, y, z = sympy.symbols("x y z")
    exprs = [x**2 + y**2 + z**2 - 1, (30 * x)**2 + (30 * y)**2 - 625, x * y + z**2 - 2]
    f, typed = sg.compile([x, y, z], exprs), sg.compile([x, y, z], exprs, rewrite=False)
    rng = np.random.default_rng(7)
    n = 200
    u, v = rng.normal(size=(2, n))
    w = rng.normal(size=n)
    norm = np.sqrt(u * u + v * v + w * w) * (1 + rng.uniform(-1e-9, 1e-9, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = 25 / 30 * (1 + rng.uniform(-1e-9, 1e-9, n))
    zs = rng.uniform(-1, 1, n)
    xs = rng.uniform(0.5, 2, n)
    points = [(u / norm, v / norm, w / norm), (radius * np.cos(angle), radius * np.sin(angle), zs),
              (xs, (2 - zs * zs) / xs * (1 + rng.uniform(-1e-9, 1e-9, n)), zs)]
    _assert_about_one_rounding(exprs, [x, y, z], points, f, typed)


def test_sums_of_quotients_keep_their_digits_where_they_cancel():
    # 1/x + 1/y - 1 near 1/x + 1/y = 1 (parallel resistors), x/y + y/x - 2 near x = y, 4x + 1 + 1/y near
    # 4x + 1 = -1/y: typed, the quotients' and partial sums' roundings are what is left; with their exact
    # errors (the remainder a - q b by FMA, times q/a for a number a: no second division) about one rounding
    x, y, z = sympy.symbols("x y z")
    exprs = [1 / x + 1 / y - 1, x / y + y / x - 2, 4 * x + 1 + 1 / y]
    f, typed = sg.compile([x, y, z], exprs), sg.compile([x, y, z], exprs, rewrite=False)
    rng = np.random.default_rng(11)
    n = 200
    xs = rng.uniform(1.5, 3, n)
    jitter = 1 + rng.uniform(-1e-9, 1e-9, n)
    zs = rng.uniform(0, 1, n)
    # (x/y + y/x - 2 is (x - y)^2/(x y): quadratic in x - y, so 1e-5 apart it is 1e-10, 33 bits lost typed;
    # 1e-9 apart the compensation's second-order remainder 2^-106 shows)
    points = [(xs, 1 / (1 - 1 / xs) * jitter, zs), (xs, xs * (1 + rng.uniform(-1e-5, 1e-5, n)), zs),
              (xs, -1 / (4 * xs + 1) * jitter, zs)]
    _assert_about_one_rounding(exprs, [x, y, z], points, f, typed)


def test_functions_of_a_logarithm_carry_its_rounding():
    # log's own rounding (half an ulp of log x, up to 700) is an absolute error of exp's argument: the
    # lognormal density exp(-(log x - m)^2/(2 s^2)), exp(-log(x)^2) and cos(log x) lose 2-6 bits typed;
    # with log's error (vecmath's double-double log) carried to first order, about one rounding
    x, m, s = sympy.symbols("x m s")
    exprs = [sympy.exp(-(sympy.log(x) - m)**2 / (2 * s**2)) / (x * s * sympy.sqrt(2 * sympy.pi)),
             sympy.exp(-sympy.log(x)**2), sympy.cos(sympy.log(x))]
    f, typed = sg.compile([x, m, s], exprs), sg.compile([x, m, s], exprs, rewrite=False)
    rng = np.random.default_rng(13)
    n = 300
    points = [(10.0 ** rng.uniform(-3, 3, n), rng.uniform(-2, 2, n), rng.uniform(0.1, 2, n)),
              (10.0 ** rng.uniform(-5, 5, n), np.zeros(n), np.ones(n)),
              (10.0 ** rng.uniform(-300, 300, n), np.zeros(n), np.ones(n))]
    for k, expr in enumerate(exprs):
        ok, lost = _ours_and_typed(expr, [x, m, s], points[k], f, typed, k)
        assert np.mean(ok) < 0.6 and max(ok) <= 2.5 and np.mean(lost) > 2, (expr, np.mean(ok), max(ok), np.mean(lost))
    with np.errstate(all="ignore"):  # zeros, negatives, infinities and NaN as typed
        specials = (np.array([0.0, -1.0, np.inf, np.nan, 1.0]),) + (np.zeros(5), np.ones(5))
        for got, want in zip(f(*specials), typed(*specials)):
            assert np.array_equal(got[:4], want[:4], equal_nan=True) and np.isclose(got[4], want[4], rtol=1e-15)


def test_sums_with_roots_and_with_a_rules_select_keep_their_digits_where_they_cancel():
    # -sqrt(y) + 2 + 1/(2x) and sqrt(x) + sqrt(y) - 3: the roots' errors are their exact residuals over 2s;
    # 1 - 1/y - 1/x is lowered 1 - (1/y + 1/x), whose inner sum quotient-sum makes a select (x/y + z/w
    # for x/y ~ -z/w): its typed branch, the same rational function, is read as the terms
    x, y, z = sympy.symbols("x y z")
    exprs = [-sympy.sqrt(y) + 2 + 1 / (2 * x), sympy.sqrt(x) + sympy.sqrt(y) - 3, 1 - 1 / y - 1 / x]
    f, typed = sg.compile([x, y, z], exprs), sg.compile([x, y, z], exprs, rewrite=False)
    rng = np.random.default_rng(17)
    n = 200
    xs = rng.uniform(0.2, 2, n)
    jitter = 1 + rng.uniform(-1e-9, 1e-9, n)
    zs = np.zeros(n)
    points = [(xs, ((2 + 1 / (2 * xs)) * jitter) ** 2, zs), (xs, ((3 - np.sqrt(xs)) * jitter) ** 2, zs),
              (xs + 1, 1 / (1 - 1 / (xs + 1)) * jitter, zs)]
    _assert_about_one_rounding(exprs, [x, y, z], points, f, typed)


def test_functions_of_a_root_carry_its_rounding():
    # exp(sqrt(x)) carries sqrt's half ulp times sqrt(x) (5.3 bits typed over [1, 1e5]), sin(sqrt(x)) times
    # sqrt(x) cot(sqrt(x)) (10.4 over [1, 1e8]): the root's error is its residual over 2s
    x = sympy.Symbol("x")
    exprs = [sympy.exp(sympy.sqrt(x)), sympy.sin(sympy.sqrt(x))]
    f, typed = sg.compile([x], exprs), sg.compile([x], exprs, rewrite=False)
    rng = np.random.default_rng(19)
    for k, points in enumerate([rng.uniform(1, 1e5, 300), rng.uniform(1, 1e8, 300)]):
        ok, lost = _ours_and_typed(exprs[k], [x], (points,), f, typed, k)
        assert np.mean(ok) < 0.5 and max(ok) <= 2.0 and np.mean(lost) > 4, (exprs[k], np.mean(ok), np.mean(lost))


def test_angles_in_degrees_carry_the_rounding_of_their_quotient():
    # sin(x*pi/180) is sinpi(x/180), exact in its angle but for x/180's rounding, which near the zeros
    # (x = 180 k; cos: 90 + 180 k) is |u cot(pi u)| ulps: its error is carried to first order
    x = sympy.Symbol("x")
    exprs = [sympy.sin(x * sympy.pi / 180), sympy.cos(x * sympy.pi / 180)]
    f, typed = sg.compile([x], exprs), sg.compile([x], exprs, rewrite=False)
    rng = np.random.default_rng(23)
    k = rng.integers(-20, 20, 300)
    near = [180.0 * k + rng.uniform(-1e-6, 1e-6, 300), 90.0 + 180.0 * k + rng.uniform(-1e-6, 1e-6, 300)]
    for j, points in enumerate(near):
        ok, lost = _ours_and_typed(exprs[j], [x], (points,), f, typed, j)
        assert np.mean(ok) < 0.5 and max(ok) <= 1.5 and np.mean(lost) > 5, (exprs[j], np.mean(ok), np.mean(lost))


def test_first_order_corrections_keep_the_sign_of_a_zero():
    # a zero correction leaves the value: sin(x*y) at x = -0 is -0, as typed (-0 + 0 would be +0)
    x, y = sympy.symbols("x y")
    exprs = [sympy.sin(x * y), sympy.sinh(x * y), sympy.tan(x * y), sympy.sin(x * sympy.pi / 180)]
    f, typed = sg.compile([x, y], exprs), sg.compile([x, y], exprs, rewrite=False)
    a, b = np.array([-0.0, 0.0, -0.0]), np.array([1.0, -1.0, -1.0])
    for got, want in zip(f(a, b), typed(a, b)):
        assert np.array_equal(got, want) and np.array_equal(np.signbit(got), np.signbit(want))


def test_sums_of_products_without_a_number_stay_typed():
    # a dot product x y + y z + z x has no sign of cancelling (and would take 2-3x the typed time)
    x, y, z = sympy.symbols("x y z")
    assert not any(f.rule.startswith("compensated") for f in sg.compile([x, y, z], x * y + y * z + z * x).trace)


def test_powers_of_one_plus_a_rounded_value_carry_its_rounding():
    # Student's t kernel (1 + x^2/n)^(-(n + 1)/2): pow1p of x^2/n, whose two roundings the exponent
    # multiplies by up to x^2/2 (7.5 bits typed, 1.7 as pow1p alone over n up to 1e6)
    x, n = sympy.symbols("x n")
    expr = (1 + x**2 / n) ** (-(n + 1) / 2)
    f, typed = sg.compile([x, n], expr), sg.compile([x, n], expr, rewrite=False)
    rng = np.random.default_rng(9)
    xs, ns = rng.uniform(3, 10, 200), np.exp(rng.uniform(np.log(1e3), np.log(1e6), 200))
    ok, lost = _ours_and_typed(expr, [x, n], (xs, ns), lambda *a: [f(*a)], lambda *a: [typed(*a)], 0)
    assert np.mean(ok) <= 0.6 and max(ok) <= 2.0 and np.mean(lost) > 4, (np.mean(ok), max(ok), np.mean(lost))


def test_sums_with_an_infinite_term_keep_their_ieee_values():
    # where a partial sum is infinite its error is not finite and the sum is as computed (an infinity or
    # NaN, as typed; sum-order adds 1e308 + 1e308 - 1e308 with its largest terms of either sign first)
    a, b, c = sympy.symbols("a b c")
    f = sg.compile([a, b, c], a + b + c)
    xs = np.array([np.inf, np.inf, 1.0, np.nan, 1e308, -np.inf])
    ys = np.array([1.0, -np.inf, 2.0, 1.0, 1e308, 3.0])
    zs = np.array([1.0, 1.0, np.inf, 1.0, -1e308, 1e308])
    with np.errstate(all="ignore"):
        got = f(xs, ys, zs)
    assert np.array_equal(got, [np.inf, np.nan, np.inf, np.nan, 1e308, -np.inf], equal_nan=True)


def test_functions_of_an_exponential_carry_its_rounding():
    # exp's own rounding (half an ulp of e^x) is an absolute error of what it feeds: exp(exp(x)) and
    # sin(exp(x)) lose e^x ulps typed (5 bits at x = 5); with exp(u) - v = -v log_error(u, v) carried, about
    # one rounding. exp(exp(x)) - 3 nests exp-minus-constant (3 expm1(exp(x) - log 3), the inner one
    # log(3) expm1(x - log log 3)): the inner helper's own rounding is carried too
    x = sympy.Symbol("x")
    exprs = [sympy.exp(sympy.exp(x)), sympy.sin(sympy.exp(x)), sympy.exp(-x - sympy.exp(-x)),
             sympy.exp(sympy.exp(x)) - 3]
    f, typed = sg.compile([x], exprs), sg.compile([x], exprs, rewrite=False)
    v = np.random.default_rng(21).uniform(2, 5, 300)
    points = [v, v, -v, v]
    for k, expr in enumerate(exprs):
        ok, lost = _ours_and_typed(expr, [x], (points[k],), f, typed, k)
        assert np.mean(ok) < 0.5 and max(ok) <= 1.6 and np.mean(lost) > 1.5, (expr, np.mean(ok), max(ok), np.mean(lost))
    with np.errstate(all="ignore"):  # infinities and NaN as typed
        specials = np.array([np.inf, -np.inf, np.nan, 800.0, -800.0])
        for got, want in zip(f(specials), typed(specials)):
            assert np.array_equal(got, want, equal_nan=True), (got, want)


def test_exp_minus_a_constant_is_correctly_rounded_where_it_cancels_and_keeps_its_ieee_values():
    # exp(x) - c = c expm1(x - log c), log c's rounding and the constant's own (2 sin(1/2), 1/1000) carried,
    # the scaled expm1 rounded once: correctly rounded on 2000 points across the range, where the typed
    # difference keeps exp's rounding (many ulps near log c)
    x = sympy.Symbol("x")
    constants = [2, sympy.pi, 2 * sympy.sin(sympy.Rational(1, 2)), sympy.Rational(1, 1000), 10**5]
    exprs = [sympy.exp(x) - c for c in constants] + [3 - sympy.exp(x / 3)]
    f, typed = sg.compile([x], exprs), sg.compile([x], exprs, rewrite=False)
    rng = np.random.default_rng(22)
    for k, expr in enumerate(exprs):
        root = float(sympy.log(constants[k])) if k < len(constants) else 3 * np.log(3)
        v = np.concatenate([root + rng.choice([-1, 1], 1000) * 10.0 ** rng.uniform(-12, 0, 1000),
                            rng.uniform(-700, 709.7, 1000)])
        fn = sympy.lambdify([x], expr, "mpmath")
        with mpmath.workdps(60):
            want = np.array([float(fn(mpmath.mpf(float(p)))) for p in v])
        got, naive = f(v)[k], typed(v)[k]
        assert np.mean(got != want) < 0.002 and np.all(np.abs(got - want) <= np.spacing(np.abs(want))), expr
        assert np.mean(np.abs(naive - want)[:1000] > 8 * np.spacing(np.abs(want[:1000]))) > 0.5, expr
    with np.errstate(all="ignore"):
        specials = np.array([np.inf, -np.inf, np.nan, 709.7, 709.8, -745.2, 0.0, -0.0, 1e-300])
        for expr, got, want in zip(exprs, f(specials), typed(specials)):
            assert np.array_equal(np.isnan(got), np.isnan(want)) and np.array_equal(np.isinf(got), np.isinf(want))
            finite = np.isfinite(want)
            fn = sympy.lambdify([x], expr, "mpmath")
            with mpmath.workdps(60):
                exact = np.array([float(fn(mpmath.mpf(float(p)))) for p in specials[finite]])
            assert np.all(np.abs(got[finite] - exact) <= np.spacing(np.abs(exact))), expr


def test_roots_and_logarithms_minus_a_constant_keep_their_digits_and_ieee_values():
    # sqrt(x) - 2, 3/2 - sqrt(x + 1), log(x) - 1, log(x, 2) - 3: near the root the typed difference keeps
    # the function's rounding (tens of ulps at 1e-12 from it); the root's error added back (compensate) and
    # log_ratio (stability) keep every digit there, and the IEEE values of the typed form
    x = sympy.Symbol("x")
    exprs = [sympy.sqrt(x) - 2, sympy.Rational(3, 2) - sympy.sqrt(x + 1), sympy.log(x) - 1, sympy.log(x, 2) - 3]
    roots = [4.0, 1.25, np.e, 8.0]
    f, typed = sg.compile([x], exprs), sg.compile([x], exprs, rewrite=False)
    rng = np.random.default_rng(31)
    for k, expr in enumerate(exprs):
        v = roots[k] * (1 + rng.choice([-1, 1], 300) * 10.0 ** rng.uniform(-14, -1, 300))
        ok, lost = _ours_and_typed(expr, [x], (v,), f, typed, k)
        assert np.mean(ok) < 0.5 and max(ok) <= 2.0 and np.mean(lost) > 10, (expr, np.mean(ok), max(ok), np.mean(lost))
    with np.errstate(all="ignore"):
        specials = np.array([0.0, -0.0, -1.0, np.inf, -np.inf, np.nan, 5e-324, 1e308])
        for got, want in zip(f(specials), typed(specials)):
            assert np.array_equal(np.isnan(got), np.isnan(want)) and np.array_equal(got[np.isinf(want)],
                                                                                  want[np.isinf(want)])
            finite = np.isfinite(want)
            np.testing.assert_allclose(got[finite], want[finite], rtol=1e-15)


def test_a_number_the_dtype_cannot_hold_keeps_its_digits_in_a_difference():
    # x - pi near pi, x - 1/3 near 1/3, x*x - pi near sqrt(pi), x/y + 1/10, e - x, and the sums of three
    # terms 1/3 - x - y, x^2 - xy - pi (compensated-sum): x - fl(c) is exact there and off by c's own
    # rounding (18 bits lost at 1e-12 from the root, typed); it and the sums' errors are added back, the
    # result rounds once: correctly rounded (float64 and float32), IEEE values as typed
    x, y = sympy.symbols("x y")
    third, tenth = sympy.Rational(1, 3), sympy.Rational(1, 10)
    exprs = [x - sympy.pi, (x - third) * y, x * x - sympy.pi, x / y + tenth, sympy.E - x, third - x - y,
             x * x - x * y - sympy.pi]
    f, typed = sg.compile([x, y], exprs), sg.compile([x, y], exprs, rewrite=False)
    rng = np.random.default_rng(47)
    for dtype in (np.float64, np.float32):
        def near(root):
            offsets = rng.choice([-1, 1], 300) * 10.0 ** rng.uniform(-14 if dtype is np.float64 else -6, -1, 300)
            return root * (1 + offsets)
        ys = rng.uniform(1, 2, 300)
        columns = [(near(math.pi), ys), (near(1 / 3), ys), (near(math.sqrt(math.pi)), ys), (-near(0.1) * ys, ys),
                   (near(math.e), ys), (near(1 / 3) - ys, ys), (near((ys + np.sqrt(ys * ys + 4 * math.pi)) / 2), ys)]
        for k, expr in enumerate(exprs):
            cols = [c.astype(dtype) for c in columns[k]]
            ok, lost = bits_against_mpmath(expr, [x, y], cols, lambda *a: f(*a)[k], lambda *a: typed(*a)[k],
                                           dtype=dtype)
            assert np.mean(ok) < 0.5 and max(ok) <= 1.0 and np.mean(lost) > 5, \
                (expr, dtype, np.mean(ok), max(ok), np.mean(lost))
    with np.errstate(all="ignore"):
        specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, 1e308, -1e308])
        for got, want in zip(f(specials, 1.5), typed(specials, 1.5)):
            assert np.array_equal(np.isnan(got), np.isnan(want)) and np.array_equal(got[np.isinf(want)],
                                                                                  want[np.isinf(want)])
            finite = np.isfinite(want)
            np.testing.assert_allclose(got[finite], want[finite], rtol=1e-15)
