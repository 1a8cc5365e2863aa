"""Reverse-mode automatic differentiation: graph -> graph.

One backward sweep over the DAG in reverse topological order; each node's adjoint is the sum of the
contributions its consumers send it, built from the consumer op's `vjp` fact (symgraph.ops). Adjoints are
ordinary interned nodes, so the backward graph is hash-consed into the forward one and the compiled kernel
computes value and gradient in one loop with shared work. Symbolic zeros are never materialised: a node
nobody sends a contribution to has no adjoint, and a contribution that is the constant 0 is dropped.

Conventions at non-smooth points (as in JAX/PyTorch): select/Piecewise passes the adjoint to the branch
taken (selected, never multiplied by 0, so the other branch's NaN cannot leak); abs'(0) = sign(0) = 0;
min/max split the adjoint evenly among tied arguments; floor, ceiling, sign, heaviside and relations have
derivative 0. For complex inputs the result is the complex derivative df/dz (holomorphic functions).
"""
from __future__ import annotations

from collections import Counter

import sympy

from . import ops
from .errors import SymgraphError, UnsupportedError
from .ir import Graph, Node, as_node, const, symbol, topological

# ops whose complex derivative does not exist: the chain rule through them is meaningless for complex z
NONHOLOMORPHIC = frozenset({"abs", "re", "im", "conjugate", "arg", "sign", "floor", "ceiling", "mod",
                            "max", "min", "heaviside"})


def _is_zero(node: Node) -> bool:
    return node.is_const and node.value == 0 and node.value is not sympy.false


def _is_one(node: Node) -> bool:
    return node.is_const and node.value == 1


# ------------------------------------------------------------------ tidying derivative terms
class _Tidy:
    """Exact IEEE simplifications of freshly built derivative nodes (1*x -> x, -(-x) -> x, (-a)*b ->
    -(a*b), x/1 -> x, const folding of coefficients), so a gradient graph is small before any rewrite pass
    runs and stays readable with rewrite=False. Only nodes not in `settled` are visited (explicit stack)."""

    def __init__(self, settled):
        self.memo = {key: None for key in settled}  # key -> tidied node (None: the node itself)

    def __call__(self, root: Node) -> Node:
        memo = self.memo
        if root.key in memo:
            return memo[root.key] or root
        stack = [(root, False)]
        while stack:
            node, ready = stack.pop()
            if node.key in memo:
                continue
            if not ready:
                stack.append((node, True))
                stack.extend((a, False) for a in node.args if a.key not in memo)
                continue
            args = tuple(memo[a.key] or a for a in node.args)
            tidy = _simplify(node.op, args) if node.op.arity != 0 else node
            memo[node.key] = tidy
            if tidy.key not in memo:
                memo[tidy.key] = None
        return memo[root.key] or root


def _simplify(op, args) -> Node:
    name = op.name
    if name == "mul":
        return _product(args)
    if name == "neg":
        (a,) = args
        if a.op is ops.NEG:
            return a.args[0]
        if a.is_const:
            return const(-a.value)
        return ops.NEG(a)
    if name == "div":
        a, b = args
        if _is_zero(a) or _is_one(b):
            return a
        negative = False
        if a.op is ops.NEG:
            a, negative = a.args[0], True
        if b.op is ops.NEG:
            b, negative = b.args[0], not negative
        q = a if _is_one(b) else ops.DIV(a, b)
        return _negate(q) if negative else q
    if name == "add":
        kept = [a for a in args if not _is_zero(a)]
        if not kept:
            return const(0)
        return kept[0] if len(kept) == 1 else ops.ADD(*kept)
    if name == "sub":
        a, b = args
        if _is_zero(b):
            return a
        if _is_zero(a):
            return _negate(b)
        if b.op is ops.NEG:
            return ops.ADD(a, b.args[0])
        return ops.SUB(a, b)
    if name == "pow":
        a, b = args
        if _is_one(b):
            return a
        return ops.POW(a, b)
    if name == "select":
        c, a, b = args
        if a is b:
            return a
        if c.is_const:
            return a if c.value == sympy.true else b
        return ops.SELECT(c, a, b)
    return Node.make(op, args, None)


def _negate(a: Node) -> Node:
    if a.op is ops.NEG:
        return a.args[0]
    if a.is_const:
        return const(-a.value)
    return ops.NEG(a)


def _product(args) -> Node:
    """A product with its constant factors folded exactly and its negations pulled out front."""
    coeff = sympy.Integer(1)
    factors = []
    negative = False
    for a in args:
        if a.is_const and a.value.is_number and a.value.is_finite:
            coeff *= a.value
        elif a.op is ops.NEG:
            negative = not negative
            factors.append(a.args[0])
        else:
            factors.append(a)
    if coeff == 0:
        return const(0)  # a zero coefficient is a symbolic zero of the derivative, not 0*x
    if coeff.is_extended_real and coeff.is_negative:
        coeff, negative = -coeff, not negative
    if coeff != 1:
        factors.insert(0, const(coeff))
    if not factors:
        result = const(1)
    else:
        result = factors[0] if len(factors) == 1 else ops.MUL(*factors)
    return _negate(result) if negative else result


# select(c, h, 0) is an adjoint that only exists where c holds. Such guards are kept outermost: a node
# whose adjoint is guarded computes its contributions from h and guards each of them again, so a local
# derivative that is NaN or inf in the branch not taken is selected away, never multiplied by 0 (the
# NaN-gradient trap of jnp.where). Up to MAX_GUARD_DEPTH nested guards are carried (cost: one select each).
MAX_GUARD_DEPTH = 3


def _guard(node: Node):
    """(condition, whether the adjoint lives where it is true, inner adjoint), or None if unguarded."""
    if node.op is ops.SELECT:
        c, a, b = node.args
        if _is_zero(b) and not _is_zero(a):
            return c, True, a
        if _is_zero(a) and not _is_zero(b):
            return c, False, b
    return None


def _guarded(condition: Node, when: bool, node: Node) -> Node:
    return ops.SELECT(condition, node, const(0)) if when else ops.SELECT(condition, const(0), node)


def _sum(parts) -> Node:
    """The sum of adjoint contributions, guards merged: select(c, a, 0) + select(c, 0, b) is select(c, a, b)."""
    groups, plain = {}, []
    for p in parts:
        guard = _guard(p)
        if guard is None:
            plain.append(p)
            continue
        condition, when, inner = guard
        entry = groups.setdefault(condition.key, (condition, [], []))
        entry[1 if when else 2].append(inner)
    for condition, taken, other in groups.values():
        a = _plain_sum(taken) if taken else const(0)
        b = _plain_sum(other) if other else const(0)
        plain.append(ops.SELECT(condition, a, b))
    return _plain_sum(plain)


def _plain_sum(parts) -> Node:
    """A sum in which repeats become one scaled term and negated terms one subtrahend."""
    counts = Counter(p.key for p in parts)
    unique = {}
    for p in parts:
        unique.setdefault(p.key, p)
    positive, negative = [], []
    for key, p in unique.items():
        k = counts[key]
        term_neg = p.op is ops.NEG
        base = p.args[0] if term_neg else p
        if k > 1:
            base = _product((const(k), base))
            if base.op is ops.NEG:
                base, term_neg = base.args[0], not term_neg
        (negative if term_neg else positive).append(base)

    def total(nodes):
        return nodes[0] if len(nodes) == 1 else ops.ADD(*nodes)

    if not negative:
        return total(positive)
    if not positive:
        return ops.NEG(total(negative))
    return ops.SUB(total(positive), total(negative))


# ------------------------------------------------------------------ the sweep
def backward(seeds, wrt) -> tuple:
    """Adjoints of the nodes `wrt` for the output adjoints `seeds` ((output node, seed node) pairs, or a dict).

    Returns one node per `wrt` entry (the constant 0 where the outputs do not depend on it) and the set of
    op names the derivative passed through (to tell holomorphic from non-holomorphic functions).
    """
    wrt = [as_node(w) for w in wrt]
    seeds = list(seeds.items()) if isinstance(seeds, dict) else [(as_node(r), s) for r, s in seeds]
    roots = [r for r, _ in seeds]
    order = topological(roots)
    targets = {w.key for w in wrt}
    depends = set()
    for node in order:  # forward: which nodes lie on a path from some wrt node
        if node.key in targets or any(a.key in depends for a in node.args):
            depends.add(node.key)
    tidy = _Tidy(n.key for n in order)
    pending = {}
    for root, seed in seeds:
        if root.key in depends and not _is_zero(as_node(seed)):
            pending.setdefault(root.key, []).append(tidy(as_node(seed)))
    adjoints, used_ops = {}, set()
    for node in reversed(order):
        parts = pending.pop(node.key, None)
        if not parts:
            continue
        g = tidy(_sum(parts)) if len(parts) > 1 else parts[0]
        if node.key in targets:
            adjoints[node.key] = g
        if node.op.arity == 0:
            continue
        if node.op.vjp is None:
            raise UnsupportedError(f"{node.op.name} has no derivative rule (in {_short(node)}): symgraph cannot "
                                   f"differentiate through it; rewrite the expression without it")
        used_ops.add(node.op.name)
        guards, inner = [], g
        while len(guards) < MAX_GUARD_DEPTH:
            guard = _guard(inner)
            if guard is None:
                break
            guards.append(guard[:2])
            inner = guard[2]
        contributions = node.op.vjp(inner, node, *node.args)
        for arg, c in zip(node.args, contributions):
            if c is None or arg.key not in depends:
                continue
            c = tidy(as_node(c))
            if _is_zero(c):
                continue
            for condition, when in reversed(guards):
                c = _guarded(condition, when, c)
            pending.setdefault(arg.key, []).append(c)
    return tuple(adjoints.get(w.key, const(0)) for w in wrt), used_ops


def _short(node, limit=60):
    try:
        text = str(node.to_sympy())
    except Exception:  # a huge or deep subgraph: its op is enough to name the problem
        text = node.op.name
    return text if len(text) <= limit else text[:limit] + "..."


def _wrt_nodes(graph: Graph, wrt):
    single = isinstance(wrt, (sympy.Symbol, Node, str))
    items = [wrt] if single else list(wrt)
    nodes = []
    for w in items:
        if isinstance(w, str):
            matches = [s for s in graph.inputs if s.name == w]
            if len(matches) != 1:
                raise SymgraphError(f"cannot differentiate with respect to {w!r}: the graph has "
                                    f"{'no' if not matches else 'several'} symbols of that name; pass the Symbol")
            w = matches[0]
        if isinstance(w, sympy.Symbol):
            w = symbol(w)
        if not isinstance(w, Node) or not w.is_symbol:
            raise SymgraphError(f"can only differentiate with respect to Symbols, not {w!r}")
        nodes.append(w)
    return nodes, single


def _scalar_output(graph: Graph, what: str) -> Node:
    if len(graph.outputs) != 1:
        raise SymgraphError(f"{what} needs a single scalar expression, but the graph has {len(graph.outputs)} "
                            f"outputs: use jacobian for several outputs, or differentiate one of them")
    return graph.outputs[0]


def grad_graph(graph: Graph, wrt) -> Graph:
    """The partial derivatives of a scalar graph's output with respect to `wrt` (a Symbol or a list).

    The result is a Graph whose outputs are the partials (form "single" for a single Symbol, else "tuple").
    """
    nodes, single = _wrt_nodes(graph, wrt)
    out = _scalar_output(graph, "grad")
    grads, _ = backward({out: const(1)}, nodes)
    return Graph(grads, "single" if single else "tuple")


def jacobian_graph(graph: Graph, wrt) -> Graph:
    """d output_i / d wrt_j for every output, as a matrix graph of shape (outputs, len(wrt))."""
    nodes, _ = _wrt_nodes(graph, wrt)
    rows = [backward([(o, const(1))], nodes)[0] for o in graph.outputs]
    return Graph([d for row in rows for d in row], "matrix", (len(graph.outputs), len(nodes)))


def hessian_graph(graph: Graph, wrt) -> Graph:
    """The Hessian of a scalar graph (reverse over reverse), as a (len(wrt), len(wrt)) matrix graph."""
    nodes, _ = _wrt_nodes(graph, wrt)
    out = _scalar_output(graph, "hessian")
    grads, _ = backward({out: const(1)}, nodes)
    rows = [backward([(g, const(1))], nodes)[0] for g in grads]
    return Graph([d for row in rows for d in row], "matrix", (len(nodes), len(nodes)))


def hvp_graph(graph: Graph, wrt, tangents) -> Graph:
    """The Hessian-vector product H @ v of a scalar graph, v given as Symbols (one per `wrt` entry):
    the gradient of <grad f, v> (reverse over reverse: one more sweep, no n x n Hessian)."""
    nodes, _ = _wrt_nodes(graph, wrt)
    vs, _ = _wrt_nodes(Graph([]), list(tangents))
    if len(vs) != len(nodes):
        raise SymgraphError(f"hvp needs one tangent per variable: {len(nodes)} variables, {len(vs)} tangents")
    out = _scalar_output(graph, "hvp")
    grads, _ = backward({out: const(1)}, nodes)
    return Graph(backward(list(zip(grads, vs)), nodes)[0], "tuple")
