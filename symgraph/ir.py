"""The graph: interned immutable nodes (structural equality is identity), the Op record, and Graph.

Every node is built through `Node.make`, which returns the existing node when an equal one is alive,
so common subexpressions are shared by construction. Nothing here recurses over a graph.
"""
from __future__ import annotations

import hashlib
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

import sympy

REAL, COMPLEX, BOOL = "real", "complex", "bool"


def _promote(kinds):
    return COMPLEX if COMPLEX in kinds else REAL


@dataclass(eq=False, frozen=True)
class Op:
    """One operation and all its facts. Instances live in `symgraph.ops`.

    name        identifier (also used in generated helper names and traces)
    arity       number of arguments, or None for n-ary (add, mul, and, or, min, max)
    to_sympy    builds the SymPy form from SymPy arguments (and is the op's exact meaning)
    sympy_types SymPy classes that lower one-to-one onto this op
    emit        Numba expression for real arguments: a format string over {0}, {1}, ... where
                `@name(` calls the helper function `name` of `symgraph.ops.HELPERS`; or a
                callable (ctx, *argument_names) -> str; None when the op has no real form
    emit_complex the same for complex arguments; None when the op is not defined there
    result      kinds of the arguments -> kind of the value (REAL, COMPLEX or BOOL)
    commutative arguments are sorted at construction so that a+b and b+a are one node
    mpmath      reference evaluation at high precision (tests, constant folding)
    vjp         reverse-mode rule: (g, out, *args) -> one adjoint node per argument (None = no gradient)
    """

    name: str
    arity: Optional[int]
    to_sympy: Callable
    sympy_types: tuple = ()
    emit: Any = None
    emit_complex: Any = None
    result: Callable = _promote
    commutative: bool = False
    mpmath: Optional[Callable] = None
    vjp: Optional[Callable] = None
    description: str = ""
    extra: dict = field(default_factory=dict)

    def __call__(self, *args) -> "Node":
        if self.arity is not None and len(args) != self.arity:
            raise TypeError(f"{self.name} takes {self.arity} arguments, got {len(args)}")
        if any(getattr(a, "is_pattern", False) for a in args):
            # a rewrite pattern: the same calls that build nodes build patterns (symgraph.rewrite)
            from .rewrite import Pattern
            return Pattern(self, args)
        return Node.make(self, tuple(as_node(a) for a in args))

    def __repr__(self):
        return f"<op {self.name}>"


class Node:
    """An interned node of the graph. Never construct directly: use Op(...) calls, `const`, `symbol`."""

    __slots__ = ("op", "args", "attr", "key", "__weakref__")
    _table: "weakref.WeakValueDictionary[bytes, Node]" = weakref.WeakValueDictionary()

    @classmethod
    def make(cls, op: Op, args: tuple = (), attr: Any = None) -> "Node":
        if op.commutative and len(args) > 1:
            args = tuple(sorted(args, key=_order_key))
        h = hashlib.blake2b(digest_size=16)
        h.update(op.name.encode())
        h.update(b"\0")
        if attr is not None:
            h.update(sympy.srepr(attr).encode())
        for a in args:
            h.update(a.key)
        key = h.digest()
        node = cls._table.get(key)
        if node is None:
            node = object.__new__(cls)
            node.op, node.args, node.attr, node.key = op, args, attr, key
            cls._table[key] = node
        return node

    def __setattr__(self, name, value):
        if hasattr(self, "key"):
            raise AttributeError("graph nodes are immutable")
        object.__setattr__(self, name, value)

    # -- arithmetic builds nodes, so rules and derivatives read like the algebra they state --
    def __add__(self, other):
        from .ops import ADD
        return ADD(self, other)

    def __radd__(self, other):
        from .ops import ADD
        return ADD(other, self)

    def __sub__(self, other):
        from .ops import SUB
        return SUB(self, other)

    def __rsub__(self, other):
        from .ops import SUB
        return SUB(other, self)

    def __mul__(self, other):
        from .ops import MUL
        return MUL(self, other)

    def __rmul__(self, other):
        from .ops import MUL
        return MUL(other, self)

    def __truediv__(self, other):
        from .ops import DIV
        return DIV(self, other)

    def __rtruediv__(self, other):
        from .ops import DIV
        return DIV(other, self)

    def __neg__(self):
        from .ops import NEG
        return NEG(self)

    def __pow__(self, other):
        from .ops import POW
        return POW(self, other)

    def __rpow__(self, other):
        from .ops import POW
        return POW(other, self)

    @property
    def is_const(self) -> bool:
        return self.op.name == "const"

    @property
    def is_symbol(self) -> bool:
        return self.op.name == "symbol"

    @property
    def value(self):
        """The SymPy value of a constant node (exact where SymPy is exact)."""
        return self.attr

    def to_sympy(self):
        return Graph([self]).to_sympy()

    def __repr__(self):
        if self.is_const or self.is_symbol:
            return f"{self.op.name}({self.attr})"
        return f"{self.op.name}({', '.join('#' + a.key.hex()[:6] for a in self.args)})"


def _order_key(node: Node):
    # constants first (they read as coefficients), then a deterministic structural order
    return (not node.is_const, node.key)


def _const_op():
    from .ops import CONST
    return CONST


def const(value) -> Node:
    """A constant node. Python numbers become SymPy numbers, so folding can stay exact."""
    if isinstance(value, Node):
        return value
    if isinstance(value, bool):
        value = sympy.true if value else sympy.false
    value = sympy.sympify(value)
    return Node.make(_const_op(), (), value)


def binary_exponent(node: Node):
    """k where `node` is the constant +-2^k (a product by it is exact in floating point, but for overflow
    and underflow), else None."""
    if not node.is_const or not node.value.is_Number or not node.value.is_finite or node.value == 0:
        return None
    r = sympy.Rational(node.value)  # exact, for a Float too
    p, q = abs(int(r.p)), int(r.q)
    if p & (p - 1) or q & (q - 1):
        return None
    return p.bit_length() - q.bit_length()


def symbol(sym: sympy.Symbol) -> Node:
    from .ops import SYMBOL
    return Node.make(SYMBOL, (), sym)


def as_node(x) -> Node:
    if isinstance(x, Node):
        return x
    if isinstance(x, sympy.Symbol):
        return symbol(x)
    return const(x)


def with_args(node: Node, args) -> Node:
    """`node` itself where `args` are its own arguments, else the same op (and attr) on `args`."""
    args = tuple(args)
    return node if all(a is b for a, b in zip(args, node.args)) else Node.make(node.op, args, node.attr)


def topological(outputs: Iterable[Node]) -> list:
    """Every node reachable from `outputs`, each after its arguments (iterative post-order)."""
    order, seen = [], set()
    for root in outputs:
        if root.key in seen:
            continue
        stack = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if node.key in seen:
                continue
            seen.add(node.key)
            stack.append((node, True))
            for a in reversed(node.args):
                if a.key not in seen:
                    stack.append((a, False))
    return order


class Graph:
    """A DAG with one or more outputs.

    form is "single" (one expression), "tuple" (a list/tuple of expressions) or "matrix" (shape gives
    rows, cols; outputs in row-major order). len(graph) is the number of distinct nodes.
    """

    __slots__ = ("outputs", "form", "shape", "_nodes", "__weakref__")

    def __init__(self, outputs, form: str = "single", shape: Optional[tuple] = None):
        self.outputs = tuple(as_node(o) for o in outputs)
        self.form = form
        self.shape = shape
        self._nodes = None

    @property
    def nodes(self) -> list:
        if self._nodes is None:
            self._nodes = topological(self.outputs)
        return self._nodes

    def __len__(self):
        return len(self.nodes)

    def __iter__(self):
        return iter(self.nodes)

    @property
    def inputs(self) -> list:
        """The SymPy symbols the graph reads, sorted by name."""
        return sorted((n.attr for n in self.nodes if n.is_symbol), key=lambda s: (s.name, sympy.srepr(s)))

    @property
    def key(self) -> str:
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{self.form}{self.shape}".encode())
        for o in self.outputs:
            h.update(o.key)
        return h.hexdigest()

    def with_outputs(self, outputs) -> "Graph":
        return Graph(outputs, self.form, self.shape)

    def substitute(self, mapping: dict) -> "Graph":
        """The same graph with nodes replaced ({old node: new node}), rebuilt bottom-up without recursion."""
        new = {}
        for node in self.nodes:
            new[node.key] = mapping[node] if node in mapping else with_args(node, [new[a.key] for a in node.args])
        return self.with_outputs([new[o.key] for o in self.outputs])

    def to_sympy(self):
        """The SymPy expression(s) this graph computes, in the form they were given."""
        values = {}
        for node in self.nodes:
            values[node.key] = node.attr if node.is_const or node.is_symbol else \
                node.op.to_sympy(*[values[a.key] for a in node.args])
        exprs = [values[o.key] for o in self.outputs]
        if self.form == "single":
            return exprs[0]
        if self.form == "matrix":
            return sympy.Matrix(self.shape[0], self.shape[1], exprs)
        return exprs

    def listing(self, limit: int = 40) -> str:
        """The graph as SSA lines, one per node (truncated after `limit` nodes)."""
        names = {}
        lines = []
        for i, node in enumerate(self.nodes):
            names[node.key] = f"%{i}"
            if i >= limit:
                continue
            if node.is_const or node.is_symbol:
                rhs = f"{node.op.name} {node.attr}"
            else:
                rhs = f"{node.op.name}({', '.join(names[a.key] for a in node.args)})"
            lines.append(f"  %{i} = {rhs}")
        if len(self.nodes) > limit:
            lines.append(f"  ... {len(self.nodes) - limit} more nodes")
        lines.append("  return " + ", ".join(names[o.key] for o in self.outputs))
        return "\n".join(lines)

    def __repr__(self):
        ins = ", ".join(s.name for s in self.inputs)
        head = f"Graph({len(self)} nodes, {len(self.outputs)} output{'s' if len(self.outputs) != 1 else ''}, inputs [{ins}])"
        return head + "\n" + self.listing()

    def grad(self, wrt, **options) -> "Graph":
        """Reverse-mode derivative of a single scalar output with respect to `wrt` (see autodiff)."""
        from .autodiff import grad_graph
        return grad_graph(self, wrt, **options)
