"""Canonical forms: arithmetic identities with their exact IEEE status (catalogue group H), trivial
powers (F5), and the one spelling of a square (x*x) that the other rule sets match against.

Nothing here may destroy a pattern the stability rules look for, so no distribution, no reordering
of subtractions, and no algebra that is false at NaN or inf unless the guard proves it cannot occur.
"""
from __future__ import annotations

import sympy

from .. import ops
from ..ir import const
from ..rewrite import ZERO_IS_PLUS, ConstVar, Rule, Validity, Var, same_value, sign_exact
from ._symbolic import constant_shift, numeric_value, shifted

x, y, z = Var("x"), Var("y"), Var("z")
c = ConstVar("c")
E, EN, R, A = Validity.EXACT, Validity.EXACT_EXCEPT_SPECIAL, Validity.REAL_DOMAIN, Validity.ACCURACY


def _finite(facts, x, **_):
    return facts.finite(x)


def _finite_nonzero(facts, x, **_):
    return facts.finite(x) and facts.nonzero(x)


def _select_on_const(c, x, y):
    if c.value == sympy.true:
        return x
    if c.value == sympy.false:
        return y
    return None


_THROUGH = (ops.ADD, ops.SUB, ops.NEG, ops.MUL, ops.DIV, ops.PLUS_ZERO)


def _known_condition(node, condition, holds, depth=4):
    """node with every select on `condition` among its nested selects replaced by the branch that
    `condition` (known to be `holds` there) takes; the same node where there is none."""
    if depth == 0:
        return node
    if node.op in _THROUGH and len(node.args) <= 3:  # (bounded: no walk over a long sum's terms)
        # select(c, new, x - select(d, f(select(c, ...)), ...)): a branch's arithmetic on selects (a
        # difference taken into a branch, select-difference's) holds them too
        args = [_known_condition(a, condition, holds, depth - 1) for a in node.args]
        return node if all(a is b for a, b in zip(args, node.args)) else node.op(*args)
    if node.op is not ops.SELECT:
        return node
    inner, then, other = node.args
    if inner is condition:
        return _known_condition(then if holds else other, condition, holds, depth - 1)
    if not holds and _inside(_window(inner), _interval(condition)):
        # select(1/2 <= x <= 2, f, select(|x - 1| < 1/2, p, typed)): the inner window is never open where
        # the outer condition fails (a Taylor polynomial about 1 built on a guard's typed fallback)
        return _known_condition(other, condition, holds, depth - 1)
    new_then = _known_condition(then, condition, holds, depth - 1)
    new_other = _known_condition(other, condition, holds, depth - 1)
    if new_then is then and new_other is other:
        return node
    return ops.SELECT(inner, new_then, new_other)


_IS_LOWER_BOUND = {ops.LE: False, ops.LT: False, ops.GE: True, ops.GT: True}  # x <= b is an upper bound


def _interval(condition):
    """(x, lo, hi) for a condition that holds on a closed or open interval of the input x and nowhere else
    (not at NaN): x <= b, x > a, and(x >= a, x <= b) in any order; None for any other condition."""
    parts = condition.args if condition.op is ops.AND else (condition,)
    leaf, lo, hi = None, -sympy.oo, sympy.oo
    for part in parts:
        if part.op not in _IS_LOWER_BOUND or not part.args[0].is_symbol or not part.args[1].is_const:
            return None
        if leaf is not None and part.args[0] is not leaf:
            return None
        leaf, value = part.args[0], sympy.sympify(part.args[1].value)
        if not value.is_Rational:
            return None
        lo, hi = (max(lo, value), hi) if _IS_LOWER_BOUND[part.op] else (lo, min(hi, value))
    return None if leaf is None else (leaf, lo, hi)


def _window(condition):
    """(x, c - r, c + r) for |x - c| < r or |x| < r (c, r rational): a condition false wherever x is outside
    [c - r, c + r] in floating point too (r exact: x < c - r gives fl(x - c) <= -r, rounding is monotone);
    None for any other condition."""
    if condition.op is not ops.LT or condition.args[0].op is not ops.ABS or not condition.args[1].is_const:
        return None
    inner, r = condition.args[0].args[0], sympy.sympify(condition.args[1].value)
    c = sympy.Integer(0)
    if not inner.is_symbol:
        if inner.op is not ops.SUB or not inner.args[0].is_symbol or not inner.args[1].is_const:
            return None
        inner, c = inner.args[0], sympy.sympify(inner.args[1].value)
    if not (r.is_Rational and c.is_Rational):
        return None
    return inner, c - r, c + r


def _inside(window, interval):
    """Whether the closed window lies inside the interval (the two on the same input): where the interval's
    condition is false (or x is NaN), the window's is too."""
    if window is None or interval is None or window[0] is not interval[0]:
        return False
    return bool(interval[1] <= window[1] and window[2] <= interval[2])


def _select_known(z, x, y):
    # a rule whose fallback is the typed form meets that form again once it is rewritten in a later phase:
    # select(c, new, select(d, other, select(c, new, typed))), whose innermost select is decided by c
    new_x, new_y = _known_condition(x, z, True), _known_condition(y, z, False)
    return None if new_x is x and new_y is y else ops.SELECT(z, new_x, new_y)


def _logical_with_const(c, x, absorbing):
    """and(false, ...) is false and and(true, rest) is rest (or: the other way round): a folded guard
    leaves its constant behind in the condition, which then costs a comparison per element."""
    if c.value not in (sympy.true, sympy.false):
        return None
    return const(c.value) if c.value == absorbing else x


def _square_power(x, c):
    # x**2 is the only power whose square spelling is exact (pow(x, 2) == x*x in IEEE)
    return ops.MUL(x, x) if same_value(c.value, sympy.Integer(2)) else None


def _neg_const(c):
    value = c.value
    if value.is_extended_real and value.is_negative and value.is_finite:
        return -value
    return None


def _mul_negative_const(c, x):
    positive = _neg_const(c)
    if positive is None:
        return None
    return -x if positive == 1 else -(const(positive) * x)


def keep_pow_at_minus_inf(x, sign, fast):
    """`fast` (built on sqrt) everywhere but x = -inf, where C99 pow(-inf, y) is +inf for y > 0 and +0 for
    y < 0 (y not an odd integer) while sqrt(-inf) is nan."""
    at_minus_inf = const(sympy.oo) if sign > 0 else const(0)
    return ops.SELECT(ops.EQ(x, const(-sympy.oo)), at_minus_inf, fast)


def _reciprocal_sqrt(x):
    # sqrt(-0) is -0, so 1/sqrt(-0) is -inf where pow(-0, -1/2) is +inf: zero of either sign gives +inf
    return keep_pow_at_minus_inf(x, -1, ops.SELECT(ops.EQ(x, 0), const(sympy.oo), 1 / ops.SQRT(x)))


def _merged_shifts(inner, sign, c, c_sign):
    # sign*(s t + k) + d = sign s t + (sign k + d), the constants' sum exact until emission: one rounding where the
    # typed form rounds twice (the square-minus-one rule's ((1 - x) + 1)(-x) is -x (2 - x), 0.33 -> 0.27
    # bits; (x + 1) + 1 is x + 2). Sums that cancel to t itself are the guarded add-sub-cancel's
    # Numbers the dtype cannot hold among them (y/2 + E/2 - 3/2, E/2 a constant product until
    # fold_constants) are rounded once, together: (E - 3)/2, which compensate's plus-inexact-constant carries
    shift, d = _numeric_shift(inner), numeric_value(c)
    if shift is None or d is None or not (d.is_extended_real and d.is_finite):
        return None
    t, k, s = shift
    total = sign * k + c_sign * d
    if total == 0:
        return None
    return shifted(t, total, sign * s)


def _numeric_shift(node):
    """constant_shift's (t, k, s) with k any finite real number, a constant subgraph too (E*(1/2))."""
    if node.op is ops.ADD and len(node.args) == 2:
        for k, t in (node.args, node.args[::-1]):
            value = None if t.is_const or numeric_value(t) is not None else numeric_value(k)
            if value is not None and value.is_extended_real and value.is_finite:
                return t, value, 1
        return None
    return constant_shift(node)


RULES = [
    # ---- additive identities (H1, H3)
    Rule("add-zero", ops.ADD(0, x), x, validity=EN, ref="H1", doc="x + 0 is x except at x = -0"),
    Rule("plus-zero-needless", ops.PLUS_ZERO(x), x,
         when=lambda facts, x: x.op.name in ZERO_IS_PLUS or facts.nonzero(x), validity=E, ref="H1",
         doc="the engine's +0 mark on a value that is never -0"),
    Rule("sub-zero", x - 0, x, validity=E, ref="H1", doc="x - 0 is x, -0 included"),
    Rule("zero-sub", 0 - x, -x, validity=EN, ref="H3", doc="0 - x is -x except at x = +0"),
    Rule("sub-neg", x - (-y), x + y, validity=E, ref="H2", doc="negation is exact"),
    Rule("add-neg", ops.ADD(x, -y), x - y, validity=E, ref="H2", doc="a + (-b) is a - b bit for bit"),
    # ---- a constant shift of a shifted value: one shift by the exact sum of the constants
    Rule("shift-of-shift", ops.ADD(x, c), lambda x, c: _merged_shifts(x, 1, c, 1), validity=A, ref="H6",
         doc="(1 - x) + 1 is 2 - x: one rounding where the typed form rounds twice"),
    Rule("shift-of-shift-minus", x - c, lambda x, c: _merged_shifts(x, 1, c, -1), validity=A, ref="H6"),
    Rule("shift-minus-shift", c - x, lambda c, x: _merged_shifts(x, -1, c, 1), validity=A, ref="H6"),
    Rule("sub-self", x - x, const(0), when=_finite, validity=EN, ref="H4",
         doc="x - x is 0 only when x cannot be inf or NaN"),
    # ---- multiplicative identities (H2, H4)
    Rule("mul-one", ops.MUL(1, x), x, validity=E, ref="H2"),
    Rule("div-one", x / 1, x, validity=E, ref="H2"),
    Rule("mul-minus-one", ops.MUL(-1, x), -x, validity=E, ref="H2"),
    Rule("div-minus-one", x / -1, -x, validity=E, ref="H2"),
    Rule("mul-negative-const", ops.MUL(c, x), _mul_negative_const, validity=E, ref="H2",
         doc="(-c)*x is -(c*x) bit for bit; the sign moves out where subtraction patterns see it"),
    Rule("mul-zero", ops.MUL(0, x), const(0), when=_finite, validity=EN, ref="H4",
         doc="0*x is 0 only when x is finite (0*inf is NaN)"),
    Rule("zero-div", 0 / x, const(0), when=_finite_nonzero, validity=EN, ref="H4"),
    Rule("div-self", x / x, const(1), when=_finite_nonzero, validity=EN, ref="H4"),
    Rule("neg-neg", -sign_exact(-x), x, validity=E, ref="H2"),
    Rule("mul-neg-neg", ops.MUL(sign_exact(-x), sign_exact(-y)), x * y, validity=E, ref="H2"),
    Rule("div-neg-neg", sign_exact(-x) / sign_exact(-y), x / y, validity=E, ref="H2"),
    Rule("mul-neg", ops.MUL(sign_exact(-x), y), lambda x, y: -(x * y), validity=E, ref="H2",
         doc="(-a)*b is -(a*b) bit for bit"),
    Rule("div-neg-num", sign_exact(-x) / y, lambda x, y: -(x / y), validity=E, ref="H2"),
    Rule("div-neg-den", x / sign_exact(-y), lambda x, y: -(x / y), validity=E, ref="H2"),
    Rule("div-recip", x / (1 / y), x * y, when=lambda facts, x, y: facts.finite(y) and facts.nonzero(y),
         validity=EN, ref="E12", doc="1/(1/y) is y unless 1/y overflows or y is 0/inf/NaN"),
    # ---- trivial powers (F5), the square spelling (F1) and reciprocals (F3)
    Rule("pow-zero", x ** 0, const(1), validity=E, ref="F5", doc="IEEE defines pow(NaN, 0) = 1"),
    Rule("pow-one", x ** 1, x, validity=E, ref="F5"),
    Rule("one-pow", 1 ** x, const(1), validity=E, ref="F5", doc="IEEE defines pow(1, NaN) = 1"),
    Rule("pow-two", x ** c, _square_power, validity=E, ref="F1", doc="pow(x, 2) and x*x round the same"),
    Rule("pow-half", x ** sympy.Rational(1, 2), lambda x: keep_pow_at_minus_inf(x, 1, ops.SQRT(x)),
         validity=EN, ref="F2", doc="sqrt differs from pow at x = -0 only (-inf keeps pow's +inf)"),
    Rule("pow-minus-one", x ** -1, 1 / x, validity=E, ref="F3", doc="1/x is correctly rounded; pow may not be"),
    Rule("pow-minus-half", x ** sympy.Rational(-1, 2), _reciprocal_sqrt,
         validity=EN, ref="F3", doc="-inf keeps pow's +0, -0 pow's +inf"),
    # ---- abs and sign (H9, H10)
    Rule("abs-neg", ops.ABS(-x), ops.ABS(x), validity=E, ref="H9"),
    Rule("abs-abs", ops.ABS(ops.ABS(x)), ops.ABS(x), validity=E, ref="H9"),
    Rule("abs-nonnegative", ops.ABS(x), x, when=lambda facts, x: facts.nonnegative(x) and facts.real(x),
         validity=EN, ref="H9", doc="abs of a value proven >= 0 (differs only at -0)"),
    Rule("sign-neg", ops.SIGN(-x), lambda x: -ops.SIGN(x), validity=E, ref="H10"),
    Rule("sign-positive", ops.SIGN(x), const(1), when=lambda facts, x: facts.positive(x) and facts.not_nan(x),
         validity=E, ref="H10"),
    Rule("sign-negative", ops.SIGN(x), const(-1), when=lambda facts, x: facts.negative(x) and facts.not_nan(x),
         validity=E, ref="H10"),
    # ---- selection
    Rule("select-const", ops.SELECT(c, x, y), _select_on_const, validity=E, ref="K",
         doc="a constant condition picks its branch"),
    Rule("select-same", ops.SELECT(z, x, x), x, validity=E, ref="K"),
    Rule("and-const", ops.AND(c, x), lambda c, x: _logical_with_const(c, x, sympy.false), validity=E, ref="K",
         doc="false and ... is false; true and x is x"),
    Rule("or-const", ops.OR(c, x), lambda c, x: _logical_with_const(c, x, sympy.true), validity=E, ref="K",
         doc="true or ... is true; false or x is x"),
    Rule("select-nested-then", ops.SELECT(z, ops.SELECT(z, x, y), Var("w")), ops.SELECT(z, x, Var("w")),
         validity=E, ref="K", doc="the inner condition is the outer one: its else branch is never taken"),
    Rule("select-nested-else", ops.SELECT(z, Var("w"), ops.SELECT(z, x, y)), ops.SELECT(z, Var("w"), y),
         validity=E, ref="K"),
    Rule("select-known", ops.SELECT(z, x, y), _select_known, validity=E, ref="K",
         doc="a select's branch holds selects on the same condition, decided by it"),
    Rule("abs-times-abs", ops.ABS(x) * ops.ABS(x), x * x, validity=E, ref="H9"),
    Rule("sign-times-self", ops.SIGN(x) * x, ops.ABS(x), validity=EN, ref="H9", doc="differs only at x = -0"),
]
