"""Speed: cheaper spellings of the same value, applied after stabilization (catalogue F1-F4, H5, E9).

pow() is a libm call that blocks vectorisation; small integer and half-integer powers become
multiplications, x/c becomes x*(1/c) only where 1/c is exact (a power of two), and A/exp(B)
becomes A*exp(-B) (one rounding fewer, a multiply instead of a divide).
"""
from __future__ import annotations

import sympy

from .. import ops
from ..ir import binary_exponent, const
from ..rewrite import ConstVar, Rule, Validity, Var
from ..compensated import CORRECTED, MUL_ADD, PRODUCT_ERROR
from ._guards import HALF
from .canonical import keep_pow_at_minus_inf
from .compensate import rounding_error

x, y = Var("x"), Var("y")
c = ConstVar("c")
E, EN, R, A = Validity.EXACT, Validity.EXACT_EXCEPT_SPECIAL, Validity.REAL_DOMAIN, Validity.ACCURACY

MAX_SQUARING_POWER = 32  # beyond this, error grows by log2(n) roundings while pow stays within 1 ulp


def _integer_value(c, low, high):
    v = c.value
    if v.is_Integer or (v.is_Float and v == int(v)):
        n = int(v)
        if low <= abs(n) <= high:
            return n
    return None


def power_by_squaring(base, n: int):
    """base**n (n >= 1) with about log2(n) multiplications, sharing every square."""
    result, square = None, base
    while n:
        if n & 1:
            result = square if result is None else result * square
        n >>= 1
        if n:
            square = square * square
    return result


def _pow_integer(x, c):
    # the multiplications round log2(n) times where pow rounds once: their first-order rounding error
    # (exact products by FMA, rules/compensate.py) is added back, so x**3 is within about half an ulp
    # again (0.23 mean bits -> 0.02) at one FMA per multiplication
    n = _integer_value(c, 3, MAX_SQUARING_POWER)
    if n is None:
        return None
    product = _pow_integer_product(x, n)
    lo = rounding_error(product)
    return product if lo is None else CORRECTED(product, const(1), lo)


def _pow_integer_product(x, n):
    if n > 0:
        return power_by_squaring(x, n)
    # 1/x**n overflows x**n (to a result of 0) where pow's x**-n is still a subnormal (x = 1e45, n = 7 in
    # float64); two halves 1/x**a * 1/x**b (a >= b) do not: x**a overflows only where x**-n < MAX**(-n/a)
    # <= MAX**-1.5, below the smallest subnormal, and x**a underflows only where x**-n overflows anyway.
    # Same number of roundings as 1/x**n plus one; the squares are shared.
    n = -n
    a, b = (n + 1) // 2, n // 2
    first = 1 / power_by_squaring(x, a)
    return first * (first if a == b else 1 / power_by_squaring(x, b))


def _pow_half_integer(x, c):
    v = c.value
    if not v.is_Rational and not v.is_Float:
        return None
    twice = 2 * sympy.Rational(v)
    if not twice.is_Integer or twice % 2 == 0:
        return None
    k = int(twice - 1) // 2
    if not 1 <= k <= 8:
        return None
    # x**k * sqrt(x) rounds the root and the product where pow rounds about once (x**1.5/y over [0.1, 10]:
    # 0.35 bits against 0.26): their errors are added back, the root's from its exact residual r = x - s*s
    # (FMA): sqrt(x) = s + r/(2s), and p r/(2s) = r s x**(k-1)/2 to first order (no division)
    root = ops.SQRT(x)
    power = power_by_squaring(x, k)
    residual = MUL_ADD(-root, root, x)
    scale = root if k == 1 else root * power_by_squaring(x, k - 1)
    terms = [PRODUCT_ERROR(power, root), HALF * (residual * scale)]
    power_error = rounding_error(power)
    if power_error is not None:
        terms.append(root * power_error)
    return keep_pow_at_minus_inf(x, 1, CORRECTED(power * root, const(1), ops.ADD(*terms)))


def _pow_third(x):
    # pow's IEEE values off the real domain: pow(-0, 1/3) = +0 (cbrt gives -0), pow(-inf, 1/3) = +inf
    return ops.SELECT(ops.GE(x, 0), ops.CBRT(ops.ABS(x)),
                      ops.SELECT(ops.EQ(x, const(-sympy.oo)), const(sympy.oo), const(sympy.nan)))


def _power_of_two(c):
    k = binary_exponent(c)
    return k if k is not None and abs(k) <= 126 else None  # 1/c must be a normal number in float32 as well


def _div_by_power_of_two(x, c):
    if _power_of_two(c) is None:
        return None
    return const(1 / sympy.Rational(c.value)) * x


RULES = [
    Rule("pow-integer", x ** c, _pow_integer, validity=R, phase="specialize", ref="F4",
         doc="x**n for 3 <= |n| <= 32 by repeated squaring: multiplications instead of a pow call"),
    Rule("pow-half-integer", x ** c, _pow_half_integer, validity=EN, phase="specialize", ref="F4",
         doc="x**(k + 1/2) as x**k * sqrt(x)"),
    Rule("pow-third", x ** sympy.Rational(1, 3), lambda x: ops.CBRT(x),
         when=lambda facts, x: facts.nonnegative(x), validity=R, phase="specialize", ref="F4",
         doc="cbrt is correctly rounded more often and faster than pow"),
    Rule("pow-third-guarded", x ** sympy.Rational(1, 3), _pow_third, validity=Validity.GUARDED,
         phase="specialize", ref="F4", doc="x**(1/3) is NaN for x < 0; cbrt(x) is not"),
    Rule("div-power-of-two", x / c, _div_by_power_of_two, validity=E, phase="specialize", ref="H5",
         doc="x/2**k == x*2**-k bit for bit; other constants keep the division (x*(1/c) is 1 ulp off)"),
    Rule("div-exp", x / ops.EXP(y), lambda x, y: x * ops.EXP(-y), validity=A, phase="specialize", ref="E9",
         doc="one rounding fewer and a multiply instead of a divide"),
]
