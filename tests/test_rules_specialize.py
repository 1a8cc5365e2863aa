"""symgraph.rules.specialize: cheaper spellings fire, hold at 50 digits, and stay within their stated
rounding error when compiled."""
import sympy

from rulecheck import Case, X, Y, optimized, rule_tests
from symgraph import ops
from symgraph.ir import const
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
    rule_tests(CASES, IDS)


def test_squaring_shares_every_square():
    node, _ = optimized(Case("pow-integer", lambda x, y, p, r: ops.POW(x, const(8))))
    x2 = X * X
    x4 = x2 * x2
    assert node is x4 * x4


def test_division_by_other_constants_stays_a_division():
    node, fired = optimized(Case("div-power-of-two", lambda x, y, p, r: x / 3))
    assert node is X / 3 and "div-power-of-two" not in fired
