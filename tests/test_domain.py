"""symgraph.domain: facts from SymPy assumptions and op facts, derived bottom-up."""
import math

import sympy

from symgraph import ops
from symgraph.domain import Facts
from symgraph.ir import const, symbol

x = symbol(sympy.Symbol("x"))
p = symbol(sympy.Symbol("p", positive=True))
n = symbol(sympy.Symbol("n", nonnegative=True))
r = symbol(sympy.Symbol("r", real=True))


def test_assumptions_of_symbols():
    f = Facts()
    assert f.positive(p) and f.nonzero(p) and f.finite(p)
    assert f.nonnegative(n) and not f.positive(n)
    assert f.finite(r) and not f.finite(x) and not f.nonnegative(x)


def test_facts_derived_from_ops():
    f = Facts()
    assert f.nonnegative(ops.EXP(x)) and f.nonnegative(x * x) and f.nonnegative(ops.ABS(x))
    assert f.nonnegative(ops.SQRT(x)) and f.within(ops.SIN(x), -1, 1) and f.within(ops.COSH(x), 1, math.inf)
    assert f.positive(ops.EXP(ops.SIN(r))) and f.finite(ops.SIN(r)) and not f.finite(ops.SIN(x))
    assert f.negative(-p) and f.positive(p + 1) and f.interval(const(3)) == (3.0, 3.0)


def test_overflow_and_nan_are_not_ignored():
    f = Facts()
    assert not f.finite(r * r)      # a finite real squared may overflow
    assert not f.finite(ops.SIN(r) / ops.SIN(r))  # 0/0
    assert f.finite(ops.SIN(r) * ops.COS(r))
