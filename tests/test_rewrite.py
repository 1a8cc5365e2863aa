"""symgraph.rewrite: patterns match like the algebra they state; the engine visits shared nodes once,
records every firing, and stops rule cycles with a RewriteError."""
import pytest
import sympy

from symgraph import ops
from symgraph.errors import RewriteError
from symgraph.ir import const, symbol
from symgraph.rewrite import ConstVar, Pattern, Rule, RuleIndex, Validity, Var, match, rewrite_pass, sign_exact
from symgraph.domain import Facts

a, b, c = (symbol(s) for s in sympy.symbols("a b c"))
x, y = Var("x"), Var("y")
k = ConstVar("k")


def test_patterns_are_built_with_the_node_calls():
    p = ops.LOG(1 + x)
    assert isinstance(p, Pattern) and p.op is ops.LOG and p.args[0].op is ops.ADD


def test_add_matches_commutatively_and_associatively():
    found = list(match(ops.ADD(1, x), ops.ADD(a, const(1), b), {}))
    assert [m["x"] for m in found] == [ops.ADD(a, b)]


def test_constants_match_by_value_and_constvars_only_constants():
    assert list(match(x * 1, ops.MUL(a, const(sympy.Float(1.0))), {}))
    assert not list(match(ops.MUL(k, x), ops.MUL(a, b), {}))
    assert list(match(ops.MUL(k, x), ops.MUL(const(3), b), {}))[0]["k"] is const(3)


def test_repeated_vars_must_bind_the_same_node():
    assert list(match(x - x, a - a, {}))
    assert not list(match(x - x, a - b, {}))


def _run(rules, node, **kw):
    trace = []
    out = rewrite_pass([node], RuleIndex(rules), Facts(), "canonicalize", trace, **kw)
    return out[0], trace


def test_shared_subgraphs_are_rewritten_once():
    rule = Rule("neg-neg", -(-x), x, validity=Validity.EXACT)
    shared = -(-a)
    out, trace = _run([rule], ops.ADD(ops.SIN(shared), ops.COS(shared)))
    assert out is ops.ADD(ops.SIN(a), ops.COS(a)) and len(trace) == 1


def test_replacements_are_rewritten_to_a_fixpoint():
    rules = [Rule("sub-to-add", x - y, lambda x, y: x + (-y)), Rule("neg-neg", -(-x), x)]
    out, trace = _run(rules, a - (-b))
    assert out is a + b and [f.rule for f in trace] == ["sub-to-add", "neg-neg"]


def test_a_rule_cycle_raises_with_the_rule_trace():
    rules = [Rule("swap", x - y, lambda x, y: -(y - x)), Rule("unswap", -(x - y), lambda x, y: y - x)]
    with pytest.raises(RewriteError, match="swap"):
        _run(rules, a - b)


def test_the_step_cap_stops_unbounded_growth():
    grow = Rule("grow", ops.SIN(x), lambda x: ops.SIN(ops.SIN(x) + 0))
    strip = Rule("strip", ops.ADD(0, x), lambda x: ops.COS(x))
    with pytest.raises(RewriteError, match="rewrite steps|cycle"):
        _run([grow, strip, Rule("cos", ops.COS(x), lambda x: ops.SIN(x + 1))], ops.SIN(a), step_cap=50)


def test_deep_graphs_do_not_recurse():
    node = a
    for _ in range(20000):
        node = ops.SIN(node)
    out, _ = _run([Rule("neg-neg", -(-x), x)], node)
    assert out is node


def test_rules_validate_their_phase_and_root():
    with pytest.raises(ValueError):
        Rule("bad", ops.LOG(x), x, phase="later")
    with pytest.raises(TypeError):
        Rule("bare", x, x)


def test_a_cancelling_sum_rewritten_under_a_division_keeps_its_plus_zero():
    # a*a - 1 is +0 at a = -1; (a + 1)(a - 1) is -0 there, and 1/that -inf: the engine marks the product
    factor = Rule("factor", x * x - 1, (x + 1) * (x - 1), validity=Validity.ACCURACY)
    product = (a + 1) * (a - 1)
    out, _ = _run([factor], 1 / (a * a - 1))
    assert out is 1 / ops.PLUS_ZERO(product)
    out, _ = _run([factor], 1 / ops.SQRT(2 * (a * a - 1)))  # the sign reaches the division through these
    assert out is 1 / ops.SQRT(2 * ops.PLUS_ZERO(product))
    out, _ = _run([factor], ops.SQRT(a * a - 1))  # nothing divides by it: a -0 equals +0, left unmarked
    assert out is ops.SQRT(product)


def test_patterns_see_through_the_plus_zero_mark_unless_sign_exact():
    marked = ops.PLUS_ZERO(-a)
    assert [m["x"] for m in match(ops.LOG(-x), ops.LOG(marked), {})] == [a]
    assert not list(match(b / sign_exact(-x), b / marked, {}))
    assert list(match(b / sign_exact(-x), b / -a, {}))
