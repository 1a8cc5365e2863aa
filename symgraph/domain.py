"""What is known about a node's values, for rule guards.

Facts come from SymPy assumptions on the input symbols (`Symbol('x', positive=True)`) and are derived
bottom-up through the ops (exp(.) >= 0, x*x >= 0, abs >= 0, sqrt >= 0, sin in [-1, 1], ...). Intervals
are closed and conservative; `zero` says whether 0 may occur and `nan` whether NaN may.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
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


def _monotone(fn, domain_lo=-INF, domain_hi=INF, positive=False, keeps_sign=False, within=(-INF, INF)):
    """An increasing fn. The bounds are rounded outwards (math.log1p(1) is below ln 2), but never out of
    the range `within` nor, with `keeps_sign` (fn(0) = 0 and fn(x) has the sign of x: log1p, expm1,
    sinh, ...), across 0, which then occurs only where it occurs in the argument."""
    def derive(infos, node):
        i = infos[0]
        nan = i.nan or i.lo < domain_lo or i.hi > domain_hi
        lo, hi = _outward(fn(max(i.lo, domain_lo)), fn(min(i.hi, domain_hi)))
        lo, hi = max(lo, within[0]), min(hi, within[1])
        if keeps_sign:
            lo, hi = (max(lo, 0.0) if i.lo >= 0 else lo), (min(hi, 0.0) if i.hi <= 0 else hi)
        result = _interval(lo, hi, nan=nan, zero=i.zero if keeps_sign else None)
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


# ---- the stable primitives (symgraph/stable.py): their bounds are rounded outwards, so that a fact
# holds for the exact values and not only up to the rounding of the bound itself
def _outward(lo, hi):
    """Bounds widened by 2^-50 of themselves (the math-module evaluations below err by a few ulps)."""
    def widen(v, direction):
        if abs(v) == INF or v != v:
            return v
        return math.nextafter(v + direction * abs(v) * 2.0 ** -50, direction * INF)
    return widen(lo, -1), widen(hi, 1)


def _monotone_outward(fn, domain_lo=-INF, domain_hi=INF, decreasing=False, within=(-INF, INF)):
    """An increasing (or decreasing) fn on [domain_lo, domain_hi], NaN outside, whose values all lie in
    `within` (the outward rounding must not step out of it: softplus >= 0)."""
    def derive(infos, node):
        i = infos[0]
        nan = i.nan or i.lo < domain_lo or i.hi > domain_hi
        if i.lo > domain_hi or i.hi < domain_lo:
            return Info(INF, -INF, nan=True, zero=False, infinite=False)  # NaN only
        a, b = fn(max(i.lo, domain_lo)), fn(min(i.hi, domain_hi))
        lo, hi = _outward(*((b, a) if decreasing else (a, b)))
        return _interval(max(lo, within[0]), min(hi, within[1]), nan=nan)
    return derive


def _softplus_value(v):
    return max(v, 0.0) + math.log1p(math.exp(-abs(v))) if v == v else v


def _sigmoid_value(v):
    return 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))


def _exprel_value(v):
    if v == 0:
        return 1.0
    if v == -INF:
        return 0.0
    if v > 709:  # e^v overflows float64 before (e^v - 1)/v does, which stays finite up to about 716
        with mpmath.workdps(30):
            return float(mpmath.expm1(v) / v) if v < 720 else INF
    return math.expm1(v) / v


def _x_over_expm1_value(v):
    if 709 < v < INF:  # x e^-x stays a (subnormal) float up to about 751, past where e^x overflows
        with mpmath.workdps(30):
            return float(v / mpmath.expm1(v))
    e = _exprel_value(v)
    return INF if e == 0 else (0.0 if e == INF else 1 / e)


def _log1mexp_value(v):
    if v == 0:
        return -INF
    return math.log(-math.expm1(v)) if v > -1 else math.log1p(-math.exp(v))


def _logit_value(p):
    if p <= 0:
        return -INF
    if p >= 1:
        return INF
    # log(p) - log1p(-p) cancels near p = 1/2 (in floats 2.5e-15 relative at 0.516, more than the
    # outward rounding's 2^-50): evaluated at 30 digits, it is off by its final rounding only
    with mpmath.workdps(30):
        return float(mpmath.log(p) - mpmath.log1p(-p))


def _series_value(name, v):
    # the references carry the digits the cancellation needs; math.sin(v) - v would not
    from . import stable_series
    return float(getattr(stable_series, f"mp_{name}")(mpmath.mpf(v)))


def _within_branch(bound, name):
    """An increasing odd function on (-bound, bound) (bound just inside its first poles); nothing known
    beyond."""
    increasing = _monotone(lambda v: _series_value(name, v), keeps_sign=True)

    def derive(infos, node):
        i = infos[0]
        if -bound <= i.lo and i.hi <= bound:
            return increasing(infos, node)
        return Info()
    return derive


def _odd_increasing_on(lo, hi, name):
    """An increasing odd function on [lo, hi] (its values at the ends may be infinite), NaN outside."""
    increasing = _monotone(lambda v: _series_value(name, v), lo, hi, keeps_sign=True)

    def derive(infos, node):
        i = infos[0]
        if i.lo > hi or i.hi < lo:
            return Info(INF, -INF, nan=True, zero=False, infinite=False)  # NaN only
        return increasing(infos, node)
    return derive


def _logaddexp(infos, node):
    # max(x_i) <= logaddexp(x_1..x_n) <= max(x_i) + log(n)
    lo = max(i.lo for i in infos)
    hi = max(i.hi for i in infos) + math.log(len(infos))
    # the lower bound is an argument's own bound (exact); the upper one adds a rounded log(n)
    return _interval(lo, _outward(lo, hi)[1], nan=any(i.nan for i in infos))


def _scaled_expm1(infos, node):
    c, xi = infos
    return _mul([c, _monotone_outward(_safe(math.expm1))([xi], node)], node)


def _pow1p(infos, node):
    # (1 + u)^v for 1 + u >= 0: >= 1 where 1 + u >= 1 and v >= 0 or 1 + u <= 1 and v <= 0, in [0, 1]
    # where they are on opposite sides (u = -1, v = 0: 1); a negative base to an integer power has
    # either sign. NaN from a NaN argument (pow1p(0, NaN) = 1 and pow1p(NaN, 0) = 1 are in every range)
    u, v = infos
    if u.lo < -1:
        return UNKNOWN
    nan = u.nan or v.nan
    if (u.lo >= 0 and v.lo >= 0) or (u.hi <= 0 and v.hi <= 0):
        return _interval(1.0, INF, nan=nan, zero=False)
    if (u.lo >= 0 and v.hi <= 0) or (u.hi <= 0 and v.lo >= 0):
        return _interval(0.0, 1.0, nan=nan)
    return _interval(0.0, INF, nan=nan)


def _unit(infos, node):
    return Info(0.0, 1.0, any(i.nan for i in infos), True, False)


STABLE_DERIVE = {
    "softplus": _monotone_outward(_softplus_value, within=(0.0, INF)),
    "log_sigmoid": _monotone_outward(lambda v: -_softplus_value(-v), within=(-INF, 0.0)),
    "sigmoid": _monotone_outward(_sigmoid_value, within=(0.0, 1.0)), "sigmoid_diff": _unit,
    "log1mexp": _monotone_outward(_log1mexp_value, domain_hi=0.0, decreasing=True, within=(-INF, 0.0)),
    "cosm1": lambda infos, node: Info(-2.0, 0.0, infos[0].nan or infos[0].infinite, True, False),
    "exprel": _monotone_outward(_exprel_value, within=(0.0, INF)),
    "x_over_expm1": _monotone_outward(_x_over_expm1_value, decreasing=True, within=(0.0, INF)),
    "logit": _monotone_outward(_logit_value, 0.0, 1.0),
    "logaddexp": _logaddexp, "scaled_expm1": _scaled_expm1, "pow1p": _pow1p,
    "ndtr": _monotone_outward(lambda v: 0.5 * math.erfc(-v * 0.7071067811865476), within=(0.0, 1.0)),
    "x_minus_sin": _monotone(lambda v: _series_value("x_minus_sin", v), keeps_sign=True),
    "sinh_minus_x": _monotone(lambda v: _series_value("sinh_minus_x", v), keeps_sign=True),
    # x cosh(x) - sinh(x): derivative x sinh(x) >= 0, odd
    "x_cosh_minus_sinh": _monotone(lambda v: _series_value("x_cosh_minus_sinh", v), keeps_sign=True),
    # increasing between the poles around 0 (derivatives csc^2 - 1/x^2 and tan^2), odd; tanh(x) - x and
    # atan(x) - x decreasing (derivatives -tanh^2 and -x^2/(1 + x^2)), asinh(x) - x too (1/sqrt(1 + x^2) - 1)
    "inv_minus_cot": _within_branch(3.14159, "inv_minus_cot"),
    "tan_minus_x": _within_branch(1.570796, "tan_minus_x"),
    # sin(x) - x cos(x): derivative x sin(x) >= 0 on (-pi, pi), odd
    "sin_minus_x_cos": _within_branch(3.14159, "sin_minus_x_cos"),
    "tanh_minus_x": _monotone_outward(lambda v: _series_value("tanh_minus_x", v), decreasing=True),
    "atan_minus_x": _monotone_outward(lambda v: _series_value("atan_minus_x", v), decreasing=True),
    "asinh_minus_x": _monotone_outward(lambda v: _series_value("asinh_minus_x", v), decreasing=True),
    # asin(x) - x and atanh(x) - x: increasing (derivatives 1/sqrt(1 - x^2) - 1 and x^2/(1 - x^2)), odd, on
    # [-1, 1]: asin's within +-(pi/2 - 1), atanh's +-inf at +-1; NaN beyond
    "asin_minus_x": _odd_increasing_on(-1.0, 1.0, "asin_minus_x"),
    "atanh_minus_x": _odd_increasing_on(-1.0, 1.0, "atanh_minus_x"),
    # e^x - 1 - x - x^2/2: derivative e^x - 1 - x >= 0, 0 at 0; cos(x) - 1 + x^2/2 >= 0 (even, derivative
    # x - sin(x) of the sign of x; +inf at +-inf)
    "exp_minus_taylor2": _monotone(lambda v: _series_value("exp_minus_taylor2", v), keeps_sign=True),
    "cos_minus_taylor2": lambda infos, node: Info(0.0, INF, infos[0].nan, True, True),
    # e^x >= 1 + x and log(1 + x) <= x (NaN below -1)
    "expm1_minus_x": lambda infos, node: Info(0.0, INF, infos[0].nan, True, True),
    "log1p_minus_x": lambda infos, node: Info(-INF, 0.0, infos[0].nan or infos[0].lo < -1, True, True),
}


DERIVE = {
    "add": _add, "sub": _sub, "mul": _mul, "neg": _neg, "div": _div, "pow": _pow,
    "exp": _monotone(_safe(math.exp), positive=True, within=(0.0, INF)),
    "expm1": _monotone(_safe(math.expm1), keeps_sign=True, within=(-1.0, INF)),
    "log": _monotone(_safe(math.log), 0.0),
    "log2": _monotone(_safe(math.log2), 0.0), "log10": _monotone(_safe(math.log10), 0.0),
    "log1p": _monotone(_safe(math.log1p), -1.0, keeps_sign=True),
    "sqrt": _monotone(_safe(math.sqrt), 0.0, within=(0.0, INF)),
    "cbrt": _monotone(lambda v: math.copysign(abs(v) ** (1 / 3), v), keeps_sign=True),
    "atan": _monotone(math.atan, keeps_sign=True), "tanh": _monotone(math.tanh, keeps_sign=True, within=(-1.0, 1.0)),
    "erf": _monotone(math.erf, keeps_sign=True, within=(-1.0, 1.0)),
    "sinh": _monotone(_safe(math.sinh), keeps_sign=True), "asinh": _monotone(math.asinh, keeps_sign=True),
    "erfc": _bounded(0.0, 2.0), "sin": _bounded(-1.0, 1.0), "cos": _bounded(-1.0, 1.0),
    "sinpi": _bounded(-1.0, 1.0), "cospi": _bounded(-1.0, 1.0),
    "abs": _abs, "cosh": _cosh, "hypot": lambda infos, node: _interval(0.0, INF, nan=any(i.nan for i in infos)),
    "select": _select,
    **{name: _bool for name in ("lt", "le", "gt", "ge", "eq", "ne", "and", "or", "not", "xor")},
    **STABLE_DERIVE,
}
# exp and expm1 of a compensated argument (symgraph/compensated.py): the correction moves the result by
# at most an ulp, within the outward rounding of exp's and expm1's own bounds
DERIVE["exp_pair"], DERIVE["expm1_pair"] = DERIVE["exp"], DERIVE["expm1"]
DERIVE["scaled_expm1_pair"] = lambda infos, node: DERIVE["scaled_expm1"](infos[:2], node)
# carried(u) is u; corrected(v, s, lo) is v moved by ~2^-43 of itself (what is known of v holds for it)
DERIVE["carried"] = DERIVE["corrected"] = lambda infos, node: infos[0]
DERIVE["plus_zero"] = lambda infos, node: infos[0]  # x + 0 is x but for the sign of a zero
# a*b + c rounded once lies within the outward bounds of a*b then + c (c*x + z likewise, c exact)
DERIVE["mul_add"] = DERIVE["constant_mul_add"] = lambda infos, node: _add([_mul(infos[:2], node), infos[2]], node)


def _erfcx_value(v):
    # e^(x^2) erfc(x): decreasing from +inf at -inf to 0 at +inf, positive
    from .stable_erfcx import mp_erfcx
    with mpmath.workdps(20):
        return float(mp_erfcx(mpmath.mpf(v)))


DERIVE["erfcx"] = _monotone_outward(_erfcx_value, decreasing=True, within=(0.0, INF))


def _stirlerr_value(v):
    from .stable_gamma import stirlerr_value  # stirlerr: +inf at 0, decreasing to 0 at +inf, NaN below 0
    return stirlerr_value(v)


DERIVE["stirlerr"] = _monotone_outward(_stirlerr_value, domain_lo=0.0, decreasing=True, within=(0.0, INF))


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
