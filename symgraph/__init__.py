"""symgraph: SymPy expressions compiled into fast, accurate, differentiable Numba kernels."""
from .compile import CompiledFunction, __version__, compile
from .errors import ArgumentError, RewriteError, SymgraphError, UnsupportedError
from .ir import Graph, Node
from .lower import lower
from .passes import Options
# stable primitives users can write directly (SymPy functions that compile to careful kernels)
from .stable import cosm1, log1mexp, log_sigmoid, logaddexp, logit, sigmoid, softplus, xlog1py, xlogy
from .stable_erfcx import erfcx
from .stable_normal import log_ndtr, ndtr
from .stable_pow import pow1p
from .stable_trigpi import cospi, sinpi
from .stable_gamma import stirlerr
from sympy.codegen.cfunctions import expm1, hypot, log1p  # noqa: E402  (SymPy's, lowered to our ops)

__all__ = ["compile", "lower", "Graph", "Node", "CompiledFunction", "SymgraphError", "UnsupportedError",
           "ArgumentError", "RewriteError", "Options", "__version__",
           "softplus", "log1mexp", "logaddexp", "sigmoid", "log_sigmoid", "xlogy", "xlog1py", "logit", "cosm1",
           "pow1p", "sinpi", "cospi", "ndtr", "log_ndtr", "erfcx", "stirlerr", "log1p", "expm1", "hypot"]
