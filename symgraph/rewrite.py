"""Rewrite rules as data and the engine that applies them.

A rule is (name, pattern, replacement, guard), tagged with its validity class and phase. Patterns are
built with the same calls that build nodes (`ops.LOG(1 + x)`); add/mul patterns match commutatively and
associatively. `rewrite_pass` runs one phase: a single non-recursive traversal that rebuilds every node
from its rewritten arguments and rewrites it to a local fixpoint, under a step cap.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from itertools import permutations
from typing import Callable, Optional

import sympy

from .errors import RewriteError
from .ir import Node, Op, as_node, topological

PHASES = ("canonicalize", "stabilize", "rearrange", "specialize", "fuse", "constant_products")


# t - t is the finiteness test (0 where t is finite, NaN elsewhere) that guarded replacements build:
# only these rules may rewrite it; a cancellation rule (1/x - 1/y, (x + y) - (x + z)) would turn the
# test into a copy of the formula it guards
SELF_DIFFERENCE_RULES = frozenset({"sub-self"})


class Validity(enum.Enum):
    """The classes of shared/reference/rewrites.md."""

    EXACT = "E"                       # bit-exact in IEEE for every input
    EXACT_EXCEPT_SPECIAL = "E\\N"     # exact except for NaN, inf or signed-zero inputs
    REAL_DOMAIN = "R"                 # an identity over the reals on the rule's (proven) domain
    GUARDED = "G"                     # R, with a runtime guard that keeps NaN outside the domain
    ACCURACY = "A"                    # the same real function, better conditioned

    @property
    def real_only(self) -> bool:
        """Rules of these classes may assume real arguments (they are not identities over C)."""
        return self in (Validity.REAL_DOMAIN, Validity.GUARDED)


class _PatternOps:
    """Arithmetic on patterns builds patterns, so that rules read like the algebra they state."""

    is_pattern = True

    def __add__(self, other):
        return _op("ADD")(self, other)

    def __radd__(self, other):
        return _op("ADD")(other, self)

    def __sub__(self, other):
        return _op("SUB")(self, other)

    def __rsub__(self, other):
        return _op("SUB")(other, self)

    def __mul__(self, other):
        return _op("MUL")(self, other)

    def __rmul__(self, other):
        return _op("MUL")(other, self)

    def __truediv__(self, other):
        return _op("DIV")(self, other)

    def __rtruediv__(self, other):
        return _op("DIV")(other, self)

    def __neg__(self):
        return _op("NEG")(self)

    def __pow__(self, other):
        return _op("POW")(self, other)

    def __rpow__(self, other):
        return _op("POW")(other, self)


def _op(name):
    from . import ops
    return getattr(ops, name)


class Var(_PatternOps):
    """Matches any node; every occurrence of one Var in a pattern must match the same node."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self):
        return self.name


class ConstVar(Var):
    """Matches constant nodes only; the binding is the const Node (its `.value` is a SymPy number)."""


class Pattern(_PatternOps):
    """An op applied to sub-patterns, Vars and literal constants. It matches through a plus_zero (the
    engine's mark on a cancelling sum's replacement) unless `exact_zero_sign`: sign_exact(pattern)."""

    def __init__(self, op: Op, args):
        self.op = op
        self.args = tuple(a if isinstance(a, (Var, Pattern)) else as_node(a) for a in args)
        self.exact_zero_sign = False

    def __repr__(self):
        return f"{self.op.name}({', '.join(map(repr, self.args))})"


def sign_exact(pattern: Pattern) -> Pattern:
    """`pattern`, not matching through plus_zero: for the rules that move a negation out of a product or a
    quotient, where -(x/u) would undo x/(-u + 0)'s +0."""
    pattern.exact_zero_sign = True
    return pattern


def unmarked(node: Node) -> Node:
    """node without the engine's plus_zero mark: what a rule that reads a node's op sees through."""
    return node.args[0] if node.op.name == "plus_zero" else node


# The nodes whose zero is +0 (a sum's exact cancellation of two nonzero terms, log(1), acosh(1)), the
# values that are never -0, and the ops whose result has its argument's sign at 0 (so that a zero's sign
# reaches what divides by it: 1/sqrt(x*x - 1), 1/(2*(1 - e^x)))
_ZERO_AS_PLUS = ("add", "sub", "log", "log2", "log10", "acosh")
ZERO_IS_PLUS = _ZERO_AS_PLUS + ("const", "abs", "plus_zero", "exp", "cosh")
_KEEPS_ZERO_SIGN = frozenset({"neg", "mul", "sqrt", "cbrt", "sin", "tan", "asin", "atan", "sinh", "tanh", "asinh",
                              "atanh", "expm1", "log1p", "plus_zero"})


def _zero_sign_matters(outputs) -> set:
    """Keys of the nodes whose zero's sign shows in an output: what a quotient divides by, a negative
    power's base, atan2's arguments, and (through the ops above) their arguments. A sum there rewritten
    to a product, a negation or a primitive is marked (plus_zero), so that it stays +0 where it cancels
    (1/(x*x - 1) is +inf at x = -1, as NumPy has it; a sum of two zeros, (-0) - 0, was -0 and is now +0:
    the rarer case). Elsewhere a -0 compares equal to +0, and the mark would only hide the replacement
    from the rules that read the graph's structure."""
    matters: set = set()
    for node in reversed(topological(outputs)):
        name = node.op.name
        if name == "div" or (name == "pow" and node.args[1].is_const and node.args[1].value.is_negative):
            matters.add(node.args[1].key if name == "div" else node.args[0].key)
        if name == "atan2":
            matters.update(a.key for a in node.args)
        if node.key in matters and (name in _KEEPS_ZERO_SIGN or name == "div"):
            matters.update(a.key for a in node.args[:1 if name == "div" else None])
    return matters


def _marked_if_signed_zero(replacement: Node, facts) -> Node:
    """The replacement of a sum (or a log), wrapped in plus_zero where its zero may be -0."""
    if replacement.op.name in ZERO_IS_PLUS or facts.nonzero(replacement):
        return replacement
    from .ops import PLUS_ZERO
    return PLUS_ZERO(replacement)


@dataclass(frozen=True, eq=False)
class Rule:
    """One rewrite. `replacement` is a pattern over the same Vars, a Node, or a function of the bindings
    (keyword arguments; with `whole`, the matched node too) returning a Node, or None to decline.
    `when(facts, **bindings)` guards it."""

    name: str
    pattern: Pattern
    replacement: object
    when: Optional[Callable] = None
    validity: Validity = Validity.EXACT
    phase: str = "canonicalize"
    ref: str = ""
    doc: str = ""
    variables: tuple = field(default=(), compare=False)
    whole: bool = False  # the replacement function also gets the matched node itself, as `node`

    def __post_init__(self):
        if not isinstance(self.pattern, Pattern):
            raise TypeError(f"rule {self.name}: the pattern must have an op at its root, got {self.pattern!r}")
        if self.phase not in PHASES:
            raise ValueError(f"rule {self.name}: phase must be one of {PHASES}, got {self.phase!r}")
        names = []
        stack = [self.pattern]
        while stack:
            p = stack.pop()
            if isinstance(p, Var):
                if p.name not in names:
                    names.append(p.name)
            elif isinstance(p, Pattern):
                stack.extend(p.args)
        object.__setattr__(self, "variables", tuple(names))

    @property
    def root(self) -> str:
        return self.pattern.op.name

    def apply(self, node: Node, facts) -> Optional[Node]:
        """The replacement of `node` by this rule, or None when it does not match or declines."""
        if node.op.name == "sub" and node.args[0] is node.args[1] and self.name not in SELF_DIFFERENCE_RULES:
            return None
        for bindings in match(self.pattern, node, {}):
            if self.when is not None and not self.when(facts, **bindings):
                continue
            result = build(self.replacement, {**bindings, "node": node} if self.whole else bindings)
            if result is not None and result is not node:
                return result
        return None

    def __repr__(self):
        return f"Rule({self.name}: {self.pattern!r} -> {self.replacement!r}, {self.validity.value}, {self.phase})"


@dataclass(frozen=True)
class Firing:
    """One application of a rule: which, where, and in which phase."""

    rule: str
    before: Node
    after: Node
    phase: str
    round: int = 1  # the round of the pipeline (passes.optimize runs it until a round changes nothing)


# ---------------------------------------------------------------- matching

def same_value(a, b) -> bool:
    """Whether two constant values are equal numbers (1 matches 1.0; SymPy says Float(1) != 1)."""
    if a == b:
        return True
    try:
        if a.is_Number and b.is_Number and a.is_finite and b.is_finite:
            return sympy.Rational(a) == sympy.Rational(b)
    except (AttributeError, TypeError):
        return False
    return False


def match(pattern, node: Node, bindings: dict):
    """Every way `pattern` matches `node`, extending `bindings` (a generator of dicts).

    Patterns are small and fixed, so this recursion is bounded by the rule's size, not the user's graph.
    """
    if isinstance(pattern, Var):
        bound = bindings.get(pattern.name)
        if bound is not None:
            if bound is node:
                yield bindings
            return
        if isinstance(pattern, ConstVar) and not node.is_const:
            return
        yield {**bindings, pattern.name: node}
        return
    if isinstance(pattern, Node):  # a literal constant
        if node is pattern or (node.is_const and pattern.is_const and same_value(node.value, pattern.value)):
            yield bindings
        return
    if node.op is not pattern.op and node.op.name == "plus_zero" and not pattern.exact_zero_sign:
        node = node.args[0]
    if node.op is not pattern.op:
        return
    if pattern.op.commutative:
        if pattern.op.arity is None:
            yield from _match_nary(pattern, node, bindings)
        else:
            for order in permutations(node.args):
                yield from _match_sequence(pattern.args, order, bindings)
        return
    if len(pattern.args) != len(node.args):
        return
    yield from _match_sequence(pattern.args, node.args, bindings)


def _match_sequence(pats, nodes, bindings):
    if not pats:
        yield bindings
        return
    for b in match(pats[0], nodes[0], bindings):
        yield from _match_sequence(pats[1:], nodes[1:], b)


def _match_nary(pattern, node, bindings):
    """add/mul: specific sub-patterns take one argument each; plain Vars share what is left."""
    specific = [p for p in pattern.args if not (type(p) is Var)]
    free = [p for p in pattern.args if type(p) is Var]
    if len(specific) > len(node.args) or (not free and len(pattern.args) != len(node.args)):
        return
    seen = set()
    for chosen, b in _assign(specific, list(node.args), bindings):
        rest = [a for i, a in enumerate(node.args) if i not in chosen]
        for result in _share(free, rest, pattern.op, b):
            signature = tuple(sorted((k, v.key) for k, v in result.items()))
            if signature not in seen:  # equal arguments give the same binding many times
                seen.add(signature)
                yield result


def _assign(pats, args, bindings, taken=frozenset()):
    if not pats:
        yield taken, bindings
        return
    for i, a in enumerate(args):
        if i in taken:
            continue
        for b in match(pats[0], a, bindings):
            yield from _assign(pats[1:], args, b, taken | {i})


def _share(free, rest, op, bindings):
    if not free:
        if not rest:
            yield bindings
        return
    if len(rest) < len(free):
        return
    if len(free) == 1:
        value = rest[0] if len(rest) == 1 else Node.make(op, tuple(rest))
        yield from match(free[0], value, bindings)
        return
    # several free Vars: each takes one argument, the last takes the remainder
    for i, a in enumerate(rest):
        for b in match(free[0], a, bindings):
            yield from _share(free[1:], rest[:i] + rest[i + 1:], op, b)


def build(replacement, bindings: dict) -> Optional[Node]:
    """Instantiate a replacement (pattern, node, constant or function of the bindings)."""
    if isinstance(replacement, Node):
        return replacement
    if isinstance(replacement, Var):
        return bindings[replacement.name]
    if isinstance(replacement, Pattern):
        # iterative post-order over the (small) replacement pattern
        values = {}
        stack = [(replacement, False)]
        while stack:
            p, expanded = stack.pop()
            if not isinstance(p, Pattern):
                values[id(p)] = bindings[p.name] if isinstance(p, Var) else p
                continue
            if expanded:
                values[id(p)] = p.op(*[values[id(a)] for a in p.args])
                continue
            stack.append((p, True))
            stack.extend((a, False) for a in p.args)
        return values[id(replacement)]
    if callable(replacement):
        result = replacement(**bindings)
        return None if result is None else as_node(result)
    return as_node(replacement)


# ---------------------------------------------------------------- the engine

class RuleIndex:
    """Rules grouped by the op at their pattern's root, in declaration order."""

    def __init__(self, rules=()):
        self.by_op: dict = {}
        self.rules: list = []
        for r in rules:
            self.add(r)

    def add(self, rule: Rule):
        self.rules.append(rule)
        self.by_op.setdefault(rule.root, []).append(rule)

    def for_node(self, node: Node) -> list:
        return self.by_op.get(node.op.name, ())

    def __len__(self):
        return len(self.rules)


def rewrite_pass(outputs, index: RuleIndex, facts, phase: str, trace: list, *, generic=(),
                 step_cap: Optional[int] = None, frozen=(), opaque=None) -> list:
    """Rewrite every node reachable from `outputs` to a local fixpoint; returns the new outputs.

    One traversal with an explicit stack. `memo` maps each visited node to its normal form (and each
    normal form to itself), so shared subgraphs are visited once. A firing's replacement is normalized
    in the same traversal; a rule cycle or more than `step_cap` firings raises RewriteError.
    `generic` holds (name, function) pairs tried on every node after the indexed rules (constant folding).
    The nodes in `frozen` (and so everything below them) are left exactly as they are, and so are the
    nodes for which `opaque(node)` holds (a later phase's own forms, in an earlier phase of a later round).
    """
    outputs = list(outputs)
    memo: dict = {n.key: n for n in frozen}
    in_progress: dict = {}  # key of a node being normalized -> its rebuilt form (for cycle detection)
    steps = 0
    if step_cap is None:
        step_cap = 10_000 + 50 * len(topological(outputs))
    signed_zeros = _zero_sign_matters(outputs)
    for root in outputs:
        stack = [[root, 0, None, None]]
        while stack:
            frame = stack[-1]
            node, state = frame[0], frame[1]
            if state == 0 and node.key in memo:
                stack.pop()
                continue
            if state == 0 and opaque is not None and opaque(node):
                memo[node.key] = node
                stack.pop()
                continue
            if state == 0:
                frame[1] = 1
                for a in reversed(node.args):
                    if a.key not in memo:
                        stack.append([a, 0, None, None])
                continue
            if state == 1:
                if node.op.arity == 0:
                    memo[node.key] = node
                    stack.pop()
                    continue
                args = tuple(memo[a.key] for a in node.args)
                rebuilt = node if args == node.args else Node.make(node.op, args, node.attr)
                if rebuilt.key in memo:
                    memo[node.key] = memo[rebuilt.key]
                    stack.pop()
                    continue
                if rebuilt.key in in_progress:
                    # a replacement that keeps the node it replaces (select(ok, original, better)):
                    # inside it the original stays as it is; elsewhere it maps to the replacement
                    memo[node.key] = memo[rebuilt.key] = rebuilt
                    stack.pop()
                    continue
                name, replacement = _first_firing(rebuilt, index, facts, generic)
                if replacement is None:
                    memo[node.key] = memo[rebuilt.key] = rebuilt
                    stack.pop()
                    continue
                if rebuilt.op.name in _ZERO_AS_PLUS and node.key in signed_zeros:
                    replacement = _marked_if_signed_zero(replacement, facts)
                steps += 1
                trace.append(Firing(name, rebuilt, replacement, phase))
                cycle = replacement.key in in_progress
                if cycle or steps > step_cap:
                    why = "the rules form a cycle" if cycle else \
                        f"more than {step_cap} rewrite steps"
                    recent = ", ".join(f.rule for f in trace[-12:])
                    raise RewriteError(f"rewriting did not terminate in phase {phase}: {why} (last rules fired: "
                                       f"{recent}); switch one of them off with Options(disable_rules=...)")
                in_progress[rebuilt.key] = rebuilt
                frame[1], frame[2], frame[3] = 2, rebuilt, replacement
                stack.append([replacement, 0, None, None])
                continue
            # state 2: the replacement is normalized; it is this node's normal form too
            rebuilt, replacement = frame[2], frame[3]
            del in_progress[rebuilt.key]
            memo[node.key] = memo[rebuilt.key] = memo[replacement.key]
            stack.pop()
    return [memo[o.key] for o in outputs]


def _first_firing(node, index, facts, generic):
    for rule in index.for_node(node):
        result = rule.apply(node, facts)
        if result is not None:
            return rule.name, result
    for name, fn in generic:
        result = fn(node, facts)
        if result is not None and result is not node:
            return name, result
    return None, None

