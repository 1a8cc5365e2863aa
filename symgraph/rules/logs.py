"""Logarithms to base 2 and 10 (catalogue A1): SymPy spells log(x, 2) as log(x)/log(2), which as typed is
a log, a rounded constant and a division, three roundings (0.30 bits of error on average, up to 1.5 ulp
for base 2 and 2.2 for base 10); log2(x) and log10(x) are one vectorised primitive each, rounded once.

Rearrange phase: the log inside is seen first (bottom-up), so a log whose argument is near 1 has already
become log1p (log(cos(x), 2) keeps rearrange's log-near-one), and only a plain log(x) is rebased here.
"""
from __future__ import annotations

import sympy

from .. import ops
from ..rewrite import ConstVar, Rule, Validity, Var

x, y, d = Var("x"), Var("y"), Var("d")
c = ConstVar("c")
A = Validity.ACCURACY
REARRANGE = "rearrange"
BASES = {2: ops.LOG2, 10: ops.LOG10}


def _base_of_log(node):
    """2 or 10 when `node` is log(2) or log(10): the log of that constant (as lowered) or the folded constant."""
    if node.op is ops.LOG and node.args[0].is_const:
        value = node.args[0].value
        for base in BASES:
            if value == base:  # 2, 2.0
                return base
        return None
    if node.is_const:
        for base in BASES:
            if node.value == sympy.log(base):
                return base
    return None


def _rebased(x, d):
    base = _base_of_log(d)
    return None if base is None else BASES[base](x)


def _times_reciprocal(x, c):
    # log(x) * (1/log(b)), the constant as SymPy writes it (Pow(log(b), -1))
    for base, op in BASES.items():
        if c.value == 1 / sympy.log(base):
            return op(x)
    return None


def _scaled_rebased(x, y, d):
    new = _rebased(x, d)
    return None if new is None else y * new


RULES = [
    Rule("log-base", ops.LOG(x) / d, _rebased, validity=A, phase=REARRANGE, ref="A1",
         doc="log(x)/log(2) and log(x)/log(10) (SymPy's log(x, 2), log(x, 10)) round three times: log2(x), log10(x)"),
    Rule("log-times-inverse-log", ops.LOG(x) * c, _times_reciprocal, validity=A, phase=REARRANGE, ref="A1",
         doc="log(x) * (1/log(2)) and log(x) * (1/log(10)): log2(x), log10(x)"),
    Rule("scaled-log-base", (y * ops.LOG(x)) / d, _scaled_rebased, validity=A, phase=REARRANGE, ref="A1",
         doc="y log(x)/log(2) (SymPy's 3*log(x, 2)): y log2(x), and for base 10"),
]
