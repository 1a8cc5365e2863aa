"""symgraph.rules.rearrange: every rule fires on its example, is an identity at 50 digits (hypothesis and
boundary points), and its compiled form is within a few ulps of the exact typed formula (float64 and
float32); the rules run after the specific stabilize patterns that contain their shapes."""
import math

import numpy as np
import sympy

import symgraph as sg
from rulecheck import Case, rule_tests
from rulecheck import X, Y
from symgraph import ops
from symgraph.ir import const
from symgraph.reference import bits_of_error, exact
from symgraph.rules import rearrange

THIRD = const(sympy.Rational(1, 3))
EXP_BOX = {X: (-1e4, 1e4), Y: (-1e4, 1e4)}  # mpmath's exp(1e300) is slow; 1e4 covers every float over/underflow

CASES = [
    Case("exp-difference", lambda x, y, p, r: ops.EXP(x) - ops.EXP(y), EXP_BOX, 2.5),
    Case("log-difference", lambda x, y, p, r: ops.LOG(x) - ops.LOG(y), {}, 2.5),
    Case("log-quotient", lambda x, y, p, r: ops.LOG(x / y), {}, 2.5),
    Case("pow-difference", lambda x, y, p, r: ops.POW(x, THIRD) - ops.POW(y, THIRD), {}, 3.0),
    Case("powm1", lambda x, y, p, r: ops.POW(x, r) - 1, {}, 3.0),
    Case("one-minus-powm1", lambda x, y, p, r: 1 - ops.POW(x, r), {}, 3.0),
]
IDS = [c.rule for c in CASES]


def test_every_rule_of_the_module_has_a_case():
    assert {r.name for r in rearrange.RULES} == set(IDS)


test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \
    rule_tests(CASES, IDS, dtypes=(np.float64, np.float32))


def test_specific_patterns_are_matched_first():
    # the shapes these rules rewrite occur inside logdiffexp, atanh's and sinh's definitions and logit
    x, y = sympy.symbols("x y")
    for expr, op in [(sympy.log(sympy.exp(x) - sympy.exp(y)), ops.LOG1MEXP),
                     (sympy.log((1 + x) / (1 - x)) / 2, ops.ATANH), ((sympy.exp(x) - sympy.exp(-x)) / 2, ops.SINH),
                     (sympy.log(x / (1 - x)), ops.LOGIT)]:
        graph = sg.compile([x, y], expr).graph
        assert any(n.op is op for n in graph.nodes), (expr, graph)


# Herbie's hamming benchmarks: the typed formula loses most digits on these domains, the rewritten one
# is within a few ulps (the shifted argument x + 1 is exact in the reals, not in floats)
HAMMING = [
    ("2cbrt", lambda x: sympy.cbrt(x + 1) - sympy.cbrt(x), np.geomspace(1e3, 1e200, 40)),
    ("2nthrt", lambda x: (x + 1) ** sympy.Rational(1, 5) - x ** sympy.Rational(1, 5), np.geomspace(1e3, 1e200, 40)),
    ("2log", lambda x: sympy.log(x / (x + 1)), np.geomspace(1e3, 1e300, 40)),
    ("logq", lambda x: sympy.log((1 - x) / (1 + x)), np.geomspace(1e-20, 1e-3, 40)),
    ("powm1", lambda x: (1 + x) ** 7 - 1, np.geomspace(1e-20, 1e-3, 40)),
    ("exp2m1", lambda x: 2 ** x - 1, -np.geomspace(1e-20, 1e-3, 40)),
]


def test_hamming_formulas_are_accurate():
    x = sympy.Symbol("x")
    exprs = [build(x) for _, build, _ in HAMMING]
    typed, rewritten = sg.compile(x, exprs, rewrite=False), sg.compile(x, exprs)
    for i, (name, build, points) in enumerate(HAMMING):
        node = sg.lower(exprs[i]).outputs[0]
        exact_values = [exact(node, {x: float(v)}) for v in points]
        with np.errstate(all="ignore"):
            typed_bits = max(bits_of_error(typed(points)[i], exact_values))
            new_bits = max(bits_of_error(rewritten(points)[i], exact_values))
        assert typed_bits > 10 and new_bits <= 2.5, (name, typed_bits, new_bits)
