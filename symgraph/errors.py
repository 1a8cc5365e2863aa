"""The exceptions symgraph raises: every user-facing failure is one of these, never a Numba traceback."""


class SymgraphError(Exception):
    """Base class of every error symgraph raises on purpose."""


class UnsupportedError(SymgraphError):
    """A SymPy construct that symgraph cannot compile (names the construct)."""


class ArgumentError(SymgraphError, TypeError):
    """A call of a compiled function with arguments it cannot take (names the argument)."""


class RewriteError(SymgraphError):
    """The rewrite engine did not reach a fixpoint within its step cap (carries the rule trace)."""
