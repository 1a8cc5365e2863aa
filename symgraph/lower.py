"""SymPy -> graph. An explicit stack (expressions can be 100,000 levels deep) and a memo keyed on
object identity (SymPy shares subtrees; hashing them would recurse), so lowering is linear in the
number of distinct SymPy objects."""
from __future__ import annotations

import sympy
from sympy.codegen import numpy_nodes
from sympy.core.numbers import ComplexInfinity, ImaginaryUnit, NumberSymbol

from . import concrete, ops
from .errors import SymgraphError, UnsupportedError
from .ir import Graph, const, symbol

# SymPy class -> op, for the classes that map one-to-one (built from the ops' own facts)
ONE_TO_ONE = {cls: op for op in ops.OPS.values() for cls in op.sympy_types}


def _reciprocal(op):
    return lambda n: op(1 / n[0])


# SymPy functions defined by the supported ops (over the reals, as SymPy defines them there): lowered to
# their definition, which the rewrite passes then see as typed (1/tanh(x) - 1/x is Langevin's function)
DEFINED = {
    sympy.coth: lambda n: 1 / ops.TANH(n[0]), sympy.sech: lambda n: 1 / ops.COSH(n[0]),
    sympy.csch: lambda n: 1 / ops.SINH(n[0]),
    sympy.acot: _reciprocal(ops.ATAN), sympy.asec: _reciprocal(ops.ACOS), sympy.acsc: _reciprocal(ops.ASIN),
    sympy.acoth: _reciprocal(ops.ATANH), sympy.asech: _reciprocal(ops.ACOSH), sympy.acsch: _reciprocal(ops.ASINH),
    sympy.frac: lambda n: n[0] - ops.FLOOR(n[0]),
    sympy.factorial: lambda n: ops.GAMMA(n[0] + 1),
    sympy.binomial: lambda n: ops.GAMMA(n[0] + 1) / (ops.GAMMA(n[1] + 1) * ops.GAMMA(n[0] - n[1] + 1)),
    sympy.beta: lambda n: ops.GAMMA(n[0]) * ops.GAMMA(n[1]) / ops.GAMMA(n[0] + n[1]),
    sympy.RisingFactorial: lambda n: ops.GAMMA(n[0] + n[1]) / ops.GAMMA(n[0]),
    sympy.FallingFactorial: lambda n: ops.GAMMA(n[0] + 1) / ops.GAMMA(n[0] - n[1] + 1),
}


def _class_op(expr):
    for cls in type(expr).__mro__:
        op = ONE_TO_ONE.get(cls)
        if op is not None:
            return op
    return None


def lower(expr, replace=None) -> Graph:
    """Lower a SymPy expression, a list/tuple of them, or a Matrix, into one graph.

    replace: {SymPy subexpression: Symbol}, stand-ins for arguments that are not Symbols (f(t), a
    derivative); matched node by node while lowering, because xreplace would recurse.
    """
    form, shape = "single", None
    if isinstance(expr, sympy.MatrixBase):
        form, shape = "matrix", tuple(expr.shape)
        exprs = list(expr)
    elif isinstance(expr, (list, tuple)):
        form = "tuple"
        exprs = list(expr)
    else:
        exprs = [expr]
    exprs = [_sympify(e) for e in exprs]
    return Graph(lower_many(exprs, replace), form, shape)


def _sympify(e):
    if isinstance(e, sympy.Basic):
        return e
    if isinstance(e, (bool, int, float, complex)):
        return sympy.sympify(e)
    if isinstance(e, (sympy.MatrixBase, list, tuple)):
        raise SymgraphError("nested lists or matrices inside a list of outputs are not supported: "
                            "pass one Matrix, or a flat list of scalar expressions")
    raise SymgraphError(f"cannot compile {e!r} of type {type(e).__name__}: pass a SymPy expression")


def lower_many(exprs, replace=None) -> list:
    memo: dict = {}    # id(sympy object) -> Node
    keep = []          # keeps every memoized object alive, so that ids stay unique
    results = []
    stand_in = _stand_in_finder(replace)
    for root in exprs:
        stack = [(root, None)]
        while stack:
            expr, pending = stack.pop()
            if id(expr) in memo:
                continue
            if pending is None:
                children, build = stand_in(expr) or _plan(expr)
                missing = [c for c in children if id(c) not in memo]
                if missing:
                    stack.append((expr, (children, build)))
                    stack.extend((c, None) for c in reversed(missing))
                    continue
                pending = (children, build)
            children, build = pending
            memo[id(expr)] = build([memo[id(c)] for c in children])
            keep.append(expr)
        results.append(memo[id(root)])
    return results


def _stand_in_finder(replace):
    """expr -> the plan of its stand-in symbol, or None. Only candidates of a replaced type are compared
    (hashing every node would recurse into deep expressions)."""
    if not replace:
        return lambda expr: None
    by_type: dict = {}
    for target, sym in replace.items():
        by_type.setdefault(type(target), []).append((target, sym))

    def find(expr):
        for target, sym in by_type.get(type(expr), ()):
            if expr == target:
                return (), lambda _: symbol(sym)
        return None
    return find


def _plan(expr):
    """What `expr` needs lowered first, and how to build its node from them."""
    if isinstance(expr, sympy.Symbol):
        return (), lambda _: symbol(expr)
    # zoo (1/0) is not a sympy.Number subclass: it must be named here or the branch below never runs
    if isinstance(expr, (sympy.Number, NumberSymbol, ImaginaryUnit, ComplexInfinity)) or expr in (
            sympy.true, sympy.false):
        if isinstance(expr, ComplexInfinity):
            return (), lambda _: const(sympy.oo)  # 1/0: IEEE gives inf
        return (), lambda _: const(expr)
    if isinstance(expr, sympy.Add):
        return _plan_add(expr)
    if isinstance(expr, sympy.Mul):
        return _plan_mul(expr)
    if isinstance(expr, sympy.Pow):
        return _plan_pow(expr)
    if isinstance(expr, sympy.Piecewise):
        return _plan_piecewise(expr)
    if isinstance(expr, sympy.log) and len(expr.args) == 2:
        x, b = expr.args
        return (x, b), lambda n: ops.LOG(n[0]) / ops.LOG(n[1])
    if isinstance(expr, sympy.Heaviside):
        x = expr.args[0]
        h0 = expr.args[1] if len(expr.args) > 1 else sympy.S.Half
        return (x, h0), lambda n: ops.HEAVISIDE(*n)
    if isinstance(expr, sympy.Xor):
        return expr.args, lambda n: _chain(ops.XOR, n)
    if isinstance(expr, sympy.polygamma):
        order, x = expr.args
        if order == 0:
            return (x,), lambda n: ops.DIGAMMA(n[0])
        if not (order.is_Integer and order > 0):
            raise UnsupportedError(f"polygamma({order}, ...) is not supported: the order must be a "
                                   f"non-negative integer (0 is digamma)")
        op = ops.polygamma(int(order))
        return (x,), lambda n: op(n[0])
    if isinstance(expr, concrete.EXPANDABLE):
        return (concrete.expand(expr),), lambda n: n[0]  # finite sums/products, dot products: plain terms
    if isinstance(expr, sympy.UnevaluatedExpr):
        return expr.args, lambda n: n[0]  # only a grouping: its argument is computed as written
    if isinstance(expr, sympy.ITE):
        return expr.args, lambda n: ops.SELECT(*n)
    if isinstance(expr, (sympy.Min, sympy.Max, numpy_nodes.minimum, numpy_nodes.maximum)):
        op = ops.MIN if isinstance(expr, (sympy.Min, numpy_nodes.minimum)) else ops.MAX
        return expr.args, lambda n: op(*n) if len(n) > 1 else n[0]
    defined = DEFINED.get(type(expr))
    if defined is not None and len(expr.args) in (1, 2):
        return expr.args, defined
    op = _class_op(expr)
    if op is not None:
        if op.arity is not None and op.arity != len(expr.args):
            raise UnsupportedError(f"{type(expr).__name__} with {len(expr.args)} arguments is not supported "
                                   f"by symgraph (expected {op.arity})")
        return expr.args, lambda n: op(*n)
    raise _unsupported(expr)


def _chain(op, nodes):
    out = nodes[0]
    for n in nodes[1:]:
        out = op(out, n)
    return out


def _unsupported(expr):
    if isinstance(expr, sympy.Function) or isinstance(expr, sympy.core.function.AppliedUndef):
        name = getattr(expr.func, "__name__", str(expr.func))
        if hasattr(expr, "_imp_"):
            return UnsupportedError(f"{name} is an implemented_function (a Python callable): symgraph "
                                    f"compiles to Numba and cannot call it; write {name} as a SymPy expression")
        if isinstance(expr, sympy.core.function.AppliedUndef):
            return UnsupportedError(f"{name} is an undefined function: symgraph cannot compile {expr}; "
                                    f"replace it by an expression or a supported function")
        return UnsupportedError(f"{name} is not supported by symgraph (in {_short(expr)}); "
                                f"rewrite it with supported functions, e.g. expr.rewrite(...)")
    if isinstance(expr, sympy.Basic) and not isinstance(expr, sympy.Expr) and not isinstance(
            expr, sympy.logic.boolalg.Boolean):
        return SymgraphError(f"{type(expr).__name__} is not a numeric expression: cannot compile {_short(expr)}")
    return UnsupportedError(f"{type(expr).__name__} is not supported by symgraph (in {_short(expr)})")


def _short(expr, limit=80):
    text = str(expr)
    return text if len(text) <= limit else text[:limit] + "..."


def _is_negative_term(term):
    coeff = term.as_coeff_Mul()[0]
    return coeff.is_extended_real and coeff.is_negative


def _plan_add(expr):
    positive = [t for t in expr.args if not _is_negative_term(t)]
    negative = [-t for t in expr.args if _is_negative_term(t)]

    def build(nodes):
        pos, neg = nodes[:len(positive)], nodes[len(positive):]
        total = _sum(pos)
        if not neg:
            return total
        subtrahend = _sum(neg)
        return ops.NEG(subtrahend) if total is None else ops.SUB(total, subtrahend)

    return positive + negative, build


def _sum(nodes):
    if not nodes:
        return None
    return nodes[0] if len(nodes) == 1 else ops.ADD(*nodes)


def _product(nodes):
    return nodes[0] if len(nodes) == 1 else ops.MUL(*nodes)


def _plan_mul(expr):
    coeff, rest = expr.as_coeff_Mul()
    if coeff.is_extended_real and coeff.is_negative and coeff.is_finite:
        return (-expr,), lambda n: ops.NEG(n[0])
    numer, denom = [], []
    for f in expr.args:
        if f.is_Rational and not f.is_Integer:
            # x/q divides (correctly rounded, where x*fl(1/q) rounds twice); p/q with p != 1 is one constant,
            # rounded once, as lambdify has it ((p*x)/q would round twice: 0.56 mean bits against 0.43)
            if f.p != 1:
                numer.append(f)
            else:
                denom.append(sympy.Integer(f.q))
        elif isinstance(f, sympy.Pow) and (f.exp.is_Integer and f.exp.is_negative or f.exp == -sympy.S.Half):
            denom.append(sympy.Pow(f.base, -f.exp))
        else:
            numer.append(f)

    def build(nodes):
        num = _product(nodes[:len(numer)]) if numer else const(1)
        if not denom:
            return num
        return ops.DIV(num, _product(nodes[len(numer):]))

    return numer + denom, build


def _plan_pow(expr):
    base, e = expr.args
    if e.is_Integer and e.is_negative or e == -sympy.S.Half:
        positive = sympy.Pow(base, -e)
        return (positive,), lambda n: ops.DIV(const(1), n[0])
    if e == sympy.S.Half:
        return (base,), lambda n: ops.SQRT(n[0])
    if base == sympy.E:
        return (e,), lambda n: ops.EXP(n[0])
    return (base, e), lambda n: ops.POW(n[0], n[1])


def _plan_piecewise(expr):
    flat = []
    for e, c in expr.args:
        flat.extend((e, c))

    def build(nodes):
        pairs = [(nodes[i], nodes[i + 1]) for i in range(0, len(nodes), 2)]
        value, rest = None, pairs
        # a trailing True condition is the default; without one, uncovered points give nan
        if pairs and pairs[-1][1].is_const and pairs[-1][1].value == sympy.true:
            value, rest = pairs[-1][0], pairs[:-1]
        else:
            value = const(sympy.nan)
        for v, c in reversed(rest):
            if c.is_const:
                if c.value == sympy.true:
                    value = v
                continue  # a False condition never selects
            value = ops.SELECT(c, v, value)
        return value

    return flat, build
