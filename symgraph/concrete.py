"""SymPy constructs that lambdify evaluates and that are, for given sizes, plain arithmetic: finite sums
and products with integer limits, and dot products of explicit matrices. Lowering expands them into the
expression they stand for (so they fuse into the kernel like anything else)."""
from __future__ import annotations

import sympy
from sympy.matrices.expressions.dotproduct import DotProduct

from .errors import UnsupportedError

EXPANDABLE = (sympy.Sum, sympy.Product, DotProduct)

# an expansion larger than this would make a kernel nobody wants to compile; say so instead
MAX_TERMS = 10_000


def expand(expr):
    """The plain expression `expr` (a Sum, Product or DotProduct) stands for."""
    if isinstance(expr, DotProduct):
        if not all(isinstance(a, sympy.MatrixBase) for a in expr.args):
            raise UnsupportedError(f"DotProduct of {expr.args[0]} and {expr.args[1]} is not supported by "
                                   f"symgraph: pass explicit matrices (or make the MatrixSymbols args)")
        return expr.doit()
    terms = _terms(expr)
    return sympy.Add(*terms) if isinstance(expr, sympy.Sum) else sympy.Mul(*terms)


def _terms(expr):
    """Each term's expression, the limits walked outermost first with an explicit list of bindings."""
    kind = type(expr).__name__
    bindings = [{}]
    for var, low, high in reversed(expr.limits):  # SymPy lists limits innermost first
        grown = []
        for bound in bindings:
            lo, hi = sympy.sympify(low).subs(bound), sympy.sympify(high).subs(bound)
            if not (lo.is_Integer and hi.is_Integer):
                raise UnsupportedError(f"{kind} over {var} from {low} to {high} is not supported by symgraph: "
                                       f"the limits must be integers known at compile time "
                                       f"(in {str(expr)[:80]})")
            count = int(hi) - int(lo) + 1
            if count < 0:  # SymPy reads high < low - 1 with Karr's convention (a negated sum): refuse
                raise UnsupportedError(f"{kind} over {var} from {lo} to {hi} (upper limit below the lower) is "
                                       f"not supported by symgraph; swap the limits (SymPy negates such sums)")
            if len(grown) + max(count, 0) > MAX_TERMS:
                raise UnsupportedError(f"{kind} with more than {MAX_TERMS} terms is not supported by symgraph "
                                       f"(in {str(expr)[:80]}): write it in closed form, e.g. expr.doit()")
            grown.extend({**bound, var: sympy.Integer(k)} for k in range(int(lo), int(hi) + 1))
        bindings = grown
    return [expr.function.subs(bound) for bound in bindings]
