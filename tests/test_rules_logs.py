"""symgraph.rules.logs: log(x)/log(2), log(x)/log(10) (SymPy's log(x, 2), log(x, 10)) and their spellings
become log2(x), log10(x): each fires on its example, is an identity at 50 digits (hypothesis and boundary
points), and its compiled form is within a few ulps of the exact typed formula (float64 and float32)."""
import mpmath
import numpy as np
import sympy
from sympy.codegen import cfunctions

import symgraph as sg
from rulecheck import Case, rule_tests
from symgraph import ops
from symgraph.ir import const
from symgraph.reference import bits_of_error
from symgraph.rules import logs

LN2, LN10 = const(2), const(10)

CASES = [
    # as lowered from SymPy: the log of the constant, folded only later
    Case("log-base", lambda x, y, p, r: ops.LOG(x) / ops.LOG(LN2), bits=0.6),
    Case("log-base", lambda x, y, p, r: ops.LOG(p) / ops.LOG(LN10), bits=0.6),
    # the folded constant itself
    Case("log-base", lambda x, y, p, r: ops.LOG(x) / const(sympy.log(2)), bits=0.6),
    Case("log-times-inverse-log", lambda x, y, p, r: ops.LOG(x) * const(1 / sympy.log(2)), bits=0.6),
    Case("log-times-inverse-log", lambda x, y, p, r: ops.LOG(x) * const(1 / sympy.log(10)), bits=0.6),
    Case("scaled-log-base", lambda x, y, p, r: (y * ops.LOG(x)) / ops.LOG(LN10), bits=1.6),
    Case("scaled-log-base", lambda x, y, p, r: (3 * ops.LOG(p)) / ops.LOG(LN2), bits=1.6),
]
IDS = [f"{c.rule}-{i}" for i, c in enumerate(CASES)]


def test_every_rule_of_the_module_has_a_case():
    assert {r.name for r in logs.RULES} == {c.rule for c in CASES}


test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \
    rule_tests(CASES, IDS, dtypes=(np.float64, np.float32))


x = sympy.Symbol("x")


def _ops_of(expr):
    return {n.op.name for n in sg.compile([x], expr).graph.nodes if not (n.is_const or n.is_symbol)}


def test_sympy_spellings_compile_to_the_primitives():
    assert _ops_of(sympy.log(x, 2)) == {"log2"}
    assert _ops_of(sympy.log(x, 10)) == {"log10"}
    assert _ops_of(sympy.log(x) * (1 / sympy.log(2))) == {"log2"}
    assert _ops_of(cfunctions.log2(x)) == {"log2"} and _ops_of(cfunctions.log10(x)) == {"log10"}
    assert _ops_of(-sympy.log(x, 10)) == {"neg", "log10"}
    assert "log2" in _ops_of(sympy.log(x, 2) * sympy.sin(x))
    # other bases are a product by 1/log(b), rounded once (constant_products); a log near 1 keeps
    # rearrange's log1p (log-near-one, log1p)
    assert _ops_of(sympy.log(x, 3)) == {"log", "constant_product"}
    assert "log1p" in _ops_of(sympy.log(sympy.cos(x), 2)) and "log2" not in _ops_of(sympy.log(sympy.cos(x), 2))
    assert "log1p" in _ops_of(sympy.log(1 + x, 10))


def test_rebased_logs_are_correctly_rounded_where_the_typed_form_is_not():
    pts = np.concatenate([np.exp(np.random.default_rng(3).uniform(-690, 690, 400)),
                          np.random.default_rng(4).uniform(0.5, 2.0, 400)])
    for base in (2, 10):
        expr = sympy.log(x, base)
        rewritten, typed = sg.compile([x], expr)(pts), sg.compile([x], expr, rewrite=False)(pts)
        with mpmath.workdps(40):
            exact = [mpmath.log(mpmath.mpf(float(v)), base) for v in pts]
        new_bits, typed_bits = bits_of_error(rewritten, exact), bits_of_error(typed, exact)
        assert np.max(new_bits) <= 1.0 and np.mean(new_bits) < 0.01, base
        assert np.mean(typed_bits) > 0.2, base  # the test tests something: 3 roundings are measurably worse
