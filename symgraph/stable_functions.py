"""The exact meaning of the stable primitives: mpmath references (tests, constant folding, SymPy's
evalf) and the SymPy function classes users write (`sg.softplus(x)`), which lower to the ops of
symgraph/stable.py."""
from __future__ import annotations

import mpmath
import sympy
from sympy.codegen import cfunctions

# ---------------------------------------------------------------- mpmath references (exact meaning)
NAN = mpmath.mpf("nan")
_is_nan = mpmath.isnan


def mp_softplus(x):
    return mpmath.log1p(mpmath.exp(x))


def mp_log1mexp(x):
    if _is_nan(x) or x > 0:
        return NAN
    # each form loses digits where the other is exact, even at 50 digits (x = -125: 1 - e^x rounds to 1)
    if x < -1:
        return mpmath.log1p(-mpmath.exp(x))
    return mpmath.log(-mpmath.expm1(x))


def mp_logaddexp(*xs):
    if any(_is_nan(x) for x in xs):
        return NAN
    return mpmath.log(mpmath.fsum(mpmath.exp(x) for x in xs))


def mp_sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


def mp_log_sigmoid(x):
    return -mpmath.log1p(mpmath.exp(-x))


def mp_log_ratio(x, y):
    # log(x/y) with x/y's IEEE values where it is 0, infinite or 0/0 (mpmath raises); +0 for a zero y
    if _is_nan(x) or _is_nan(y) or (x == 0 and y == 0) or (mpmath.isinf(x) and mpmath.isinf(y)):
        return NAN
    if x == 0 or mpmath.isinf(y):
        return mpmath.mpf("-inf")
    if y == 0 or mpmath.isinf(x):
        return mpmath.mpf("inf") if (x > 0) == (y >= 0) else NAN
    if (x > 0) != (y > 0):
        return NAN
    return mpmath.log(x / y)


def mp_xlogy(x, y):
    if _is_nan(y) or _is_nan(x):
        return NAN
    if x == 0:
        return mpmath.mpf(0)
    if y < 0:
        return NAN
    return x * mpmath.log(y)


def mp_xlog1py(x, y):
    if _is_nan(y) or _is_nan(x):
        return NAN
    if x == 0:
        return mpmath.mpf(0)
    if y < -1:
        return NAN
    return x * mpmath.log1p(y)


def mp_logit(p):
    if _is_nan(p) or p < 0 or p > 1:
        return NAN
    if p == 1:
        return mpmath.inf
    if p < 0.25:
        return mpmath.log(p) - mpmath.log1p(-p)
    # near 1/2 the difference of logs cancels, even at 50 digits; 2p - 1 is exact in mpmath
    return mpmath.log1p((2 * p - 1) / (1 - p))


def mp_cosm1(x):
    # -2 sin(x/2)^2 has no cancellation, so working precision is kept even for tiny x
    return -2 * mpmath.sin(x / 2) ** 2


def mp_exprel(x):
    """(e^x - 1)/x, 1 at x = 0 (its limit); the limits at +-inf."""
    if _is_nan(x):
        return NAN
    if x == 0:
        return mpmath.mpf(1)
    if mpmath.isinf(x):
        return mpmath.inf if x > 0 else mpmath.mpf(0)
    return mpmath.expm1(x) / x


def mp_x_over_expm1(x):
    """x/(e^x - 1), 1 at x = 0 (its limit); the limits at +-inf."""
    if _is_nan(x):
        return NAN
    if x == 0:
        return mpmath.mpf(1)
    if mpmath.isinf(x):
        return mpmath.mpf(0) if x > 0 else mpmath.inf
    return x / mpmath.expm1(x)


def mp_scaled_expm1(c, x):
    return c * mpmath.expm1(x)


# ---------------------------------------------------------------- SymPy functions users can write
def _evalf_with(reference, args, prec):
    """Evaluate a reference to `prec` bits; None when an argument is not a real number.

    Arguments are rounded to a working precision first, and some functions cancel (logit near 1/2 of
    an exact rational): the working precision doubles until two evaluations agree to `prec` bits.
    """
    work = prec + 30
    previous = r = None
    for _ in range(8):
        with mpmath.workprec(work):  # mpf() rounds to the context's precision: build every value inside it
            values = []
            for a in args:
                v = a.evalf(mpmath.libmp.prec_to_dps(work))
                if not v.is_Number:
                    return None
                values.append(mpmath.mpf(v._as_mpf_val(work)))
            r = reference(*values)
            if isinstance(r, mpmath.mpc):
                return None
            r = mpmath.mpf(r)
            if all(a.is_Float for a in args):  # float arguments are exact at any precision: one pass
                break
            if previous is not None and (r == previous or not mpmath.isfinite(r)
                                         or abs(r - previous) <= abs(r) * mpmath.ldexp(1, -prec - 2)):
                break
            previous = r
        work *= 2
    return sympy.Float._new(r._mpf_, prec)


class _StableFunction(sympy.Function):
    """Shared behaviour: numeric evaluation through the mpmath reference, real when the arguments are."""
    _reference = None

    def _eval_evalf(self, prec):
        return _evalf_with(type(self)._reference, self.args, prec)

    def _eval_is_extended_real(self):
        if all(a.is_extended_real for a in self.args) and type(self)._real_everywhere:
            return True
        return None

    _real_everywhere = True


class softplus(_StableFunction):
    """log(1 + exp(x)) (log1pexp), exact at x = 800 (800) and x = -800 (exp(-800))."""
    nargs = 1
    _reference = staticmethod(mp_softplus)

    @classmethod
    def eval(cls, x):
        if x is sympy.S.NegativeInfinity:
            return sympy.S.Zero
        if x is sympy.S.Infinity:
            return sympy.S.Infinity
        if x.is_zero:
            return sympy.log(2)

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, x, **kwargs):
        return sympy.log(1 + sympy.exp(x))

    def _eval_is_positive(self):
        return True if self.args[0].is_extended_real else None


class log1mexp(_StableFunction):
    """log(1 - exp(x)) for x <= 0 (NaN for x > 0)."""
    nargs = 1
    _reference = staticmethod(mp_log1mexp)
    _real_everywhere = False

    @classmethod
    def eval(cls, x):
        if x is sympy.S.NegativeInfinity:
            return sympy.S.Zero
        if x.is_zero:
            return sympy.S.NegativeInfinity

    def fdiff(self, argindex=1):
        return -1 / cfunctions.expm1(-self.args[0])

    def _eval_rewrite_as_log(self, x, **kwargs):
        return sympy.log(1 - sympy.exp(x))


class logaddexp(_StableFunction):
    """log(exp(x1) + ... + exp(xn)), max-shifted so that nothing overflows; -inf arguments are fine."""
    _reference = staticmethod(mp_logaddexp)

    @classmethod
    def eval(cls, *args):
        if len(args) < 2:
            raise TypeError("logaddexp takes at least two arguments")
        ordered = sorted(args, key=sympy.default_sort_key)
        if list(args) != ordered:  # symmetric: one canonical order, so logaddexp(y, x) == logaddexp(x, y)
            return cls(*ordered)

    def fdiff(self, argindex=1):
        return sympy.exp(self.args[argindex - 1] - self)

    def _eval_rewrite_as_log(self, *args, **kwargs):
        return sympy.log(sympy.Add(*[sympy.exp(a) for a in args]))


class sigmoid(_StableFunction):
    """1/(1 + exp(-x)) (expit), accurate in both tails."""
    nargs = 1
    _reference = staticmethod(mp_sigmoid)

    @classmethod
    def eval(cls, x):
        if x is sympy.S.Infinity:
            return sympy.S.One
        if x is sympy.S.NegativeInfinity:
            return sympy.S.Zero
        if x.is_zero:
            return sympy.S.Half

    def fdiff(self, argindex=1):
        return self * sigmoid(-self.args[0])

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sympy.exp(-x))


class log_sigmoid(_StableFunction):
    """log(sigmoid(x)) = -softplus(-x): -800 at x = -800."""
    nargs = 1
    _reference = staticmethod(mp_log_sigmoid)

    @classmethod
    def eval(cls, x):
        if x is sympy.S.Infinity:
            return sympy.S.Zero
        if x.is_zero:
            return -sympy.log(2)

    def fdiff(self, argindex=1):
        return sigmoid(-self.args[0])

    def _eval_rewrite_as_log(self, x, **kwargs):
        return -sympy.log(1 + sympy.exp(-x))


class xlogy(_StableFunction):
    """x*log(y), defined as 0 where x == 0 (unless y is NaN), as scipy.special.xlogy."""
    nargs = 2
    _reference = staticmethod(mp_xlogy)
    _real_everywhere = False

    @classmethod
    def eval(cls, x, y):
        if x.is_zero:
            return sympy.S.Zero

    def fdiff(self, argindex=1):
        x, y = self.args
        return sympy.log(y) if argindex == 1 else x / y

    def _eval_rewrite_as_log(self, x, y, **kwargs):
        return sympy.Piecewise((0, sympy.Eq(x, 0)), (x * sympy.log(y), True))


class xlog1py(_StableFunction):
    """x*log1p(y), defined as 0 where x == 0 (unless y is NaN), as scipy.special.xlog1py."""
    nargs = 2
    _reference = staticmethod(mp_xlog1py)
    _real_everywhere = False

    @classmethod
    def eval(cls, x, y):
        if x.is_zero:
            return sympy.S.Zero

    def fdiff(self, argindex=1):
        x, y = self.args
        return sympy.log(1 + y) if argindex == 1 else x / (1 + y)

    def _eval_rewrite_as_log(self, x, y, **kwargs):
        return sympy.Piecewise((0, sympy.Eq(x, 0)), (x * sympy.log(1 + y), True))


class logit(_StableFunction):
    """log(p/(1 - p)), accurate near p = 0, 1/2 and 1."""
    nargs = 1
    _reference = staticmethod(mp_logit)
    _real_everywhere = False

    @classmethod
    def eval(cls, p):
        if p == sympy.S.Half:
            return sympy.S.Zero

    def fdiff(self, argindex=1):
        p = self.args[0]
        return 1 / (p * (1 - p))

    def _eval_rewrite_as_log(self, p, **kwargs):
        return sympy.log(p / (1 - p))


class cosm1(_StableFunction):
    """cos(x) - 1, accurate near x = 0 (where the subtraction loses every digit)."""
    nargs = 1
    _reference = staticmethod(mp_cosm1)

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sympy.S.Zero

    def fdiff(self, argindex=1):
        return -sympy.sin(self.args[0])

    def _eval_rewrite_as_cos(self, x, **kwargs):
        return sympy.cos(x) - 1
