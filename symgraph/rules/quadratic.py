"""The roots of a quadratic over the whole float range: (-b +- sqrt(b^2 - 4 a c))/(2 a), 2c/(-b -+ sqrt(b^2 -
4 a c)), and the same shapes with other constants ((-b + sqrt(b^2 - a c))/a for a half b).

Typed, the root loses every digit where -b and the square root cancel (|4ac| << b^2), and b^2 or 4ac
overflow from 1.3e154 (underflow below 1.5e-154) where the roots are ordinary numbers: Herbie's quadp and
quadm sampled over every double lose 34 and 31 bits. Two standard moves (Kahan, "On the Cost of Floating-Point
Computation Without Extra-Precise Arithmetic"; Numerical Recipes' q):
- where they cancel, the conjugate: (s1 b + s2 S)/(m a) = -K c/(m (s1 b - s2 S)) for S^2 = b^2 + K a c. The a
  cancels symbolically, so no product a c is formed (it overflows where c/(b + S) is a normal number);
- the square root of the discriminant from scaled parts where a square or the product overflows or is
  subnormal: s sqrt((b/s)^2 + K (a/s)(c/s)) with s the larger of ufp(b) and root_scale(a, c), a power of 2
  near sqrt|a c| read off the exponent bits (Herbie's quadp over every double: 21.7 bits with the conjugate
  alone, 0.13 scaled). Elsewhere the typed discriminant, which the specialize phase compensates (its
  products' errors found by FMA: every digit where b^2 ~ 4ac).

Canonicalize phase: the whole quotient is matched before stabilize takes its numerator's conjugate alone
(sqrt-minus-root), which divides a c by a only after forming it.
"""
from __future__ import annotations

import sympy

from .. import ops
from ..compensated import CARRIED
from ..ir import const, with_args
from ..rewrite import Rule, Validity, Var
from ._guards import is_finite
from ._symbolic import product_factors, product_of, signed_terms, without

x, y = Var("x"), Var("y")
# below this the larger of b^2 and |K a c| has lost digits to underflow (2^-1022 * 2^106: the smaller one,
# subnormal, is then below an ulp of the larger)
_SMALLEST_TYPED = sympy.Integer(2) ** -916


def _constant_and_factors(node):
    """(the product of the numeric factors, the other factors) of a product (or of one factor)."""
    constant, factors = sympy.Integer(1), []
    for f in product_factors(node):
        if f.is_const and f.value.is_Rational:
            constant *= f.value
        elif f.is_const:
            return None
        else:
            factors.append(f)
    return constant, factors


def _discriminant_root(b, discriminant, term, k, a, c):
    """sqrt(b^2 + K a c) (discriminant = b*b + term, term = K a c): typed where b^2 and the term are finite
    and not both tiny; else scaled by s, the larger of ufp(b) and a power of 2 near sqrt|a c| (root_scale),
    as s sqrt((b/s)^2 + K (a/s)(c/s)): every part within a few units (a quotient of a tiny value by a
    large s underflows only where it is negligible). One square root either way: the scaled operands are
    selected, not the roots (the kernel computes both branches of a select)"""
    typed_ok = ops.AND(is_finite(b * b), is_finite(term), ops.GE(ops.ABS(b * b) + ops.ABS(term),
                                                                 const(_SMALLEST_TYPED)))
    scale = ops.MAX(ops.UFP(b), ops.ROOT_SCALE(a, c))
    inverse = 1 / scale  # (a power of 2: exact)
    bs = b * inverse
    scaled = bs * bs + const(k) * ((a * inverse) * (c * inverse))
    return ops.SELECT(typed_ok, const(1), scale) * ops.SQRT(ops.SELECT(typed_ok, discriminant, scaled))


def _root_sum(node):
    """(b, s1, root, s2, term, t) for a node s1 b + s2 sqrt(b*b + t term), else None."""
    terms = signed_terms(node)
    roots = [(t, s) for t, s in terms if t.op is ops.SQRT]
    if len(terms) != 2 or len(roots) != 1:
        return None
    (root, s2), = roots
    (b, s1), = [(t, s) for t, s in terms if t is not root]
    inside = signed_terms(root.args[0])
    squares = [t for t, s in inside if t.op is ops.MUL and len(t.args) == 2 and t.args[0] is b and
               t.args[1] is b and s > 0]
    if b.is_const or len(inside) != 2 or len(squares) != 1:
        return None
    (term, t_sign), = [(t, s) for t, s in inside if t is not squares[0]]
    return b, s1, root, s2, term, t_sign


def _quadratic_root(numerator, denominator):
    # (s1 b + s2 S)/(m a) (quadp, quadm), or (m c)/(s1 b + s2 S) (Herbie's quad2p, quad2m: the same roots)
    parts, inverted = _root_sum(numerator), False
    if parts is None:
        parts, inverted = _root_sum(denominator), True
    if parts is None:
        return None
    b, s1, root, s2, term, t_sign = parts
    parsed_term = _constant_and_factors(term)
    parsed_other = _constant_and_factors(numerator if inverted else denominator)
    if parsed_term is None or parsed_other is None:
        return None
    (k, term_factors), (m, other_factors) = parsed_term, parsed_other
    rest = without(term_factors, other_factors)  # the a c of the term without the other side's factor
    if not other_factors or rest is None or m == 0 or k == 0 or b in term_factors:
        return None
    k = k * t_sign  # the discriminant is b^2 + k a c
    other, rest = product_of(other_factors), product_of(rest)
    a, c = (rest, other) if inverted else (other, rest)
    s = _discriminant_root(b, root.args[0], term if t_sign > 0 else -term, k, a, c)
    plain = (b if s1 > 0 else -b) + (s if s2 > 0 else -s)
    # (s1 b + s2 S)(s1 b - s2 S) = b^2 - S^2 = -k a c: where s1 b + s2 S cancels it is -k a c/(s1 b - s2 S)
    conjugate = (b if s1 > 0 else -b) - (s if s2 > 0 else -s)
    cancels = ops.LT(b, 0) if s1 * s2 > 0 else ops.GT(b, 0)
    # one division of selected operands (the kernel would compute both quotients), the constant applied
    # last (2c overflows where 2c/conjugate does not): (-k/m) c/conjugate where the terms cancel and
    # (plain/m)/a elsewhere; inverted, (-m/k) conjugate/a and m c/plain
    if inverted:
        value = ops.SELECT(cancels, conjugate, c) / ops.SELECT(cancels, a, plain)
        factors = (-m / k, m)
    else:
        value = ops.SELECT(cancels, c, plain) / ops.SELECT(cancels, conjugate, a)
        factors = (-k / m, 1 / m)
    if factors != (1, 1):
        value = value * ops.SELECT(cancels, const(factors[0]), const(factors[1]))
    # where a or c is 0 (the cancelled one: 0/0 typed, NaN; the other: a linear equation, whose typed
    # infinity or zero keeps its sign) or a value is not finite the typed quotient, its root carried:
    # neither this rule nor stabilize's conjugates (sqrt-minus-root) take it again
    usable = ops.AND(is_finite(a), is_finite(b), is_finite(c), ops.NE(a, 0), ops.NE(c, 0))
    typed = _replaced(numerator / denominator, root, CARRIED(root))
    return ops.SELECT(usable, value, typed)


def _replaced(node, old, new):
    """node with `old` replaced by `new` in its sums, differences, negations and its quotient (the typed
    spelling kept: -(b + S) and -b - S differ in the sign of a zero)."""
    if node is old:
        return new
    if node.op in (ops.ADD, ops.SUB, ops.NEG, ops.DIV):
        return with_args(node, [_replaced(a, old, new) for a in node.args])
    return node


RULES = [
    Rule("quadratic-root", x / y, lambda x, y: _quadratic_root(x, y), validity=Validity.ACCURACY,
         phase="canonicalize", ref="F16",
         doc="(-b + sqrt(b^2 - 4ac))/(2a): 4ac/(2a) cancels a, and b^2, 4ac overflow from 1.3e154"),
]
