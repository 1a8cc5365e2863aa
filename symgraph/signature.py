"""The shapes of a compiled function's arguments and results, as `sympy.lambdify` accepts them.

The kernel only knows a flat list of scalar parameters and a flat list of scalar outputs. This module
maps what a user writes onto that:

- args may nest (`[x, (y, z)]` is called as `f(1, (2, 3))`), may be given as a string ("x, y"), and may
  be function applications or derivatives (`f(t)`, `f(t).diff(t)`) or matrix symbols; those are
  replaced by fresh Dummy symbols before lowering, and a MatrixSymbol takes an array whose trailing
  axes are the matrix's shape (the NumPy gufunc convention that Matrix outputs also follow);
- outputs may nest (`[x, (y, Matrix(...))]`): they are compiled as one flat tuple and rebuilt.

Nothing here recurses over an expression; the nesting of args and outputs is walked with explicit stacks.
"""
from __future__ import annotations

import fractions
import numbers

import mpmath
import numpy as np
import sympy
from sympy.core.function import AppliedUndef, Derivative
from sympy.matrices.expressions.dotproduct import DotProduct
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.tensor.array import NDimArray
from sympy.tensor.indexed import Indexed

from .errors import ArgumentError, SymgraphError

# arguments that are not Symbols but that stand for one value (lambdify substitutes a Dummy for them)
VALUE_LIKE = (AppliedUndef, Derivative, sympy.Function, Indexed, MatrixElement)

# call-time values that are exact numbers of another library (converted once, like lambdify's float())
EXACT_NUMBERS = (sympy.Basic, mpmath.mpf, mpmath.mpc)

# module names whose numeric meaning is what symgraph computes (elementwise IEEE float64/complex128)
COMPATIBLE_MODULES = {"numpy", "math", "scipy", "numexpr", "numba"}


# ------------------------------------------------------------------ arguments
class Scalar:
    """One positional value: the kernel parameter `index`."""

    def __init__(self, index):
        self.index = index


class Group:
    """A nested argument: the caller passes a sequence with one item per member."""

    def __init__(self, members, text):
        self.members = members
        self.text = text


class Block:
    """A MatrixSymbol argument: an array whose trailing axes are `shape`; one parameter per element."""

    def __init__(self, indices, shape, name):
        self.indices = indices
        self.shape = shape
        self.name = name


class ArgLayout:
    """The user's argument structure over the kernel's flat scalar symbols."""

    def __init__(self, top, symbols, replacements, simple):
        self.top = top                    # one Scalar/Group/Block per positional argument
        self.symbols = symbols            # the kernel's parameters, in order
        self.replacements = replacements  # non-Symbol argument -> the Dummy that stands for it
        self.simple = simple              # every argument is a Symbol: calls need no unpacking

    def unpack(self, args) -> list:
        """The flat parameter values for a call with the user's positional `args`."""
        if len(args) != len(self.top):
            return list(args)  # the arity check (and its message) is the caller's
        flat = [None] * len(self.symbols)
        stack = [(slot, value, f"argument {k}") for k, (slot, value) in enumerate(zip(self.top, args))]
        while stack:
            slot, value, label = stack.pop()
            if isinstance(slot, Scalar):
                flat[slot.index] = value
            elif isinstance(slot, Group):
                items = _items(value, len(slot.members), label, slot.text)
                stack.extend((m, v, f"{label}[{j}]") for j, (m, v) in enumerate(zip(slot.members, items)))
            else:
                for index, element in zip(slot.indices, _matrix_elements(value, slot, label)):
                    flat[index] = element
        return flat


def _items(value, count, label, text):
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or not hasattr(value, "__getitem__"):
        raise ArgumentError(f"{label} stands for the nested args {text}: pass a sequence of {count} values, "
                            f"not {type(value).__name__}")
    if len(value) != count:
        raise ArgumentError(f"{label} stands for the nested args {text}: pass {count} values, got {len(value)}")
    return [value[j] for j in range(count)]


def _matrix_elements(value, slot, label):
    arr = value if isinstance(value, np.ndarray) else np.asarray(value)
    shape = tuple(slot.shape)
    squeezed = tuple(d for d in shape if d != 1)
    if arr.shape == squeezed and arr.shape != shape:
        arr = arr.reshape(shape)  # a plain vector for a column or row matrix symbol
    if arr.shape[arr.ndim - len(shape):] != shape or arr.ndim < len(shape):
        raise ArgumentError(f"{label} ({slot.name}) must be an array whose last axes have shape {shape}, "
                            f"got shape {arr.shape}")
    rows = [(...,) + tuple(int(i) for i in np.unravel_index(k, shape)) for k in range(len(slot.indices))]
    return [arr[index] for index in rows]


def parse_args(args) -> ArgLayout:
    """Normalise `args` as sympy.lambdify accepts them."""
    if isinstance(args, str):
        args = sympy.symbols(args, seq=True)  # names only: sympy.symbols never evaluates code
    if isinstance(args, (set, frozenset)):
        raise SymgraphError("args is a set, whose order is arbitrary: pass a list or tuple of Symbols")
    if _is_single(args):
        args = [args]
    elif isinstance(args, (sympy.MatrixBase, NDimArray)):
        args = sympy.flatten(args)
    try:
        args = list(args)
    except TypeError:
        raise SymgraphError(f"args must be a Symbol or a sequence of Symbols, not {type(args).__name__}") from None

    symbols, replacements = [], {}
    simple = True
    top = []
    # (container to append to, items still to place, label)
    stack = [(top, list(reversed(args)), "args")]
    while stack:
        target, todo, label = stack[-1]
        if not todo:
            stack.pop()
            continue
        a = todo.pop()
        position = f"{label}[{len(target)}]"
        if isinstance(a, str):
            a = sympy.Symbol(a)
        if isinstance(a, (list, tuple, sympy.Tuple)):
            simple = False
            group = Group([], _short(a))
            target.append(group)
            stack.append((group.members, list(reversed(list(a))), position))
            continue
        if isinstance(a, sympy.Symbol):
            target.append(Scalar(len(symbols)))
            symbols.append(a)
            continue
        if isinstance(a, (sympy.MatrixSymbol,)) or _is_array_symbol(a):
            simple = False
            shape = tuple(int(d) for d in a.shape)
            size = int(np.prod(shape)) if shape else 1
            indices = list(range(len(symbols), len(symbols) + size))
            elements = []
            for k in range(size):
                element = a[tuple(int(i) for i in np.unravel_index(k, shape))]
                stand_in = sympy.Dummy(f"{a.name}_{k}")
                replacements[element] = stand_in
                symbols.append(stand_in)
                elements.append(stand_in)
            if isinstance(a, sympy.MatrixSymbol):
                replacements[a] = sympy.ImmutableMatrix(*shape, elements)
            else:
                replacements[a] = sympy.ImmutableDenseNDimArray(elements, shape)
            target.append(Block(indices, shape, str(a.name)))
            continue
        if isinstance(a, VALUE_LIKE) or isinstance(a, sympy.AtomicExpr) and not a.is_number:
            simple = False
            stand_in = sympy.Dummy(_short(a, 20))
            replacements[a] = stand_in
            target.append(Scalar(len(symbols)))
            symbols.append(stand_in)
            continue
        raise SymgraphError(f"{position} ({_short(a)}) is not a Symbol: args must be Symbols, function "
                            f"applications like f(t), derivatives, matrix symbols, or nested lists of these")
    seen = set()
    for s in symbols:
        if s in seen:
            raise SymgraphError(f"symbol {s} appears twice in args")
        seen.add(s)
    return ArgLayout(top, symbols, replacements, simple)


def _is_single(args):
    if isinstance(args, (sympy.MatrixBase, NDimArray)):
        return False
    return isinstance(args, sympy.Basic) and not isinstance(args, sympy.Tuple)


def _is_array_symbol(a):
    from sympy.tensor.array.expressions import ArraySymbol
    return isinstance(a, ArraySymbol)


def _short(value, limit=60):
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _explicit(expr, blocks):
    """A matrix expression of matrix-symbol args (A**-1, X.T*X, 2*A, (v.T*A*v)[0, 0]) evaluated on the
    explicit matrices of their stand-ins. Only used when a MatrixSymbol is an argument (SymPy's xreplace
    recurses, but matrix expressions are shallow); scalar stand-ins are substituted while lowering."""
    if not isinstance(expr, sympy.Basic):
        return expr
    if _is_array_symbol(expr) and expr in blocks:
        return blocks[expr]
    if isinstance(expr, sympy.MatrixExpr):
        return sympy.ImmutableMatrix(expr.xreplace(blocks).doit().as_explicit())
    # scalar expressions over matrix expressions: (v.T*A*v)[0, 0], DotProduct(u, v)
    if isinstance(expr, sympy.Expr) and any(isinstance(a, (sympy.MatrixExpr, DotProduct)) and not isinstance(
            a, sympy.MatrixSymbol) for a in sympy.preorder_traversal(expr)):
        return expr.xreplace(blocks).doit()
    return expr


def scalar_replacements(replacements):
    """The stand-ins that lowering substitutes node by node (everything but whole matrices/arrays)."""
    return {k: v for k, v in replacements.items() if not isinstance(v, (sympy.MatrixBase, NDimArray))}


# ------------------------------------------------------------------ outputs
class OutLayout:
    """How a flat tuple of kernel outputs is rebuilt into the user's nested structure."""

    def __init__(self, template):
        self.template = template  # ("tuple", [children]) | ("leaf", k) | ("array", shape, [k...])

    def rebuild(self, flat):
        if not isinstance(flat, tuple):
            flat = (flat,)
        done = {}
        # post-order walk with an explicit stack: children are built before their container
        stack = [(self.template, False)]
        while stack:
            node, expanded = stack.pop()
            if node[0] == "leaf":
                done[id(node)] = flat[node[1]]
            elif node[0] == "array":
                values = [np.asarray(flat[k]) for k in node[2]]
                stacked = np.stack(values, axis=-1) if values else np.empty((0,))
                done[id(node)] = stacked.reshape(stacked.shape[:-1] + tuple(node[1]))
            elif expanded:
                done[id(node)] = tuple(done[id(c)] for c in node[1])
            else:
                stack.append((node, True))
                stack.extend((c, False) for c in node[1])
        return done[id(self.template)]


def to_expression(value):
    """A SymPy object for a number a user may write as an expression (mpmath, NumPy, fractions)."""
    if isinstance(value, sympy.Basic) or isinstance(value, (list, tuple, dict, sympy.MatrixBase)):
        return value
    if isinstance(value, np.generic) and value.dtype.kind in "biufc":
        return sympy.sympify(value.item())
    if isinstance(value, mpmath.mpf):
        return sympy.Float(value, precision=mpmath.mp.prec)
    if isinstance(value, mpmath.mpc):
        return sympy.Float(value.real, precision=mpmath.mp.prec) + sympy.I * sympy.Float(
            value.imag, precision=mpmath.mp.prec)
    if isinstance(value, fractions.Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if isinstance(value, numbers.Number) and not isinstance(value, (bool, int, float, complex)):
        return sympy.sympify(str(value))  # Decimal and the like: exact through their text
    return value


def parse_outputs(expr, replacements=None):
    """(what to lower, OutLayout or None). None: the graph's own single/tuple/matrix form is the answer.

    replacements: the args' stand-ins; matrix expressions among the outputs (A*v, (v.T*A*v)[0, 0]) are
    evaluated into explicit matrices of them.
    """
    blocks = {k: v for k, v in (replacements or {}).items() if isinstance(v, (sympy.MatrixBase, NDimArray))}
    if blocks:
        expr = _explicit(expr, blocks)
    if isinstance(expr, str):
        expr = sympy.sympify(expr)  # the user's own formula text, as sympy.lambdify takes it
    if isinstance(expr, sympy.Tuple):
        expr = tuple(expr)
    if isinstance(expr, dict):
        raise SymgraphError("dict outputs are not supported: pass a list or tuple of expressions")
    if isinstance(expr, NDimArray):
        elements = [to_expression(e) for e in sympy.flatten(expr)]
        return elements, OutLayout(("array", tuple(expr.shape), list(range(len(elements)))))
    if not isinstance(expr, (list, tuple)):
        return to_expression(expr), None
    if blocks:
        expr = [_explicit(e, blocks) for e in expr]
    if expr and all(not _is_container(e) for e in expr):
        return [to_expression(e) for e in expr], None
    flat = []
    template = ("tuple", [])
    stack = [(template[1], list(reversed(list(expr))))]
    while stack:
        children, todo = stack[-1]
        if not todo:
            stack.pop()
            continue
        e = todo.pop()
        if isinstance(e, sympy.Tuple):
            e = tuple(e)
        if blocks:
            e = _explicit(e, blocks)
        if isinstance(e, dict):
            raise SymgraphError("dict outputs are not supported: pass a list or tuple of expressions")
        if isinstance(e, (list, tuple)):
            node = ("tuple", [])
            children.append(node)
            stack.append((node[1], list(reversed(list(e)))))
        elif isinstance(e, (sympy.MatrixBase, NDimArray)):
            elements = sympy.flatten(e) if isinstance(e, NDimArray) else list(e)
            children.append(("array", tuple(e.shape), list(range(len(flat), len(flat) + len(elements)))))
            flat.extend(elements)
        else:
            children.append(("leaf", len(flat)))
            flat.append(to_expression(e))
    if not flat:
        # nothing to compute ([] or ((), ())): a kernel needs one output; the layout never reads it
        flat.append(sympy.S.Zero)
    return flat, OutLayout(template)


def _is_container(e):
    return isinstance(e, (list, tuple, dict, sympy.Tuple, sympy.MatrixBase, NDimArray))


# ------------------------------------------------------------------ call-time values and options
def plain_number(name, value):
    """A SymPy or mpmath number passed as an argument, as a Python number; symbolic values are refused."""
    if isinstance(value, sympy.Basic):
        if not value.is_number:
            raise ArgumentError(f"argument {name} is the symbolic expression {_short(value)}: symgraph computes "
                                f"numbers; substitute numbers, or use sympy.lambdify(..., 'sympy') for symbols")
        value = sympy.N(value)
        return float(value) if value.is_real else complex(value)
    if isinstance(value, mpmath.mpf):
        return float(value)
    if isinstance(value, mpmath.mpc):
        return complex(value)
    return value


def check_modules(modules, printer=None):
    """Accept sympy.lambdify's `modules` where its meaning is what symgraph computes anyway."""
    if printer is not None:
        raise SymgraphError("printer= is not available in symgraph: it generates its own Numba code; "
                            "use sympy.lambdify for a custom printer")
    if modules is None:
        return
    pending = [modules]
    while pending:
        m = pending.pop()
        if isinstance(m, (list, tuple)):
            pending.extend(m)
            continue
        name = m if isinstance(m, str) else getattr(m, "__name__", None)
        if name in COMPATIBLE_MODULES:
            continue
        raise SymgraphError(f"modules={_short(m)!r} is not available in symgraph: it always compiles to an "
                            f"elementwise Numba kernel with NumPy's float64/complex128 semantics "
                            f"(modules 'numpy' or 'math'); use sympy.lambdify for other backends")
