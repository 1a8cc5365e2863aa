"""A product and a sum as one fused multiply-add: a*b + c rounds once instead of twice.

The kernels are compiled without fast-math, so LLVM never contracts a*b + c by itself; this phase does,
where it cannot hurt. One rounding fewer is at least as accurate everywhere and much more where the sum
cancels (x*x - 2 near sqrt(2), x*y + z, the terms of a polynomial the user typed), and one instruction
instead of two dependent ones.

Only sums with one product among their terms are fused: fma(a, b, -(c*d)) is not symmetric in its two
products and gives a*d - b*c a value that is not 0 for a singular matrix (a*d - round(b*c)), where the
typed difference is exactly 0 (the difference-of-products rule compensates those instead). The last
phase, after specialize: the compensated rules (rules/compensate.py) describe the rounding of the sums
and products the kernel performs, so whatever they describe (their carried values, the arguments of
their error terms) is left as it is: `frozen`.
"""
from __future__ import annotations

from .. import ops
from ..compensated import (CARRIED, CONSTANT_MUL_ADD, CONSTANT_PRODUCT, CONSTANT_QUOTIENT, CORRECTED, MUL_ADD, PAIRS,
                           ROUNDING_ERRORS, is_represented_exactly)
from ..ir import binary_exponent, const, topological
from ..rewrite import ConstVar, Rule, Validity, Var
from ._symbolic import restored
from .stability import negate

x, y, z = Var("x"), Var("y"), Var("z")
c, k = ConstVar("c"), ConstVar("k")

# the ops whose arguments' evaluation the compensated rules describe exactly
_DESCRIBED = (CARRIED, CORRECTED, *PAIRS, *ROUNDING_ERRORS)
_SUMS = (ops.ADD, ops.SUB, ops.NEG)


def frozen(outputs) -> list:
    """The nodes below a compensated form (its arguments and everything they are built from)."""
    roots = [a for n in topological(outputs) if n.op in _DESCRIBED for a in n.args]
    return topological(roots)


def _holds_product(node) -> bool:
    """Whether one of the terms of `node` (through sums, differences and negations) is a product that
    rounds (2*x does not, but where it overflows)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.op is MUL_ADD or n.op is ops.MUL and not _exact_scaling(n):
            return True
        if n.op in _SUMS:
            stack.extend(n.args)
    return False


def _exact_scaling(product) -> bool:
    return _exact_factors(product.args)


def _exact_factors(factors) -> bool:
    return len(factors) == 2 and any(binary_exponent(a) is not None for a in factors)


# fused node's key -> the sum it replaced. Optimizing twice must change nothing, but a second run's rules
# would see fused sums where the first run saw sums (the terms sum-order lists, the conditions of the guards
# the stabilize rules rebuild around a kept typed branch): each run starts by giving every fused node back
# its sum (`unfused`), the second run then repeats the first, and this phase fuses the same sums again.
# (Per process, as the graphs are; the fused multiply-adds of other rules, taylor's Horner steps, are not
# in it.)
_ORIGINALS: dict = {}


def _fused(a, b, addend, original, negated=False):
    # (an n-ary product matches as a times the product of the rest)
    if _holds_product(addend) or b.op is not ops.MUL and _exact_factors((a, b)):
        return None  # (2*x + y rounds once already: left as typed)
    if b.is_const and not a.is_const:
        a, b = b, a
    if a.is_const and not b.is_const and _held_inexactly(a.value):
        return _constant_fused(-a.value if negated else a.value, b, addend, original)
    return _remembered(MUL_ADD(negate(a) if negated else a, b, addend), original)


def _held_inexactly(value) -> bool:
    """A finite nonzero real constant the dtype rounds (pi, 2/3, cos(2))."""
    return value.is_extended_real and value.is_finite and value != 0 and not is_represented_exactly(value)


def _constant_fused(value, x, addend, original):
    return _remembered(CONSTANT_MUL_ADD(const(value), x, addend), original)


def _fused_quotient(x, k, addend, original, negated=False):
    # x/7 - y, (pi*x)/180 - 1: the quotient rounds before the sum cancels; c x + z with c = 1/7, pi/180
    # rounded once (CONSTANT_MUL_ADD). A quotient by a power of two (x/2, exact) is left as typed
    value = 1 / k.value
    if x.op is ops.MUL and len(x.args) == 2 and x.args[0].is_const and not x.args[1].is_const:
        value, x = x.args[0].value * value, x.args[1]
    if x.is_const or _holds_product(addend) or not _held_inexactly(value):
        return None
    return _constant_fused(-value if negated else value, x, addend, original)


def _fused_square(x, c, original, negated=False):
    # (x - c)(x + c) = fma(x, x, -c^2), (c - x)(c + x) = fma(-x, x, c^2) where c^2 is exact (in float32
    # too): one rounding of the exact x^2 - c^2, where the factored form (difference-of-squares' and
    # square-minus-one's, made for x^2 - 1 near |x| = 1) rounds x + c and the product as well (0.6 bits
    # mean of v^2 - 1 over |v| < 0.7; this: correctly rounded)
    v = c.value
    if not (v.is_Rational and v != 0 and abs(v.p) < 2**12 and v.q & (v.q - 1) == 0):
        return None
    square = const(v * v)
    return _remembered(MUL_ADD(negate(x), x, square) if negated else MUL_ADD(x, x, negate(square)), original)


def _constant_product(c, x, original, reciprocal=False, divisor=None):
    # pi*x, cos(2)*tanh(u), x/pi: the typed product rounds the constant, then the product (0.36 mean bits
    # of cos(2) tanh(x + 1) for x in [0.1, 10], 0.33 as lambdify has it); the constant product rounds once
    # (its emission, per dtype). After the sums are fused: c*x + z is one FMA already, rounding as often
    value = c.value / divisor.value if divisor is not None else c.value
    if x.is_const or not value.is_extended_real or not value.is_finite or value == 0 or \
            is_represented_exactly(value):
        return None
    return _remembered(CONSTANT_PRODUCT(const(1 / value) if reciprocal else const(value), x), original)


def _constant_quotient(k, x, original, divisor=None):
    # 4/(3 u), 4/(3 pi u) (SymPy's 4/3 over pi u): the typed quotient rounds the constant(s), a product by
    # pi and the quotient, and the constants' roundings are fixed relative biases that may add up or
    # cancel (4/(3 pi u) 0.27 mean bits typed, 0.39 with pi u rounded once, 0.41 as (4/(3 pi))/u); the
    # constant quotient of the one exact constant rounds once. A constant the dtype holds (1/x) is
    # correctly rounded as typed
    value = k.value / divisor.value if divisor is not None else k.value
    if x.is_const or not value.is_extended_real or not value.is_finite or value == 0 or \
            divisor is None and is_represented_exactly(value):
        return None
    return _remembered(CONSTANT_QUOTIENT(const(value), x), original)


def _remembered(fused, original):
    """`fused`, recorded as the form of `original` (for `unfused`)."""
    if len(_ORIGINALS) > 100_000:
        _ORIGINALS.clear()
    _ORIGINALS[fused.key] = original
    return fused


def unfused(outputs) -> list:
    """`outputs` with every node this phase fused replaced by the sum it replaced, before a run."""
    return restored(outputs, _ORIGINALS) if _ORIGINALS else list(outputs)


RULES = [
    Rule("fused-multiply-add", x * y + z, lambda x, y, z, node: _fused(x, y, z, node), whole=True,
         validity=Validity.ACCURACY, phase="fuse",
         doc="a*b + c rounded once (FMA): never less accurate, and one instruction"),
    Rule("fused-multiply-subtract", x * y - z, lambda x, y, z, node: _fused(x, y, negate(z), node),
         whole=True, validity=Validity.ACCURACY, phase="fuse", doc="a*b - c as fma(a, b, -c)"),
    Rule("fused-subtract-multiply", z - x * y, lambda x, y, z, node: _fused(x, y, z, node, negated=True),
         whole=True, validity=Validity.ACCURACY, phase="fuse", doc="c - a*b as fma(-a, b, c)"),
    Rule("fused-quotient-add", x / k + z, lambda x, k, z, node: _fused_quotient(x, k, z, node), whole=True,
         validity=Validity.ACCURACY, phase="fuse",
         doc="x/c + z as c' x + z with c' = 1/c rounded once (x/7 - y near x = 7y)"),
    Rule("fused-quotient-subtract", x / k - z, lambda x, k, z, node: _fused_quotient(x, k, negate(z), node),
         whole=True, validity=Validity.ACCURACY, phase="fuse", doc="x/c - z as fma(1/c, x, -z), 1/c rounded once"),
    Rule("fused-subtract-quotient", z - x / k,
         lambda x, k, z, node: _fused_quotient(x, k, z, node, negated=True), whole=True,
         validity=Validity.ACCURACY, phase="fuse", doc="z - x/c as fma(-1/c, x, z), 1/c rounded once"),
    Rule("fused-square-minus-constant", (x - c) * (x + c), lambda x, c, node: _fused_square(x, c, node),
         whole=True, validity=Validity.ACCURACY, phase="fuse", doc="(x - 1)*(x + 1) as fma(x, x, -1)"),
    Rule("fused-constant-minus-square", (c - x) * (c + x), lambda x, c, node: _fused_square(x, c, node, True),
         whole=True, validity=Validity.ACCURACY, phase="fuse", doc="(1 - x)*(1 + x) as fma(-x, x, 1)"),
    Rule("constant-product", c * x, lambda c, x, node: _constant_product(c, x, node), whole=True,
         validity=Validity.ACCURACY, phase="constant_products",
         doc="pi*x rounded once, as if pi were exact: fma(t, x, (pi - t) x)"),
    Rule("quotient-by-constant", x / c, lambda c, x, node: _constant_product(c, x, node, reciprocal=True),
         whole=True, validity=Validity.ACCURACY, phase="constant_products",
         doc="x/pi as the product (1/pi)*x rounded once (one rounding, no division)"),
    Rule("quotient-of-constant-product", CONSTANT_PRODUCT(c, x) / k,
         lambda c, x, k, node: _constant_product(c, x, node, divisor=k), whole=True,
         validity=Validity.ACCURACY, phase="constant_products",
         doc="pi*x/180 (SymPy's x*pi/180) as (pi/180)*x rounded once, not twice (the product first: "
         "bottom-up)"),
    Rule("constant-over-constant-product", k / CONSTANT_PRODUCT(c, x),
         lambda k, c, x, node: _constant_quotient(k, x, node, divisor=c), whole=True,
         validity=Validity.ACCURACY, phase="constant_products",
         doc="4/(3*pi*u) as the constant 4/(3*pi) over u, rounded once"),
    Rule("constant-quotient", k / x, lambda k, x, node: _constant_quotient(k, x, node), whole=True,
         validity=Validity.ACCURACY, phase="constant_products",
         doc="(2/3)/x rounded once, as if 2/3 were exact: one division and a correction"),
]
