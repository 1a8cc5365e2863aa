"""What `compile(..., grad=/jacobian=/hvp=/hessian=)` builds and returns: the value and its derivatives
as the flat outputs of one graph (so one fused kernel computes them all), and the `Layout` that turns those
flat outputs back into the nested result the user asked for.

Results (batch = the broadcast shape of the arguments):
  grad=True            f(*args) -> (value, (df/da_1, ..., df/da_n))       each of shape batch
  grad=[a, b]          only those partials, in that order; grad=a (a bare Symbol) -> (value, df/da)
  jacobian=True        f(*args) -> (values, J), values as without jacobian, J of shape (*batch, m, n)
                       (m outputs, flattened row-major for a Matrix; (*batch, r, c, n) for an r x c matrix
                       with r, c > 1)
  hessian=True         f(*args) -> (value, grad, H), H of shape (*batch, n, n)
  hvp=True             f(*args, *v) -> (value, grad, H @ v): one tangent argument v_a per differentiated
                       argument, appended after the arguments in the same order
`out=` takes the same nesting as the result, with an array in place of each returned array.
"""
from __future__ import annotations

import numpy as np
import sympy

from .autodiff import NONHOLOMORPHIC, backward
from .errors import ArgumentError, SymgraphError
from .ir import Graph, const, symbol


class Layout:
    """Returned arrays as blocks of consecutive graph outputs: (tail shape, first output, output count);
    `structure` nests block indices (an int, or a tuple of ints) into the returned tuple."""

    def __init__(self, blocks, structure, tangents=(), nonholomorphic=()):
        self.blocks = list(blocks)
        self.structure = tuple(structure)
        self.tangents = list(tangents)
        self.nonholomorphic = tuple(sorted(nonholomorphic))

    def _out_arrays(self, out):
        """One array (or None) per block, from `out` nested like the result."""
        if out is None:
            return [None] * len(self.blocks)
        if not isinstance(out, tuple) or len(out) != len(self.structure):
            raise ArgumentError(f"out must be a tuple nested like the result: {self.describe()}")
        arrays = [None] * len(self.blocks)
        for part, given in zip(self.structure, out):
            if isinstance(part, int):
                arrays[part] = given
                continue
            if not isinstance(given, tuple) or len(given) != len(part):
                raise ArgumentError(f"out must be a tuple nested like the result: {self.describe()}")
            for index, array in zip(part, given):
                arrays[index] = array
        return arrays

    def describe(self) -> str:
        def one(index):
            tail = self.blocks[index][0]
            return "(*batch" + "".join(f", {d}" for d in tail) + ")"
        parts = [one(p) if isinstance(p, int) else "(" + ", ".join(one(i) for i in p) + ",)" for p in
                 self.structure]
        return "(" + ", ".join(parts) + ")"

    def allocate(self, shape, n, dtypes, out, check_out):
        """(kernel output columns, one 1-D array per graph output; the nested result; (target, temporary)
        pairs to copy back after the kernel ran), as CompiledFunction._outputs returns them."""
        given = self._out_arrays(out)
        columns, arrays, copies = [], [], []
        for index, ((tail, start, count), target) in enumerate(zip(self.blocks, given)):
            dtype = np.result_type(*dtypes[start:start + count])
            full = tuple(shape) + tuple(tail)
            if target is not None:
                try:
                    target = check_out(target, full, dtype, f"out block {index}")
                except ArgumentError as exc:  # the layout is described only when it is needed
                    raise ArgumentError(f"{exc} (out is nested like the result: {self.describe()})") from None
            else:
                target = np.empty(full, dtype)
            if target.flags.c_contiguous and target.dtype == dtype:
                flat = target.reshape(n, count)
            else:
                flat = np.empty((n, count), dtype)
                copies.append((target, flat))
            columns.extend(flat[:, k] for k in range(count))
            arrays.append(target)
        return columns, self._nest(arrays), copies

    def pack_scalar(self, values, types, dtypes):
        """The nested result of one point from the one-point function's flat tuple of values."""
        arrays = []
        for tail, start, count in self.blocks:
            if tail == ():
                arrays.append(types[start](values[start]))
            else:
                dtype = np.result_type(*dtypes[start:start + count])
                arrays.append(np.array(values[start:start + count], dtype=dtype).reshape(tail))
        return self._nest(arrays)

    def _nest(self, arrays):
        return tuple(arrays[p] if isinstance(p, int) else tuple(arrays[i] for i in p) for p in self.structure)


def _wrt(option, symbols, name):
    """(symbols to differentiate by, whether a bare Symbol was given) for grad=/jacobian=/... options."""
    if option is True:
        return list(symbols), False
    bare = isinstance(option, (sympy.Symbol, str))
    items = [option] if bare else option
    try:
        items = list(items)
    except TypeError:
        raise SymgraphError(f"{name}= takes True, a Symbol or a list of Symbols, not {option!r}") from None
    if not items:
        raise SymgraphError(f"{name}=[] asks for no derivatives: pass True or some of the args")
    by_name = {s.name: s for s in symbols}
    chosen = []
    for item in items:
        s = by_name.get(item) if isinstance(item, str) else item
        if s not in symbols:
            raise SymgraphError(f"{name}= lists {item}, which is not in args {[str(a) for a in symbols]}: "
                                f"derivatives are taken with respect to arguments of the function")
        if s in chosen:
            raise SymgraphError(f"{name}= lists {item} twice")
        chosen.append(s)
    return chosen, bare


def _value_blocks(graph):
    if graph.form == "matrix":
        return [(tuple(graph.shape), 0, len(graph.outputs))], 0
    if graph.form == "single":
        return [((), 0, 1)], 0
    return [((), i, 1) for i in range(len(graph.outputs))], tuple(range(len(graph.outputs)))


def derivative_graph(graph: Graph, symbols, *, grad=False, jacobian=False, hvp=False, hessian=False):
    """The graph of the value and the requested derivatives (flat outputs), and its Layout."""
    asked = {name: opt for name, opt in
             (("grad", grad), ("jacobian", jacobian), ("hvp", hvp), ("hessian", hessian))
             if opt is not False and opt is not None}
    if "jacobian" in asked and len(asked) > 1:
        raise SymgraphError("jacobian= cannot be combined with grad=, hvp= or hessian=: the Jacobian already "
                            "holds the gradient of each output")
    if "hvp" in asked and "hessian" in asked:
        raise SymgraphError("pass hvp=True or hessian=True, not both: H @ v is the Hessian times v")
    explicit = [(name, opt) for name, opt in asked.items() if opt is not True]
    if len({tuple(_wrt(opt, symbols, name)[0]) for name, opt in explicit}) > 1:
        raise SymgraphError("grad=, hvp= and hessian= list different symbols: give the list once")
    name, option = explicit[0] if explicit else next(iter(asked.items()))
    wrt, bare = _wrt(option, symbols, name)
    nodes = [symbol(s) for s in wrt]
    k = len(nodes)

    blocks, value_part = _value_blocks(graph)
    outputs = list(graph.outputs)
    used = set()

    if "jacobian" in asked:
        rows = []
        for o in graph.outputs:
            row, ops_used = backward([(o, const(1))], nodes)
            rows.extend(row)
            used |= ops_used
        m = len(graph.outputs)
        r, c = graph.shape if graph.form == "matrix" else (m, 1)
        tail = (r, c, k) if r > 1 and c > 1 else (m, k)
        blocks.append((tail, len(outputs), m * k))
        outputs.extend(rows)
        structure = (value_part, len(blocks) - 1)
        return Graph(outputs, "tuple"), Layout(blocks, structure, nonholomorphic=used & NONHOLOMORPHIC)

    if len(graph.outputs) != 1:
        raise SymgraphError(f"{' and '.join(asked)} need{'s' if len(asked) == 1 else ''} a single scalar "
                            f"expression, but {len(graph.outputs)} were given: use jacobian=True for several "
                            f"outputs")
    grads, used = backward([(graph.outputs[0], const(1))], nodes)
    grad_part = _append_scalars(blocks, outputs, grads)
    structure = [value_part, grad_part[0] if bare else grad_part]
    tangents = []
    if "hessian" in asked:
        rows = []
        for g in grads:
            row, ops_used = backward([(g, const(1))], nodes)
            rows.extend(row)
            used |= ops_used
        blocks.append(((k, k), len(outputs), k * k))
        outputs.extend(rows)
        structure.append(len(blocks) - 1)
    elif "hvp" in asked:
        tangents = [sympy.Dummy(f"v_{s.name}") for s in wrt]
        hv, ops_used = backward(list(zip(grads, (symbol(v) for v in tangents))), nodes)
        used |= ops_used
        part = _append_scalars(blocks, outputs, hv)
        structure.append(part[0] if bare else part)
    return Graph(outputs, "tuple"), Layout(blocks, structure, tangents, used & NONHOLOMORPHIC)


def _append_scalars(blocks, outputs, nodes):
    first = len(blocks)
    for node in nodes:
        blocks.append(((), len(outputs), 1))
        outputs.append(node)
    return tuple(range(first, first + len(nodes)))

