"""Source -> cached Numba callable: the on-disk kernel cache, call-time checks, broadcasting, dtypes."""
from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import shutil
import sys
import tempfile

import numba
import numpy as np
import sympy
try:
    from numpy.lib.array_utils import byte_bounds
except ImportError:  # NumPy < 2
    from numpy import byte_bounds

from . import codegen
from .errors import ArgumentError, SymgraphError
from .ir import Graph, symbol
from .lower import lower
from . import signature

__version__ = "0.1.0"

_MODULES: dict = {}  # module name -> loaded module (a kernel module is imported once per process)


def cache_dir() -> str:
    """Where kernel modules (and Numba's compiled code beside them) are kept."""
    path = os.environ.get("SYMGRAPH_CACHE_DIR")
    if not path:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        path = os.path.join(base, "symgraph")
    try:
        os.makedirs(path, exist_ok=True)
        if os.access(path, os.W_OK):
            return path
    except OSError:
        pass
    # a read-only home (containers, CI sandboxes): a per-user cache in the temporary directory still works
    fallback = os.path.join(tempfile.gettempdir(), f"symgraph-cache-{os.getuid() if hasattr(os, 'getuid') else 0}")
    os.makedirs(fallback, exist_ok=True)
    return fallback


def load_module(source: str, cache: bool = True):
    """Import generated source as a real module file, so that Numba's on-disk cache can locate it."""
    digest = hashlib.blake2b(
        f"{source}\0{__version__}\0{numba.__version__}\0{sys.version}".encode(), digest_size=16).hexdigest()
    name = f"symgraph_kernel_{digest}"
    if name in _MODULES:
        return _MODULES[name]
    directory = cache_dir() if cache else tempfile.mkdtemp(prefix="symgraph_")
    path = os.path.join(directory, name + ".py")
    if not os.path.exists(path):
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(source)
        os.replace(tmp, path)  # atomic: concurrent processes never see a half-written module
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    _MODULES[name] = module
    if not cache:
        shutil.rmtree(directory, ignore_errors=True)  # Numba compiles from the loaded code, not the file
    return module


def compile(args, expr, modules=None, *, parallel: bool = False, fastmath: bool = False, cache: bool = True,
            rewrite=True, grad=False, jacobian=False, hvp=False, hessian=False, printer=None, use_imps=True,
            dummify=False, cse=True, docstring_limit=None) -> "CompiledFunction":
    """Compile a SymPy expression into one fused Numba kernel; argument order as in sympy.lambdify.

    args      a Symbol or a sequence of Symbols: the positional parameters of the result
    expr      an expression, a list/tuple of expressions (the call returns a tuple), or a Matrix
    parallel  run the loop with numba.prange
    fastmath  allow the value-safe LLVM flags (nsz, arcp, contract, afn, reassoc); NaN checks stay
    cache     keep the compiled kernel on disk (SYMGRAPH_CACHE_DIR, default ~/.cache/symgraph)
    rewrite   True for the default pipeline, False for the formula exactly as typed, or a
              `symgraph.Options` (or a dict of its fields) that switches rules or phases off
    grad      True (all args), a list of args, or one Symbol: also return the gradient of a scalar
              expression, computed in the same kernel by reverse mode (symgraph.autodiff):
              f(*a) -> (value, (df/da_1, ..., df/da_n)); with grad=x, (value, df/dx)
    jacobian  True or a list of args: f(*a) -> (values, J), J of shape (*batch, m, n) for m outputs
    hessian   True or a list of args (scalar expr): f(*a) -> (value, grad, H), H of shape (*batch, n, n)
    hvp       True or a list of args (scalar expr): Hessian-vector products without forming H. The function
              takes one tangent per differentiated arg after the args: f(*a, *v) -> (value, grad, H @ v)
              (e.g. f(x, y, v_x, v_y) -> (value, (df/dx, df/dy), (Hv_x, Hv_y)))
              Derivatives at kinks follow JAX/PyTorch (see symgraph.autodiff); for complex inputs they
              are complex derivatives df/dz, and non-holomorphic functions (abs, re, conjugate, ...)
              raise. `out=` takes the result's nesting (see symgraph.derivatives).
    modules, printer, use_imps, dummify, cse, docstring_limit   sympy.lambdify's parameters, in its
              order (modules is the third positional one), so that lambdify calls carry over
              (symgraph.signature): modules may name 'numpy', 'math', 'scipy' or 'numexpr', whose
              numbers symgraph computes anyway (others raise); a printer raises; symgraph always shares
              subexpressions and always sanitises names, so cse and dummify change nothing.

    As with sympy.lambdify, args may nest ([x, (y, z)] is called f(1, (2, 3))), be a string "x, y",
    function applications f(t) or derivatives, or MatrixSymbols (an array whose last axes are the
    matrix's shape); expr may be a string or a nested list/tuple of expressions and matrices.
    """
    signature.check_modules(modules, printer)
    layout = signature.parse_args(args)
    symbols = layout.symbols
    expr, out_layout = signature.parse_outputs(expr, layout.replacements)
    graph = lower(expr, replace=signature.scalar_replacements(layout.replacements))
    known = {sympy.srepr(s) for s in symbols}
    unknown = [s for s in graph.inputs if sympy.srepr(s) not in known]
    if unknown:
        names = ", ".join(str(s) for s in unknown)
        raise SymgraphError(f"the expression uses {names}, which {'is' if len(unknown) == 1 else 'are'} not in "
                            f"args {[str(s) for s in symbols]}: add {'it' if len(unknown) == 1 else 'them'} "
                            f"to args or substitute a value")
    derivative = None
    trace = []
    wants = [o for o in (grad, jacobian, hvp, hessian) if o is not False and o is not None]
    if wants and (out_layout is not None or not layout.simple):
        raise SymgraphError("derivatives (grad, jacobian, hessian, hvp) need args that are plain Symbols and "
                            "an expression that is one expression, a flat list, or a Matrix")
    typed_graph = graph
    if wants:
        from .derivatives import derivative_graph
        if rewrite is not False:
            # differentiate the stabilised formula (softplus' derivative is a sigmoid, not exp/(1+exp))
            from .passes import optimize
            graph, trace = optimize(graph, rewrite)
        graph, derivative = derivative_graph(graph, symbols, grad=grad, jacobian=jacobian, hvp=hvp,
                                             hessian=hessian)
        symbols = symbols + derivative.tangents
    if rewrite is not False:
        from .passes import optimize
        graph, more = optimize(graph, rewrite)
        trace = list(trace) + list(more)
    # the rules reason over the reals: complex inputs run the formula as typed (see codegen.generate)
    complex_graph = None
    if rewrite is not False and trace:
        complex_graph = typed_graph
        if wants:
            complex_graph, typed_layout = derivative_graph(
                typed_graph, symbols[:len(symbols) - len(derivative.tangents)],
                grad=grad, jacobian=jacobian, hvp=hvp, hessian=hessian)
            # its tangent arguments (hvp) must be the ones the compiled function takes
            complex_graph = complex_graph.substitute(
                {symbol(a): symbol(b) for a, b in zip(typed_layout.tangents, derivative.tangents)})
        from .passes import fold_constants
        complex_graph = fold_constants(complex_graph)
    if out_layout is not None or not layout.simple:
        from .structured import StructuredFunction
        return StructuredFunction(layout, out_layout, symbols, graph, parallel=parallel, fastmath=fastmath,
                                  cache=cache, trace=trace, original=expr, complex_graph=complex_graph)
    return CompiledFunction(symbols, graph, parallel=parallel, fastmath=fastmath, cache=cache,
                            trace=trace, derivative=derivative, original=expr, complex_graph=complex_graph)


_SCALAR_TYPES = (float, int, complex, bool)


def _separate_overlaps(inputs, outputs, copies):
    """Kernels are compiled with LLVM's noalias promise (codegen._noalias): an out= array that overlaps an
    input or another output is written through a temporary and copied back after the kernel.

    Overlap is judged on byte bounds (as np.may_share_memory), by one sweep over the sorted intervals,
    so that a gradient with a thousand outputs does not make a million pairwise checks."""
    spans = []  # (low, high, is_output, index)
    for k, a in enumerate(inputs):
        if isinstance(a, np.ndarray) and a.size:
            low, high = byte_bounds(a)
            spans.append((low, high, False, k))
    for k, o in enumerate(outputs):
        if o.size:
            low, high = byte_bounds(o)
            spans.append((low, high, True, k))
    spans.sort()
    group, reach = [], None
    for span in spans + [None]:
        if span is not None and reach is not None and span[0] < reach:
            group.append(span)
            reach = max(reach, span[1])
            continue
        if len(group) > 1:  # intervals that overlap one another: every output among them gets a temporary
            for _, _, is_output, k in group:
                if is_output:
                    temporary = np.empty(outputs[k].shape, outputs[k].dtype)
                    copies.append((outputs[k], temporary))
                    outputs[k] = temporary
        if span is not None:
            group, reach = [span], span[1]
    return outputs, copies


class CompiledFunction:
    """A compiled SymPy expression. Call it with numbers or arrays (NumPy broadcasting)."""

    def __init__(self, symbols, graph: Graph, *, parallel=False, fastmath=False, cache=True, trace=(),
                 derivative=None, original=None, complex_graph=None):
        self.symbols = list(symbols)
        self.graph = graph
        self.trace = list(trace)
        self.options = dict(parallel=parallel, fastmath=fastmath, cache=cache)
        self._derivative = derivative
        self._original = original
        self.source, variant_graphs = codegen.generate(graph, self.symbols, fastmath=fastmath, parallel=parallel,
                                                       cache=cache, version=__version__,
                                                       complex_graph=complex_graph)
        self.variants = list(variant_graphs)
        self._module = load_module(self.source, cache=cache)
        self._kernels = {v: getattr(self._module, f"kernel_{v}") for v in self.variants}
        # a big kernel takes its arrays as tables of addresses and strides, and buffers of these shapes
        # and dtypes (codegen._blocked_kernel)
        self._buffers = {v: getattr(self._module, f"kernel_buffers_{v}", None) for v in self.variants}
        self._scalars = {v: getattr(self._module, f"scalar_{v}") for v in self.variants}
        self._out_dtypes = {v: [np.dtype(d) for d in codegen.output_dtypes(g, v)] for v, g in variant_graphs.items()}
        self._scalar_types = {v: [d.type for d in dts] for v, dts in self._out_dtypes.items()}
        self._real = "float64" in self.variants
        self._complex_only = self.variants == ["complex128"]

    # ------------------------------------------------------------------ calling
    def __call__(self, *args, out=None):
        nargs = len(self.symbols)
        if len(args) != nargs:
            raise ArgumentError(f"{self._signature()} takes {nargs} argument{'s' if nargs != 1 else ''}, "
                                f"got {len(args)}")
        if out is None and self._real and self._scalars["float64"] is not None and \
                all(type(a) is float or type(a) is int for a in args):
            # the common scalar call, kept to one typed call into the compiled one-point function
            try:
                floats = [float(a) for a in args]
            except OverflowError:
                raise ArgumentError("an integer argument is too large for float64: pass a float "
                                    "(or a SymPy number for an exact value)") from None
            return self._pack_scalar(self._scalars["float64"](*floats), "float64")
        values, variant = self._classify(args)
        if variant == "complex128" and self._derivative is not None and self._derivative.nonholomorphic:
            raise ArgumentError(f"complex arguments: the derivative passes through "
                                f"{', '.join(self._derivative.nonholomorphic)}, which "
                                f"{'is' if len(self._derivative.nonholomorphic) == 1 else 'are'} not holomorphic, "
                                f"so df/dz does not exist; pass real arguments (e.g. real and imaginary parts)")
        shapes = [v.shape for v in values if isinstance(v, np.ndarray)]
        try:
            shape = shapes[0] if len(set(shapes)) == 1 else np.broadcast_shapes(*shapes)
        except ValueError:
            described = ", ".join(f"{s.name}: {v.shape}" for s, v in zip(self.symbols, values)
                                  if isinstance(v, np.ndarray))
            raise ArgumentError(f"argument shapes do not broadcast together ({described})") from None
        dtype = np.dtype(variant)
        if shape == () and out is None:
            scalars = [dtype.type(v) if not isinstance(v, np.ndarray) else dtype.type(v.reshape(()))
                       for v in values]
            return self._pack_scalar(self._at_one_point(variant, scalars), variant)
        n = math.prod(shape)
        inputs = [self._prepare(v, shape, dtype) for v in values]
        outputs, result, copies = self._outputs(shape, n, variant, out)
        if out is not None:
            outputs, copies = _separate_overlaps(inputs, list(outputs), list(copies))
        self._run(variant, n, inputs, outputs)
        for target, temporary in copies:
            target[...] = temporary.reshape(target.shape)
        return result

    def _run(self, variant, n, inputs, outputs):
        buffers = self._buffers[variant]
        if buffers is None:
            self._kernels[variant](n, *inputs, *outputs)
            return
        # the kernel reads and writes through these addresses: every array stays referenced here until
        # it returns, is 1-D, and holds n elements of the kernel's dtype (or one, read with step 0)
        dtype = np.dtype(variant)
        held = [v if isinstance(v, np.ndarray) else np.full(1, v, dtype) for v in inputs]
        if any(a.dtype != dtype or a.ndim != 1 or a.shape[0] not in (1, n) for a in held) or any(
                o.dtype != d or o.ndim != 1 or o.shape[0] != n for o, d in zip(outputs, self._out_dtypes[variant])):
            raise SymgraphError("internal error: a blocked kernel's arrays were not prepared as 1-D arrays of "
                                "its dtypes; please report this with the call that raised it")
        addresses = np.array([a.ctypes.data for a in held], np.int64)
        steps = np.array([a.strides[0] if a.shape[0] == n else 0 for a in held], np.int64)
        out_addresses = np.array([o.ctypes.data for o in outputs], np.int64)
        out_steps = np.array([o.strides[0] for o in outputs], np.int64)
        self._kernels[variant](n, addresses, steps, out_addresses, out_steps,
                               *[np.empty(shape, dtype) for shape, dtype in buffers])

    def _at_one_point(self, variant, scalars):
        """The outputs' values at one point: the one-point function, or the kernel run with n = 1."""
        if self._scalars[variant] is not None:
            return self._scalars[variant](*scalars)
        outputs = [np.empty(1, d) for d in self._out_dtypes[variant]]
        self._run(variant, 1, list(scalars), outputs)
        return tuple(o[0] for o in outputs)

    def _pack_scalar(self, values, variant):
        """NumPy scalars (or a (rows, cols) array) from the one-point function's tuple."""
        types = self._scalar_types[variant]
        if self._derivative is not None:
            return self._derivative.pack_scalar(values, types, self._out_dtypes[variant])
        form = self.graph.form
        if form == "single":
            return types[0](values[0])
        if form == "matrix":
            dtype = np.result_type(*self._out_dtypes[variant])
            return np.array(values, dtype=dtype).reshape(self.graph.shape)
        return tuple(t(v) for t, v in zip(types, values))

    def _classify(self, args):
        """Arrays and scalars as the kernel will see them, and the dtype variant to run."""
        values = []
        any_complex = self._complex_only
        wants64 = False
        any32 = False
        for sym, a in zip(self.symbols, args):
            if type(a) in _SCALAR_TYPES:
                values.append(a)
                any_complex |= type(a) is complex
                continue
            if isinstance(a, np.generic) or isinstance(a, np.ndarray):
                arr = a
            elif isinstance(a, signature.EXACT_NUMBERS) and not isinstance(a, np.generic):
                number = signature.plain_number(sym.name, a)  # SymPy's pi, Integer(3), mpmath.mpf(...)
                values.append(number)
                any_complex |= type(number) is complex
                continue
            elif a is None or isinstance(a, (str, bytes)):
                raise ArgumentError(f"argument {sym.name} is {a!r}: pass a number or a NumPy array")
            else:
                try:
                    arr = np.asarray(a)
                except Exception as exc:  # ragged lists and the like
                    raise ArgumentError(f"argument {sym.name} cannot be made an array: {exc}") from None
            kind = arr.dtype.kind
            if kind not in "biufc":
                raise ArgumentError(f"argument {sym.name} has dtype {arr.dtype}: pass numbers "
                                    f"(bool, int, float or complex)")
            if kind == "c":
                any_complex = True
            elif kind == "f" and arr.dtype.itemsize <= 4:
                any32 = True
            elif kind == "f" or arr.dtype.itemsize > 2:
                wants64 = True  # as NumPy: float32 with bool, int8 or int16 stays float32
            if isinstance(a, np.generic):
                arr = np.asarray(a)
            values.append(arr)
        if any_complex:
            if "complex128" not in self.variants:
                raise ArgumentError(self._no_complex_reason())
            return values, "complex128"
        if any32 and not wants64:
            return values, "float32"
        return values, "float64"

    def _no_complex_reason(self):
        try:
            codegen.check_variant(self.graph, "complex128")
        except SymgraphError as exc:
            return f"complex arguments: {exc}"
        return "complex arguments are not supported by this function"

    @staticmethod
    def _prepare(v, shape, dtype):
        if not isinstance(v, np.ndarray):
            return dtype.type(v)
        if v.ndim == 0 or v.size == 1 and v.shape != shape:
            return dtype.type(v.reshape(()))
        if v.shape == shape:
            if v.dtype != dtype:
                v = v.astype(dtype)
            if v.ndim == 1:
                return v  # any stride: the kernel reads strided 1-D arrays directly
            if v.flags.c_contiguous:
                return v.reshape(-1)
            return np.ascontiguousarray(v).reshape(-1)
        # a smaller array that broadcasts: materialise it once in the broadcast shape
        return np.ascontiguousarray(np.broadcast_to(v.astype(dtype, copy=False), shape)).reshape(-1)

    def _outputs(self, shape, n, variant, out):
        """(arrays the kernel writes, the result to return, (target, temporary) pairs to copy back)."""
        dtypes = self._out_dtypes[variant]
        graph = self.graph
        if self._derivative is not None:  # value and derivatives, nested as documented in derivatives.py
            return self._derivative.allocate(shape, n, dtypes, out, self._check_out)
        if graph.form == "matrix":
            rows, cols = graph.shape
            full = shape + (rows, cols)
            dtype = np.result_type(*dtypes)
            target = self._check_out(out, full, dtype, "out") if out is not None else np.empty(full, dtype)
            if target.flags.c_contiguous and target.dtype == dtype:
                flat, copies = target.reshape(n, rows * cols), ()
            else:
                flat = np.empty((n, rows * cols), dtype)
                copies = ((target, flat),)
            return [flat[:, k] for k in range(rows * cols)], target, copies

        count = len(graph.outputs)
        if out is not None:
            outs = (out,) if graph.form == "single" and not isinstance(out, tuple) else tuple(out)
            if len(outs) != count:
                raise ArgumentError(f"out must hold {count} array{'s' if count != 1 else ''}, got {len(outs)}")
            targets = [self._check_out(o, shape, d, f"out[{j}]") for j, (o, d) in enumerate(zip(outs, dtypes))]
        else:
            targets = [np.empty(shape, d) for d in dtypes]
        # the kernel writes each result in its own dtype, into the target itself where it can
        flats, copies = [], []
        for t, d in zip(targets, dtypes):
            if t.flags.c_contiguous and t.dtype == d:
                flats.append(t.reshape(-1))
            else:
                flats.append(np.empty(n, d))
                copies.append((t, flats[-1]))
        result = targets[0] if graph.form == "single" else tuple(targets)
        return flats, result, copies

    @staticmethod
    def _check_out(o, shape, dtype, label):
        if not isinstance(o, np.ndarray):
            raise ArgumentError(f"{label} must be a NumPy array, got {type(o).__name__}")
        if o.shape != tuple(shape):
            raise ArgumentError(f"{label} has shape {o.shape}, but the result has shape {tuple(shape)}")
        if not np.can_cast(dtype, o.dtype, casting="same_kind"):
            raise ArgumentError(f"{label} has dtype {o.dtype}, which cannot hold the result's {dtype}")
        return o

    # ------------------------------------------------------------------ inspection
    def _signature(self):
        return f"f({', '.join(s.name for s in self.symbols)})"

    def __repr__(self):
        outs = len(self.graph.outputs)
        if self.graph.form == "matrix":
            form = f"a {self.graph.shape[0]}x{self.graph.shape[1]} matrix"
        else:
            form = "1 output" if self.graph.form == "single" else f"a tuple of {outs}"
        return (f"<symgraph compiled {self._signature()} -> {form}; graph of {len(self.graph)} nodes; "
                f"dtypes {', '.join(self.variants)}>")

    def explain(self, file=None) -> str:
        """The rewrites that were applied, with SymPy forms (also printed)."""
        from .display import explain
        text = explain(self)
        print(text, file=file)
        return text
