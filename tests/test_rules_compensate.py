"""symgraph.rules.compensate: exp and expm1 of a rounded argument become exp_pair/expm1_pair with the
argument's first-order rounding error; the rewrite is an identity in the reals (the error ops mean 0) and
the compiled results are accurate in float64 and float32 (tests/rulecheck.py)."""
import numpy as np

from symgraph import ops
from symgraph.ir import const
from symgraph.rules import compensate

from rulecheck import Case, X, Y, rule_tests

EXP_BOX = {X: (-1e4, 1e4), Y: (-1e4, 1e4)}  # mpmath's exp(1e300) is slow; 1e4 covers every over/underflow

CASES = [
    Case("exp-compensated", lambda x, y, p, r: ops.EXP(-(x * x)), EXP_BOX),
    Case("exp-compensated", lambda x, y, p, r: ops.EXP(x / y), EXP_BOX),
    Case("exp-compensated", lambda x, y, p, r: ops.EXP(const(3) * x - y), EXP_BOX),
    Case("expm1-compensated", lambda x, y, p, r: ops.EXPM1(x * y), EXP_BOX),
    Case("sigmoid-compensated", lambda x, y, p, r: ops.SIGMOID(x * y), EXP_BOX),
    Case("softplus-compensated", lambda x, y, p, r: ops.SOFTPLUS(x * y), EXP_BOX),
    Case("log_sigmoid-compensated", lambda x, y, p, r: ops.LOG_SIGMOID(x / y), EXP_BOX),
    Case("sinh-compensated", lambda x, y, p, r: ops.SINH(x * y), EXP_BOX),
    Case("cosh-compensated", lambda x, y, p, r: ops.COSH(x + y), EXP_BOX),
    Case("erfc-compensated", lambda x, y, p, r: ops.ERFC(x * y), EXP_BOX),
    Case("exp2-compensated", lambda x, y, p, r: ops.EXP2(x / y), EXP_BOX),
    Case("pow-of-constant-compensated", lambda x, y, p, r: ops.POW(const(10), x * y), EXP_BOX),
]
IDS = [f"{c.rule}-{i}" for i, c in enumerate(CASES)]


def test_every_rule_of_the_module_has_a_case():
    assert {r.name for r in compensate.RULES} == {c.rule for c in CASES}


test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \
    rule_tests(CASES, IDS, dtypes=(np.float64, np.float32))
