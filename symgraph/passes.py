"""The default optimization pipeline: canonicalize -> stabilize -> rearrange -> horner (compensated
polynomials) -> fold constants -> specialize -> fuse -> constant products -> remove dead nodes, with
constant folding and the options that switch rules or phases off."""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import sympy

from .domain import Facts
from .errors import SymgraphError
from .ir import Graph, Node, const
from .rewrite import RuleIndex, rewrite_pass
from .rules import fuse, polynomials

PIPELINE = ("canonicalize", "stabilize", "rearrange", "horner", "fold_constants", "specialize", "fuse",
            "constant_products", "remove_dead")
# what a phase that is no rule set records in the trace (and a name disable_rules takes too)
PHASE_RULES = {"horner": polynomials.HORNER}


@dataclass
class Options:
    """What the pipeline may do. `disable_rules`: rule names never to fire; `disable_phases`: phases of
    PIPELINE to skip. `sg.compile(..., rewrite=Options(disable_rules={"log1p"}))`."""

    disable_rules: set = field(default_factory=set)
    disable_phases: set = field(default_factory=set)
    step_cap: int = 0  # 0: proportional to the graph's size

    def __post_init__(self):
        self.disable_rules = set(self.disable_rules)
        self.disable_phases = set(self.disable_phases)
        unknown = self.disable_phases - set(PIPELINE)
        if unknown:
            raise SymgraphError(f"unknown phase(s) {sorted(unknown)} in disable_phases; the phases are {list(PIPELINE)}")
        names = {r.name for r in rules()} | set(PHASE_RULES.values())
        unknown = self.disable_rules - names
        if unknown:
            raise SymgraphError(f"unknown rule(s) {sorted(unknown)} in disable_rules; see "
                                f"symgraph.passes.rule_names() for the {len(names)} rule names")

    @classmethod
    def coerce(cls, options) -> "Options":
        if options is True or options is None:
            return cls()
        if isinstance(options, cls):
            return options
        if isinstance(options, dict):
            return cls(**options)
        raise SymgraphError(f"rewrite must be True, False, a dict or symgraph.Options, not {type(options).__name__}")


_RULES: list = []


def rules() -> list:
    """Every rule of symgraph.rules (collected once)."""
    if not _RULES:
        from .rules import all_rules
        _RULES.extend(all_rules())
    return list(_RULES)


def rule_names() -> list:
    return sorted({r.name for r in rules()} | set(PHASE_RULES.values()))


# rounds of the pipeline at most: a later phase builds what an earlier one would rewrite (horner's
# select(finite, compensated, typed) minus a constant is select-minus-const's, a typed branch whose guard
# the specialize phase rewrote is no longer its rule's own typed form); the next round takes it, and the
# round after that changes nothing, which makes optimizing twice change nothing. Where the rounds do not
# settle (a rule's guard that reads its own typed branch, which every round rewrites again, grows by a select
# each round: quotient-difference's did) the first round's graph is kept
MAX_ROUNDS = 3


def optimize(graph: Graph, options=True):
    """Run the pipeline until a round changes nothing (at most MAX_ROUNDS); returns (graph, trace) where
    trace lists every Firing in order (of the rounds that changed the graph)."""
    options = Options.coerce(options)
    outputs = list(graph.outputs)
    trace: list = []
    first = None
    for round_number in range(1, MAX_ROUNDS + 1):
        more: list = []
        new = _pipeline(outputs, options, more)
        if new == outputs:
            break
        outputs = new
        trace.extend(more if round_number == 1 else [replace(f, round=round_number) for f in more])
        first = first or (outputs, list(trace))
    else:
        outputs, trace = first  # (no round settled: see MAX_ROUNDS)
    return graph.with_outputs(outputs), trace


def _pipeline(outputs, options, trace) -> list:
    """One round of every phase; returns the new outputs."""
    facts = Facts()
    outputs = fuse.unfused(outputs)  # a graph optimized before: its sums as that run saw them
    # a later round (or a run on a graph optimized before) leaves what the compensated forms describe as
    # they were built: their error terms are the rounding errors of those sums and products (1 - 1/y in
    # (1 - 1/y) - 1/x compensated, made a select by a stabilize rule, would leave sum_error(1, -1/y)
    # describing nothing); a lowered graph has none
    kept = fuse.frozen(outputs)
    enabled = [r for r in rules() if r.name not in options.disable_rules]
    by_phase = {p: RuleIndex(r for r in enabled if r.phase == p)
                for p in ("canonicalize", "stabilize", "specialize", "fuse", "constant_products")}
    # rearrange: generic cancellation rules (exp(x) - exp(y), log(x/y), x**p - y**p) whose shapes occur
    # inside the specific stabilize patterns (log(exp(x) - exp(y)), atanh's definition): they run once
    # those have had the whole graph, and after the stabilize rules, which then see only the new nodes
    by_phase["rearrange"] = RuleIndex([r for r in enabled if r.phase == "stabilize"] +
                                      [r for r in enabled if r.phase == "rearrange"])
    cap = options.step_cap or None
    fold = () if "fold_constants" in options.disable_phases else (("fold-constants", fold_constant),)
    for phase in PIPELINE:
        if phase in options.disable_phases:
            continue
        if phase == "remove_dead" or (phase == "rearrange" and "stabilize" in options.disable_phases):
            continue  # a Graph holds only what its outputs reach: rebuilding it below drops the rest
        if phase == "horner":
            if PHASE_RULES[phase] not in options.disable_rules:
                # the canonical rules first: a guarded form minus a constant, select(c, p - 3, select(c, p,
                # typed) - 3) (the rewrite pass keeps the typed form only inside its own rule's select), is
                # select(c, p - 3, typed - 3), whose typed branch is the whole polynomial, x*x + x - 3 near
                # its root, not x*x + x compensated and then rounded before the 3 cancels it
                outputs = rewrite_pass(outputs, by_phase["canonicalize"], facts, phase, trace, step_cap=cap,
                                       frozen=kept, opaque=polynomials.is_horner_select)
                outputs = polynomials.compensate_polynomials(outputs, trace, phase, kept)
            continue
        if phase == "fold_constants":
            # canonical rules run again here: folding exposes x*1, x+0, select(True, a, b) ...
            index = by_phase["canonicalize"]
            outputs = rewrite_pass(outputs, index, facts, phase, trace, generic=fold, step_cap=cap, frozen=kept)
            continue
        if phase in ("fuse", "constant_products"):
            # what the compensated rules describe is evaluated as they describe it (and a product of a
            # constant that is a term of a sum is one FMA already: the constant products come after)
            outputs = rewrite_pass(outputs, by_phase[phase], facts, phase, trace, step_cap=cap,
                                   frozen=fuse.frozen(outputs) + kept)
            continue
        # (a second round: the phases before horner leave its selects as it built them, typed branch and all,
        # as the first round's did, which never saw them)
        before_horner = PIPELINE.index(phase) < PIPELINE.index("horner")
        outputs = rewrite_pass(outputs, by_phase[phase], facts, phase, trace,
                               generic=fold if phase == "specialize" else (), step_cap=cap, frozen=kept,
                               opaque=polynomials.is_horner_select if before_horner else None)
    return outputs


def fold_constants(graph: Graph) -> Graph:
    """Constant folding alone. It folds only exact or runtime-identical real values, so it holds over the
    complex numbers too: the complex kernel, which runs the formula as typed, still gets it."""
    outputs = rewrite_pass(list(graph.outputs), RuleIndex(()), Facts(), "fold_constants", [],
                           generic=(("fold-constants", fold_constant),))
    return graph.with_outputs(outputs)


def eliminate_dead(graph: Graph) -> Graph:
    """The graph with only the nodes its outputs reach (nodes are immutable and shared, so this is
    a fresh Graph over the same outputs)."""
    return graph.with_outputs(graph.outputs)


# ---------------------------------------------------------------- constant folding

# IEEE defines these exactly, so emulating them in NumPy gives exactly what the kernel computes
_CORRECTLY_ROUNDED = {
    "add": lambda *a: _left_fold(np.add, a), "mul": lambda *a: _left_fold(np.multiply, a),
    "sub": np.subtract, "div": np.divide, "neg": np.negative, "abs": np.abs, "sqrt": np.sqrt,
}
# libm functions: the kernel calls the same C library that Python's math module wraps
_LIBM = {name: getattr(math, name) for name in ("exp", "log", "sin", "cos", "tan", "asin", "acos", "atan",
                                                  "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
                                                  "log1p", "expm1", "erf", "erfc", "log2", "log10")}


def _left_fold(fn, args):
    acc = args[0]
    for a in args[1:]:
        acc = fn(acc, a)
    return acc


def _is_inexact(value) -> bool:
    """A float of working precision (a user's 0.1): folding it must match the runtime bit for bit."""
    return any(f._prec <= 53 for f in value.atoms(sympy.Float))


def _runtime_value(op_name, values, dtype):
    """What the kernel computes for these constant arguments in `dtype`, or None if unknown."""
    # N, not Float: a folded value may be an exact irrational such as asinh(pi), which Float() rejects
    args = [dtype(float(sympy.N(v, 30))) for v in values]
    with np.errstate(all="ignore"):
        if op_name in _CORRECTLY_ROUNDED:
            return dtype(_CORRECTLY_ROUNDED[op_name](*args))
        fn = _LIBM.get(op_name)
        if fn is None or len(args) != 1:
            return None
        try:
            return dtype(fn(float(args[0])))
        except (ValueError, OverflowError):
            return None


def _fold_values(op, values):
    """A SymPy number for op(*values), or None when folding could change what the program computes."""
    if op.extra.get("per_dtype"):
        return None
    if op.name == "select" or any(v in (sympy.true, sympy.false) for v in values) and op.name not in (
            "and", "or", "not", "xor", "eq", "ne"):
        return None
    if any(not v.is_extended_real for v in values if v not in (sympy.true, sympy.false)):
        return None  # complex constants are left to the complex kernel
    try:
        result = op.to_sympy(*values)
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return None
    if result in (sympy.true, sympy.false):
        return result
    if not isinstance(result, sympy.Expr) or not result.is_number:
        return None
    if result.is_extended_real is not True or result.is_finite is not True:
        return None  # nan, zoo, inf, or complex: the runtime computes those itself
    if not any(_is_inexact(v) for v in values):
        if sympy.count_ops(result) > 24:  # keep constants small; 40 digits round correctly to float64
            result = sympy.Float(sympy.N(result, 40), 40)
        return result
    runtime = {dt: _runtime_value(op.name, values, dt) for dt in (np.float64, np.float32)}
    if any(v is None or not np.isfinite(v) for v in runtime.values()) or op.mpmath is None:
        return None
    import mpmath
    from .reference import round_to
    with mpmath.workdps(60):
        exact = op.mpmath(*[mpmath.mpf(float(sympy.Float(v, 30))) if _is_inexact(v) else
                            mpmath.mpf(str(sympy.N(v, 70))) for v in values])
    folded = runtime[np.float64]
    # the constant is stored once and rounded per dtype: it must give the kernel's value in both
    if round_to(exact, np.float64) != folded or np.float32(folded) != runtime[np.float32] \
            or round_to(exact, np.float32) != runtime[np.float32]:
        return None
    return sympy.Float(float(folded), 53)


def fold_constant(node: Node, facts=None):
    """Fold a node whose arguments are constants (or the constant prefix of an add/mul)."""
    if node.op.arity == 0 or not node.args:
        return None
    consts = [a for a in node.args if a.is_const]
    if not consts:
        return None
    if len(consts) == len(node.args):
        value = _fold_values(node.op, [a.value for a in consts])
        return None if value is None else const(value)
    if node.op.name in ("add", "mul") and len(consts) >= 2:
        # constants sort first, so the kernel evaluates them first: folding them keeps the order
        value = _fold_values(node.op, [a.value for a in consts])
        if value is None:
            return None
        rest = [a for a in node.args if not a.is_const]
        return Node.make(node.op, (const(value), *rest))
    return None
