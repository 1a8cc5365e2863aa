"""A compiled function whose args or results nest (see symgraph.signature): the kernel is the same
flat one; calls are unpacked into its parameters and its flat outputs are rebuilt into the nesting."""
from __future__ import annotations

from .compile import CompiledFunction
from .errors import ArgumentError


class StructuredFunction(CompiledFunction):
    """Called like the sympy.lambdify function it replaces: f(1, (2, 3)), f(A) for a MatrixSymbol A, ..."""

    def __init__(self, arg_layout, out_layout, symbols, graph, **options):
        self.arg_layout = arg_layout
        self.out_layout = out_layout
        super().__init__(symbols, graph, **options)

    def __call__(self, *args, out=None):
        top = len(self.arg_layout.top)
        if len(args) != top:
            raise ArgumentError(f"{self._signature()} takes {top} argument{'s' if top != 1 else ''}, "
                                f"got {len(args)}")
        flat = args if self.arg_layout.simple else self.arg_layout.unpack(args)
        result = super().__call__(*flat, out=out)
        return result if self.out_layout is None else self.out_layout.rebuild(result)

    def _signature(self):
        return f"f({', '.join(self._describe(slot) for slot in self.arg_layout.top)})"

    def _describe(self, slot):
        if hasattr(slot, "index"):
            return self.symbols[slot.index].name
        if hasattr(slot, "members"):
            return slot.text
        return f"{slot.name}[{'x'.join(str(d) for d in slot.shape)}]"
