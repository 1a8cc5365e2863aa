"""What is known about a node's values, for rule guards.

Facts come from SymPy assumptions on the input symbols (`Symbol('x', positive=True)`) and are derived
bottom-up through the ops (exp(.) >= 0, x*x >= 0, abs >= 0, sqrt >= 0, sin in [-1, 1], ...). Intervals
are closed and conservative; `zero` says whether 0 may occur and `nan` whether NaN may.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import sympy

from .ir import Node, topological

INF = math.inf


@dataclass(frozen=True)
class Info:
    """Facts about one node: a closed interval [lo, hi] of its non-NaN values and flags."""

    lo: float = -INF
    hi: float = INF
    nan: bool = True       # NaN may occur
    zero: bool = True      # 0 may occur (inside [lo, hi])
    infinite: bool = True  # +-inf may occur (when the interval reaches them)
    real: bool = True      # the value is real whenever the inputs are (an assumption, see `Facts`)
    integer: bool = False

    @property
    def finite(self) -> bool:
        return not self.nan and (not self.infinite or (self.lo > -INF and self.hi < INF))


UNKNOWN = Info()


def _interval(lo, hi, *, nan=True, zero=None, infinite=True, integer=False) -> Info:
    if zero is None:
        zero = lo <= 0 <= hi
    if lo > -INF and hi < INF:
        infinite = False
    return Info(lo, hi, nan, zero and lo <= 0 <= hi, infinite, True, integer)


def _from_symbol(sym: sympy.Symbol) -> Info:
    a = sym.assumptions0
    lo, hi = -INF, INF
    if a.get("positive") or a.get("nonnegative"):
        lo = 0.0
    if a.get("negative") or a.get("nonpositive"):
        hi = 0.0
    zero = not (a.get("positive") or a.get("negative") or a.get("nonzero"))
    declared_real = a.get("real") or a.get("extended_real")
    finite = bool(a.get("finite"))
    return Info(lo, hi, nan=not declared_real, zero=zero, infinite=not finite, real=a.get("real") is not False,
                integer=bool(a.get("integer")))


def _from_const(value) -> Info:
    if value in (sympy.true, sympy.false):
        return Info(0.0, 1.0, nan=False, zero=value == sympy.false, infinite=False, integer=True)
    if value is sympy.nan:
        return Info(INF, -INF, nan=True, zero=False, infinite=False)
    if not value.is_extended_real:
        return Info(nan=False, real=False)
    f = float(value)
    return Info(f, f, nan=False, zero=f == 0, infinite=math.isinf(f), integer=bool(value.is_integer))


def _mul_bounds(a: Info, b: Info):
    products = []
    for x in (a.lo, a.hi):
        for y in (b.lo, b.hi):
            p = x * y
            products.append(0.0 if p != p else p)  # inf * 0: the zero end is the bound that matters
    return min(products), max(products)


def _add(infos, node):
    lo = sum(i.lo for i in infos)
    hi = sum(i.hi for i in infos)
    nan = any(i.nan for i in infos) or (lo != lo) or (hi != hi) or \
        (any(i.hi == INF for i in infos) and any(i.lo == -INF for i in infos))
    lo = -INF if lo != lo else lo
    hi = INF if hi != hi else hi
    return _interval(lo, hi, nan=nan, integer=all(i.integer for i in infos))


def _mul(infos, node):
    args = node.args
    if len(args) == 2 and args[0] is args[1]:  # a square
        i = infos[0]
        big = max(i.lo * i.lo, i.hi * i.hi)
        small = 0.0 if i.lo <= 0 <= i.hi else min(i.lo * i.lo, i.hi * i.hi)
        return _interval(small, big, nan=i.nan, zero=i.zero, integer=i.integer)
    acc = infos[0]
    nan = any(i.nan for i in infos)
    for i in infos[1:]:
        lo, hi = _mul_bounds(acc, i)
        # inf * 0 may occur when one side reaches infinity and the other may be zero
        nan = nan or ((acc.infinite and (acc.lo == -INF or acc.hi == INF)) and i.zero) or \
            ((i.infinite and (i.lo == -INF or i.hi == INF)) and acc.zero)
        acc = _interval(lo, hi, nan=nan, zero=acc.zero or i.zero, integer=acc.integer and i.integer)
    return acc


def _neg(infos, node):
    i = infos[0]
    return Info(-i.hi, -i.lo, i.nan, i.zero, i.infinite, i.real, i.integer)


def _sub(infos, node):
    a, b = infos
    return _add([a, _neg([b], None)], node)


def _div(infos, node):
    a, b = infos
    if b.zero:
        # x/0 is +-inf, 0/0 is NaN: only the sign survives
        nan = a.nan or b.nan or a.zero or (b.infinite and a.infinite)
        if a.lo >= 0 and b.lo >= 0:
            return _interval(0.0, INF, nan=nan, zero=a.zero)
        return Info(nan=nan, zero=a.zero)
    # a NaN operand gives a NaN result; it does not widen the interval of the other values
    inv = Info(1 / b.hi if b.hi != 0 else -INF, 1 / b.lo if b.lo != 0 else INF, False, b.infinite, False)
    lo, hi = _mul_bounds(a, inv)
    nan = a.nan or b.nan or (a.infinite and b.infinite)
    return _interval(min(lo, hi), max(lo, hi), nan=nan, zero=a.zero or b.infinite)


def _monotone(fn, domain_lo=-INF, domain_hi=INF, positive=False):
    def derive(infos, node):
        i = infos[0]
        nan = i.nan or i.lo < domain_lo or i.hi > domain_hi
        lo = fn(max(i.lo, domain_lo))
        hi = fn(min(i.hi, domain_hi))
        result = _interval(lo, hi, nan=nan)
        if positive and i.lo > -INF:
            result = Info(result.lo, result.hi, result.nan, False, result.infinite)
        return result
    return derive


def _safe(fn):
    def wrapped(x):
        try:
            return fn(x)
        except OverflowError:
            return INF
        except ValueError:
            return -INF if x <= 0 else INF
    return wrapped


def _bounded(lo, hi, zero=True):
    return lambda infos, node: Info(lo, hi, any(i.nan or i.infinite for i in infos), zero, False)


def _abs(infos, node):
    i = infos[0]
    lo = 0.0 if i.lo <= 0 <= i.hi else min(abs(i.lo), abs(i.hi))
    return _interval(lo, max(abs(i.lo), abs(i.hi)), nan=i.nan, zero=i.zero, integer=i.integer)


def _cosh(infos, node):
    i = infos[0]
    return _interval(1.0, INF, nan=i.nan, zero=False)


def _bool(infos, node):
    return Info(0.0, 1.0, False, True, False, True, True)


def _select(infos, node):
    _, a, b = infos
    return Info(min(a.lo, b.lo), max(a.hi, b.hi), a.nan or b.nan, a.zero or b.zero, a.infinite or b.infinite,
                a.real and b.real, a.integer and b.integer)


def _pow(infos, node):
    base, exponent = infos
    e = node.args[1]
    if e.is_const and e.value.is_Integer and int(e.value) % 2 == 0 and int(e.value) > 0:
        return _interval(0.0, INF, nan=base.nan, zero=base.zero)
    if base.lo >= 0:
        return _interval(0.0, INF, nan=base.nan or exponent.nan, zero=base.zero)
    return UNKNOWN


DERIVE = {
    "add": _add, "sub": _sub, "mul": _mul, "neg": _neg, "div": _div, "pow": _pow,
    "exp": _monotone(_safe(math.exp), positive=True),
    "expm1": _monotone(_safe(math.expm1)),
    "log": _monotone(_safe(math.log), 0.0),
    "log1p": _monotone(_safe(math.log1p), -1.0),
    "sqrt": _monotone(_safe(math.sqrt), 0.0),
    "cbrt": _monotone(lambda v: math.copysign(abs(v) ** (1 / 3), v)),
    "atan": _monotone(math.atan), "tanh": _monotone(math.tanh), "erf": _monotone(math.erf),
    "sinh": _monotone(_safe(math.sinh)), "asinh": _monotone(math.asinh),
    "erfc": _bounded(0.0, 2.0), "sin": _bounded(-1.0, 1.0), "cos": _bounded(-1.0, 1.0),
    "abs": _abs, "cosh": _cosh, "hypot": lambda infos, node: _interval(0.0, INF, nan=any(i.nan for i in infos)),
    "select": _select,
    **{name: _bool for name in ("lt", "le", "gt", "ge", "eq", "ne", "and", "or", "not", "xor")},
}


class Facts:
    """Facts about the nodes of one graph, computed lazily and cached by node.

    Symbols without assumptions are taken as real (the float kernels' inputs); rules that rely on this
    are tagged R or G and make the compiled function refuse complex arguments.
    """

    def __init__(self):
        self._info: dict = {}

    def info(self, node: Node) -> Info:
        found = self._info.get(node.key)
        if found is not None:
            return found
        for n in topological([node]):
            if n.key in self._info:
                continue
            if n.is_symbol:
                info = _from_symbol(n.attr)
            elif n.is_const:
                info = _from_const(n.value)
            else:
                derive = DERIVE.get(n.op.name)
                info = derive([self._info[a.key] for a in n.args], n) if derive else UNKNOWN
            self._info[n.key] = info
        return self._info[node.key]

    def interval(self, node: Node) -> tuple:
        i = self.info(node)
        return i.lo, i.hi

    def positive(self, node) -> bool:
        i = self.info(node)
        return i.lo >= 0 and not i.zero and i.lo <= i.hi

    def nonnegative(self, node) -> bool:
        return self.info(node).lo >= 0

    def negative(self, node) -> bool:
        i = self.info(node)
        return i.hi <= 0 and not i.zero and i.lo <= i.hi

    def nonpositive(self, node) -> bool:
        return self.info(node).hi <= 0

    def nonzero(self, node) -> bool:
        return not self.info(node).zero

    def finite(self, node) -> bool:
        """Never +-inf and never NaN."""
        return self.info(node).finite

    def not_nan(self, node) -> bool:
        return not self.info(node).nan

    def real(self, node) -> bool:
        return self.info(node).real

    def integer(self, node) -> bool:
        return self.info(node).integer

    def within(self, node, lo: float, hi: float) -> bool:
        """Whether every non-NaN value lies in [lo, hi]."""
        i = self.info(node)
        return lo <= i.lo and i.hi <= hi
