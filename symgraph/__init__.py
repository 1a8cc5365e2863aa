"""symgraph: SymPy expressions compiled into fast, accurate, differentiable Numba kernels."""
from .compile import CompiledFunction, __version__, compile
from .errors import ArgumentError, RewriteError, SymgraphError, UnsupportedError
from .ir import Graph, Node
from .lower import lower
from .passes import Options

__all__ = ["compile", "lower", "Graph", "Node", "CompiledFunction", "SymgraphError", "UnsupportedError",
           "ArgumentError", "RewriteError", "Options", "__version__"]
