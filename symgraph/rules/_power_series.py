"""Exact truncated power series of a SymPy expression in one symbol t at t = 0, for the series rules.

The coefficients are what `sympy.series(expr, t, 0, order)` gives (every power of t below `order`,
negative ones included where a division by a series that vanishes at 0 brings them), computed with exact
rationals (gmpy2's where installed) and the usual O(n^2) recurrences: exp by E' = u'E, log by L' = a'/a,
powers by J. C. P. Miller's formula, sin and cos (sinh and cosh) together, atan, asin, atanh, asinh by
integrating u'/(1 + u^2) and its kin. SymPy takes seconds for the 64 terms the series rules ask of nested
functions (x/(exp(x) - 1): 6 s, exp(2x) - 2exp(x) + 1: 4 s); this takes milliseconds.

Where a coefficient would not be rational (exp(1), log(2), sqrt(2), pi), the series is not a power series
(log(t), sqrt(t) on both sides of 0, exp(1/t)), or a function is not one of the above, `coefficients`
returns None and the caller asks SymPy, which knows more and answers the same where both answer.
"""
from __future__ import annotations

import math
from fractions import Fraction

import sympy
from sympy.external.gmpy import MPQ  # gmpy2's rationals where installed (6x Fraction's speed), else SymPy's


def _total(terms):
    return sum(terms, MPQ(0))  # MPQ(0), not 0: an empty sum divided by k stays exact


class _NotRational(Exception):
    """The series is not a power series in t with rational coefficients that this module can give."""


class _TooFewTerms(Exception):
    """A division by a series whose every known term is 0: more terms may show where it starts."""


class _Series:
    """t^v (c[0] + c[1] t + ...) + sum of logs[key] log(key), every power of t below `known` exact (c has
    known - v entries, c[0] != 0; 0 + O(t^known) where c is empty). v is a fraction only where t > 0 (a
    factor sqrt(1/t) of a product whose powers are whole); a log's key is a prime or "t" (log(2/t) is
    log(2) - log(t), which cancels against another log's part: acosh(x) - log(2x) at x = 1/t)."""
    __slots__ = ("v", "c", "known", "logs")

    def __init__(self, v, c, known, logs=None):
        v = Fraction(v)
        c = c[:max(0, math.floor(known - v))]
        lead = next((i for i, a in enumerate(c) if a != 0), len(c))
        self.known = v + len(c)  # on v's lattice: a known power below that is exact
        self.v = v + lead if lead < len(c) else self.known
        self.c = c[lead:]
        self.logs = {k: a for k, a in (logs or {}).items() if a != 0}

    def at(self, k):
        return self.c[int(k - self.v)] if self.v <= k < self.known else MPQ(0)

    def is_constant(self):
        return self.v >= 0 and not self.logs and all(a == 0 for a in self.c[1:]) and (self.v == 0 or not self.c)


def coefficients(expr, t, order, positive=False):
    """{power: sympy.Rational} of the nonzero terms of expr's series at t = 0 below t^order, or None (see
    the module). `positive`: t > 0 (a series at 0+), so (t^2 a)^(1/2) = t a^(1/2) and log(t/2) is
    log(t) - log(2)."""
    slack = 4
    for _ in range(3):
        try:
            found = _Expansion(t, order + slack, positive).of(expr)
        except _TooFewTerms:
            slack *= 4
            continue
        except (_NotRational, ArithmeticError, ValueError, TypeError, AttributeError, RecursionError):
            return None  # SymPy's series decides (an expression this module did not foresee)
        if found.known < order:
            slack *= 4
            continue
        if found.logs or (found.c and found.v.denominator != 1):
            return None
        return {int(found.v) + i: sympy.Rational(int(a.numerator), int(a.denominator))
                for i, a in enumerate(found.c) if a != 0 and found.v + i < order}
    return None


class _Expansion:
    """The series of expressions in t, each term below t^terms (a shared subexpression expanded once)."""

    def __init__(self, t, terms, positive):
        self.t, self.terms, self.positive = t, terms, positive
        self.memo = {}

    def constant(self, value):
        return _Series(0, [MPQ(value)] + [MPQ(0)] * (self.terms - 1), self.terms)

    def of(self, expr):
        # the expressions are a sum's terms (tens of nodes): recursion is bounded by their depth
        if expr not in self.memo:
            self.memo[expr] = self._of(expr)
        return self.memo[expr]

    def _of(self, expr):
        if expr == self.t:
            return _Series(1, [MPQ(1)] + [MPQ(0)] * (self.terms - 2), self.terms)
        if expr.is_Rational:
            return self.constant(MPQ(int(expr.p), int(expr.q)))
        if expr.is_Float:
            rational = sympy.Rational(expr)  # the float's exact binary value
            return self.constant(MPQ(int(rational.p), int(rational.q)))
        if expr.is_Add:
            total = self.of(expr.args[0])
            for a in expr.args[1:]:
                total = self.add(total, self.of(a))
            return total
        if expr.is_Mul:
            product = self.of(expr.args[0])
            for a in expr.args[1:]:
                product = self.mul(product, self.of(a))
            return product
        if expr.is_Pow:
            if not expr.exp.is_Rational:
                raise _NotRational(expr)
            return self.power(self.of(expr.base), Fraction(int(expr.exp.p), int(expr.exp.q)))
        function = FUNCTIONS.get(type(expr))
        if function is None or len(expr.args) != 1:
            raise _NotRational(expr)
        return function(self, self.of(expr.args[0]))

    # ------------------------------------------------------------------ arithmetic
    def add(self, a, b):
        known = min(a.known, b.known, self.terms)
        logs = dict(a.logs)
        for k, x in b.logs.items():
            logs[k] = logs.get(k, 0) + x
        if not a.c:
            a, b = b, a
        if not b.c:
            return _Series(a.v, a.c, known, logs)
        if (a.v - b.v).denominator != 1:
            raise _NotRational(a, b)  # t^(1/2) + t: not a series in whole powers
        v = min(a.v, b.v)
        return _Series(v, [a.at(v + i) + b.at(v + i) for i in range(math.floor(known - v))], known, logs)

    def mul(self, a, b):
        if a.logs and b.logs:
            raise _NotRational(a, b)
        if a.logs:
            a, b = b, a
        if b.logs:  # a log times a number, nothing else (log(t) t is not a power series)
            if not a.is_constant():
                raise _NotRational(a, b)
            scale = a.at(0)
            return self.add(self.mul(a, _Series(b.v, b.c, b.known)),
                            _Series(self.terms, [], self.terms, {k: scale * x for k, x in b.logs.items()}))
        known = min(a.known + b.v, b.known + a.v, self.terms)
        v = a.v + b.v
        if v >= known:
            return _Series(known, [], known)
        ac, bc = a.c, b.c
        return _Series(v, [_total(ac[i] * bc[k - i] for i in range(max(0, k - len(bc) + 1), min(k, len(ac) - 1) + 1))
                           for k in range(math.floor(known - v))], known)

    def _plain(self, a):
        """a, which must have no log part (the functions below have no series of one)."""
        if a.logs:
            raise _NotRational(a)
        return a

    def reciprocal(self, b):
        b = self._plain(b)
        if not b.c:
            raise _TooFewTerms()
        v = -b.v
        d = 1 / b.c[0]
        r = [d]
        for k in range(1, min(len(b.c), math.floor(self.terms - v))):
            r.append(-d * _total(b.c[i] * r[k - i] for i in range(1, min(k, len(b.c) - 1) + 1)))
        return _Series(v, r, v + len(r))

    def div(self, a, b):
        return self.mul(a, self.reciprocal(b))

    def power(self, a, r):
        if r == 1:
            return a
        a = self._plain(a)
        if not a.c:
            raise _TooFewTerms()
        v = a.v * r
        if not self.positive and (v.denominator != 1 or (r.denominator != 1 and a.v != 0)):
            raise _NotRational(r)  # a series in a root of t, or |t| where t may be negative
        a0 = a.c[0]
        if r.denominator == 1:
            b0 = a0 ** int(r)
        else:
            root = sympy.Rational(a0.numerator, a0.denominator) ** sympy.Rational(r.numerator, r.denominator)
            if a0 < 0 or not root.is_Rational:
                raise _NotRational(root)
            b0 = MPQ(int(root.p), int(root.q))
        b, rq = [b0], MPQ(r.numerator, r.denominator)
        for k in range(1, min(len(a.c), math.floor(self.terms - v))):
            b.append(_total(((rq + 1) * j - k) * a.c[j] * b[k - j] for j in range(1, min(k, len(a.c) - 1) + 1))
                     / (k * a0))
        return _Series(v, b, v + len(b))

    # ------------------------------------------------------------------ calculus
    def derivative(self, u):
        u = self._at_zero(u)
        return _Series(u.v - 1, [int(u.v + i) * a for i, a in enumerate(u.c)], u.known - 1)

    def integral(self, w):
        """The antiderivative that is 0 at t = 0 (w without a 1/t term)."""
        if w.c and (w.v < 0 or w.v.denominator != 1):
            raise _NotRational(w)
        known = min(w.known + 1, self.terms)
        if not w.c:
            return _Series(known, [], known)
        return _Series(w.v + 1, [a / int(w.v + 1 + i) for i, a in enumerate(w.c)], known)

    def _at_zero(self, u):
        """u, which must vanish at t = 0 (the functions below have no rational value elsewhere), in whole
        powers of t."""
        u = self._plain(u)
        if u.c and (u.v < 1 or u.v.denominator != 1):
            raise _NotRational(u)
        return u

    def exp(self, u):
        u = self._at_zero(u)
        known, lowest = math.floor(min(u.known, self.terms)), max(1, math.floor(u.v))
        e = [MPQ(1)]
        for k in range(1, known):
            e.append(_total(j * u.at(j) * e[k - j] for j in range(lowest, k + 1)) / k)
        return _Series(0, e, known)

    def sin_cos(self, u, hyperbolic=False):
        u = self._at_zero(u)
        known, lowest = math.floor(min(u.known, self.terms)), max(1, math.floor(u.v))
        sign = 1 if hyperbolic else -1
        s, c = [MPQ(0)], [MPQ(1)]
        for k in range(1, known):
            terms = [(j * u.at(j), k - j) for j in range(lowest, k + 1)]
            s.append(_total(a * c[m] for a, m in terms) / k)
            c.append(sign * _total(a * s[m] for a, m in terms) / k)
        return _Series(0, s, known), _Series(0, c, known)

    def log(self, a):
        """log(t^v a0 (1 + w)) = v log(t) + log(a0) + log(1 + w), log(a0) by a0's primes."""
        a = self._plain(a)
        if not a.c:
            raise _TooFewTerms()
        a0 = a.c[0]
        if a0 <= 0 or (a.v != 0 and not self.positive) or max(a0.numerator, a0.denominator) > 2**40:
            raise _NotRational(a)  # log of a negative number, or of |t|; or a costly factorization
        logs = {"t": MPQ(a.v.numerator, a.v.denominator)} if a.v != 0 else {}
        for p, e in sympy.factorint(int(a0.numerator)).items():
            logs[p] = MPQ(e)
        for p, e in sympy.factorint(int(a0.denominator)).items():
            logs[p] = MPQ(-e)
        c = [x / a0 for x in a.c]
        ln = [MPQ(0)]
        for k in range(1, len(c)):
            ln.append(c[k] - _total(j * ln[j] * c[k - j] for j in range(1, k)) / k)
        return _Series(0, ln, len(c), logs)

    def integrated(self, u, integrand):
        """The integral from 0 of u' integrand(u^2): atan(u) = int u'/(1 + u^2) and its kin."""
        u = self._at_zero(u)
        return self.integral(self.mul(self.derivative(u), integrand(self.mul(u, u))))


def _ratio(numerator, denominator, hyperbolic):
    def expand(e, u):
        pair = e.sin_cos(u, hyperbolic)
        return e.div(pair[numerator] if numerator is not None else e.constant(1), pair[denominator])
    return expand


def _one_plus(sign, power):
    return lambda e, u: e.integrated(u, lambda square: e.power(
        e.add(e.constant(1), e.mul(e.constant(sign), square)), Fraction(power)))


FUNCTIONS = {
    sympy.exp: lambda e, u: e.exp(u),
    sympy.log: lambda e, a: e.log(a),
    sympy.sin: lambda e, u: e.sin_cos(u)[0],
    sympy.cos: lambda e, u: e.sin_cos(u)[1],
    sympy.tan: _ratio(0, 1, False), sympy.cot: _ratio(1, 0, False),
    sympy.sec: _ratio(None, 1, False), sympy.csc: _ratio(None, 0, False),
    sympy.sinh: lambda e, u: e.sin_cos(u, hyperbolic=True)[0],
    sympy.cosh: lambda e, u: e.sin_cos(u, hyperbolic=True)[1],
    sympy.tanh: _ratio(0, 1, True), sympy.coth: _ratio(1, 0, True),
    sympy.sech: _ratio(None, 1, True), sympy.csch: _ratio(None, 0, True),
    sympy.sinc: lambda e, u: e.div(e.sin_cos(u)[0], u),
    sympy.atan: _one_plus(1, -1), sympy.atanh: _one_plus(-1, -1),
    sympy.asinh: _one_plus(1, Fraction(-1, 2)), sympy.asin: _one_plus(-1, Fraction(-1, 2)),
}
