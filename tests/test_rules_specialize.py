"""symgraph.rules.specialize: cheaper spellings fire, hold at 50 digits, and stay within their stated
rounding error when compiled."""
import math

import mpmath
import numpy as np
import sympy

from rulecheck import Case, X, Y, compile_cases, optimized, rule_tests
from symgraph import ops
from symgraph.ir import const
from symgraph.reference import bits_of_error
from symgraph.rules import specialize

CASES = [
    Case("pow-integer", lambda x, y, p, r: ops.POW(x, const(5)), {}, 2.5),
    Case("pow-integer", lambda x, y, p, r: ops.POW(x, const(-7)), {}, 3.0),
    Case("pow-half-integer", lambda x, y, p, r: ops.POW(x, const(sympy.Rational(5, 2))), {}, 2.0),
    Case("pow-third", lambda x, y, p, r: ops.POW(p, const(sympy.Rational(1, 3))), {}, 1.0),
    Case("pow-third-guarded", lambda x, y, p, r: ops.POW(x, const(sympy.Rational(1, 3))), {}, 1.0),
    Case("div-power-of-two", lambda x, y, p, r: x / 8, {}, 0.0),
    Case("div-exp", lambda x, y, p, r: x / ops.EXP(y), {Y: (-1e4, 1e4)}, 2.0),
]
IDS = [f"{c.rule}-{i}" for i, c in enumerate(CASES)]


def test_every_rule_of_the_module_has_a_case():
    assert {r.name for r in specialize.RULES} <= {c.rule for c in CASES}


test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \
    rule_tests(CASES, IDS, dtypes=(np.float64, np.float32))


def test_squaring_shares_every_square():
    node, _ = optimized(Case("pow-integer", lambda x, y, p, r: ops.POW(x, const(8))))
    x2 = X * X
    x4 = x2 * x2
    # the product, with its rounding error added back (compensated.corrected(product, 1, error))
    assert node.op is ops.CORRECTED and node.args[0] is x4 * x4 and node.args[1].value == 1


def test_division_by_other_constants_stays_a_division():
    node, fired = optimized(Case("div-power-of-two", lambda x, y, p, r: x / 3))
    assert node is X / 3 and "div-power-of-two" not in fired


def test_negative_power_is_pow_where_the_positive_power_overflows():
    # x**7 overflows from 1e44 (float64) and 2.7e5 (float32) while x**-7 is a subnormal until about 1e46 / 2.6e6;
    # a reciprocal of the overflowed power would give 0 there
    case = Case("pow-integer", lambda x, y, p, r: ops.POW(x, const(-7)))
    f = compile_cases([case])
    for dtype, values in ((np.float64, [1e44, 3e44, -5e45, 1e46]), (np.float32, [3e5, -1e6, 2e6])):
        xs = np.array(values, dtype)
        got = f(xs, *(np.ones_like(xs),) * 3)[0]
        for x, g in zip(xs, got):
            exact = mpmath.mpf(float(x)) ** -7
            assert g != 0 and bits_of_error(g, exact, dtype) <= 1.0, (dtype, x, g)
    assert math.copysign(1, f(-np.inf, 1.0, 1.0, 1.0)[0]) == -1.0  # pow(-inf, -7) is -0
    assert f(-0.0, 1.0, 1.0, 1.0)[0] == -np.inf


def test_half_integer_powers_are_about_correctly_rounded():
    # x**1.5, x**2.5, x**4.5 as x**k * sqrt(x) with the root's residual (FMA) and the products' errors added
    # back: within half an ulp but for a few points (pow itself rounds about once), where the uncorrected
    # product of the rounded root rounds twice
    import symgraph as sg
    x = sympy.Symbol("x")
    exponents = [sympy.Rational(3, 2), sympy.Rational(5, 2), sympy.Rational(9, 2)]
    exprs = [x ** e for e in exponents]
    f = sg.compile([x], exprs)
    xs = np.exp(np.random.default_rng(4).uniform(np.log(1e-30), np.log(1e30), 300))
    for k, expr in enumerate(exprs):
        with mpmath.workdps(40):
            want = [mpmath.mpf(float(v)) ** (mpmath.mpf(exponents[k].p) / exponents[k].q) for v in xs]
        bits = [bits_of_error(g, w) for g, w in zip(f(xs)[k], want)]
        assert np.mean(bits) <= 0.05 and max(bits) <= 1.0, (expr, np.mean(bits), max(bits))
    with np.errstate(invalid="ignore"):
        edges = f(np.array([0.0, np.inf, -1.0, -np.inf, np.nan]))[0]
    assert np.array_equal(edges, [0.0, np.inf, np.nan, np.inf, np.nan], equal_nan=True)
