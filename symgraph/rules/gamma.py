"""The gamma-function family as typed: log(gamma(x)), quotients gamma(p)/gamma(q) and differences
loggamma(p) - loggamma(q) of arguments a constant apart, the Poisson log-pmf k*log(lam) - lam -
loggamma(k + 1) and the log-beta function loggamma(a) + loggamma(b) - loggamma(a + b). gamma overflows
from 171.6, so the typed log and quotients are inf or inf/inf = NaN there; loggamma is of order x log(x),
so its differences and sums keep only the ulps of their terms.

- log(gamma(x)) is loggamma(x) where x > 0 (gamma > 0 there; loggamma is log|gamma| elsewhere).
- For p = q + d, d a constant: gamma(p)/gamma(q) is the rising product q (q + 1) ... (q + d - 1) for an
  integer 1 <= d <= MAX_RISING (its reciprocal for -MAX_RISING <= d <= -1), and loggamma(p) - loggamma(q)
  its log for |d| <= MAX_LOG_RISING (a sum of logs where the product could overflow), where q > 0.
  Otherwise Stirling's formula with Binet's mu = stirlerr (symgraph/stable_gamma.py: loggamma(z) =
  (z - 1/2) log(z) - z + log(2 pi)/2 + stirlerr(z)): log(gamma(p)/gamma(q)) = d log(p) + s, s = q (log1p(d/q)
  - d/q) - log1p(d/q)/2 + stirlerr(p) - stirlerr(q), every term of s of order d^2/q: the quotient is
  p**d e^s (pow rounds once, e^s is near 1), the difference d log(p) + s, where p, q >= STIRLING_FROM or
  one of them overflows gamma.
- the Poisson log-pmf: Loader's (2000) -stirlerr(k) - bd0(k, lam) - log(2 pi k)/2, bd0 = k log(k/lam) +
  lam - k = lam g((k - lam)/lam) (g of symgraph/rules/divergence.py: log1p_minus_x(w) + w log1p(w)), all
  parts of one sign, for k >= 1 and w = (k - lam)/lam in [-0.9, 64]; beyond, the typed terms do not
  cancel (-lam or -loggamma(k + 1) dominates them) and the typed form stays.
- log-beta, both arguments >= STIRLING_FROM: sum_z (z - 1/2) log(z) over a, b, -(a + b) is (a - 1/2)
  log(a/s) + (b - 1/2) log(b/s) - log(s)/2, s = a + b (the -z parts of Stirling's formula cancel
  exactly), all negative, plus log(2 pi)/2 and the mu's (< 1); one of them small: loggamma(small) minus
  Stirling's form of loggamma(s) - loggamma(large).
All guarded on their operands (x > 0, k >= 1, ...): elsewhere the typed form.
"""
from __future__ import annotations

import sympy

from .. import ops
from ..compensated import CARRIED, PRODUCT_ERROR
from ..ir import const
from ..rewrite import Rule, Validity, Var
from ._guards import HALF
from ._symbolic import _to_sympy, cancelled_sum, equal, once_per_node, signed_terms
from .divergence import _g

p, q, x = Var("p"), Var("q"), Var("x")
A = Validity.ACCURACY
MAX_RISING = 32         # quotients: rising products of up to 32 factors (d/2 ulps at most); beyond, Stirling's form
MAX_LOG_RISING = 8      # differences: the log of up to 8 factors (a sum of 8 logs where the product could overflow)
STIRLING_FROM = 8.0     # loggamma differences: Stirling's form where both arguments are at least this
GAMMA_FINITE_BELOW = 171.0  # gamma(171) = 7.3e306; gamma(171.7) = inf
ONE = const(1)
POISSON_W_FROM, POISSON_W_TO = -0.9, 64.0
LN_SQRT_2PI = const(sympy.log(2 * sympy.pi) / 2)


def _constant_gap(a, b):
    """a - b as a SymPy rational when it is a constant (SymPy decides); None otherwise."""
    parsed = _to_sympy([a, b])
    if parsed is None:
        return None
    values, _ = parsed
    d = sympy.expand(values[a] - values[b])
    return d if d.is_Rational and d != 0 else None


def _rising(q, d):
    """q (q + 1) ... (q + d - 1), d >= 1."""
    product = q
    for j in range(1, d):
        product = product * (q + j)
    return product


def _log_rising(q, d):
    """log(q (q + 1) ... (q + d - 1)) for q > 0: one log of the product while it stays below 2^120 (finite
    in float32 too), the sum of the logs beyond."""
    if d == 1:
        return ops.LOG(q)
    logs = ops.LOG(q)
    for j in range(1, d):
        logs = logs + ops.LOG(q + j)
    return ops.SELECT(ops.LT(q, const(2 ** (120 // d) - d)), ops.LOG(_rising(q, d)), logs)


def _stirling_excess(a, b, d):
    """s = log(gamma(a)/gamma(b)) - d log(a) for a = b + d, a, b > 0, by Stirling's formula with Binet's
    mu = stirlerr: s = (b - 1/2) log1p(d/b) - d + mu(a) - mu(b) = b (log1p(d/b) - d/b) - log1p(d/b)/2 +
    mu(a) - mu(b), every term of order d^2/b or less (no cancellation of the d log(a)-sized parts)."""
    r = const(d) / b
    return (b * ops.LOG1P_MINUS_X(r) - HALF * ops.LOG1P(r)) + (ops.STIRLERR(a) - ops.STIRLERR(b))


def _log_gamma(x):
    return ops.SELECT(ops.GT(x, 0), ops.LOGGAMMA(x), ops.LOG(ops.GAMMA(x)))


def _stirling_holds(p, q):
    """Where Stirling's form replaces the typed quotient or difference: both arguments positive, and both
    at least STIRLING_FROM or one where gamma overflows."""
    large = ops.AND(ops.GE(p, const(STIRLING_FROM)), ops.GE(q, const(STIRLING_FROM)))
    overflows = ops.OR(ops.GE(p, const(GAMMA_FINITE_BELOW)), ops.GE(q, const(GAMMA_FINITE_BELOW)))
    return ops.AND(ops.GT(p, 0), ops.GT(q, 0), ops.OR(large, overflows))


def _gamma_quotient(p, q):
    typed = ops.GAMMA(p) / ops.GAMMA(q)
    d = _constant_gap(p, q)
    if d is None:
        return None
    if d.is_Integer and 1 <= d <= MAX_RISING:
        return ops.SELECT(ops.GT(q, 0), _rising(q, int(d)), typed)
    if d.is_Integer and -MAX_RISING <= d <= -1:
        return ops.SELECT(ops.GT(p, 0), ONE / _rising(p, int(-d)), typed)
    # p**d e^s: pow rounds once, e^s is near 1 (s of order d^2/q)
    return ops.SELECT(_stirling_holds(p, q), p ** const(d) * ops.EXP(_stirling_excess(p, q, d)), typed)


def _loggamma_difference(p, q):
    typed = ops.LOGGAMMA(p) - ops.LOGGAMMA(q)
    d = _constant_gap(p, q)
    if d is None:
        return None
    if d.is_Integer and 1 <= d <= MAX_LOG_RISING:
        return ops.SELECT(ops.GT(q, 0), _log_rising(q, int(d)), typed)
    if d.is_Integer and -MAX_LOG_RISING <= d <= -1:
        return ops.SELECT(ops.GT(p, 0), -_log_rising(p, int(-d)), typed)
    return ops.SELECT(_stirling_holds(p, q), const(d) * ops.LOG(p) + _stirling_excess(p, q, d), typed)


def _loggamma_pair(node):
    # a longer sum with loggamma(p) and -loggamma(q), p - q a constant (a Student t density's
    # loggamma((nu + 1)/2) - loggamma(nu/2) - log(nu pi)/2 - ...): the pair as one difference first, for
    # loggamma-difference (typed, the two terms of order nu log(nu) cancel to log(nu)/2)
    terms = signed_terms(node)
    if not 3 <= len(terms) <= MAX_PAIRED_TERMS:
        return None
    plus = [k for k, (t, sign) in enumerate(terms) if sign > 0 and t.op is ops.LOGGAMMA]
    minus = [k for k, (t, sign) in enumerate(terms) if sign < 0 and t.op is ops.LOGGAMMA]
    if len(plus) + len(minus) > 3:
        return None
    for i in plus:
        for j in minus:
            if _constant_gap(terms[i][0].args[0], terms[j][0].args[0]) is None:
                continue
            total = terms[i][0] - terms[j][0]
            for k, (t, sign) in enumerate(terms):
                if k not in (i, j):
                    total = total + t if sign > 0 else total - t
            return total
    return None


MAX_PAIRED_TERMS = 8
_loggamma_pair_once = once_per_node(_loggamma_pair)


def _poisson_parts(node):
    """(k, lam) for a sum k*log(lam) - lam - loggamma(k + 1) (any order); None otherwise."""
    terms = signed_terms(node)
    if len(terms) != 3:
        return None
    xlog = rate = lgam = None
    for term, sign in terms:
        if sign < 0 and term.op is ops.LOGGAMMA:
            lgam = term
        elif sign > 0 and term.op is ops.MUL and len(term.args) == 2:
            xlog = term
        elif sign < 0:
            rate = term
    if xlog is None or rate is None or lgam is None:
        return None
    for k, log in (xlog.args, xlog.args[::-1]):
        if log.op is ops.LOG and log.args[0] is rate:
            if _constant_gap(lgam.args[0], k) == 1:
                return k, rate
    return None


_LOG_PMFS: set = set()  # keys of the typed log-pmf sums the rules below guarded (their selects' else branch)


def _poisson_pieces(k, lam):
    """(holds, stirlerr(k) + bd0(k, lam)) of Loader's Poisson log-pmf. Below POISSON_W_FROM (lam > 10 k)
    -lam dominates the typed sum, beyond POISSON_W_TO (lam < k/65) -loggamma(k + 1) and k log(lam) add up:
    the typed terms do not cancel there, and lam g(w) would (g's two parts approach each other as w -> -1)"""
    w = (k - lam) / lam
    holds = ops.AND(ops.GE(k, ONE), ops.GE(w, const(POISSON_W_FROM)), ops.LE(w, const(POISSON_W_TO)))
    return holds, ops.STIRLERR(k) + lam * _g(w)


def _poisson_log_pmf(node):
    parts = _poisson_parts(node)
    if parts is None:
        return None
    k, lam = parts
    holds, rest = _poisson_pieces(k, lam)
    _LOG_PMFS.add(node.key)
    return ops.SELECT(holds, -(rest + (LN_SQRT_2PI + HALF * ops.LOG(k))), node)


def _count_and_probability(term):
    """(u, p, complement) for u*log(p) (False) or u*log1p(-p) (True: u log(1 - p)); None for other terms."""
    if term.op is not ops.MUL or len(term.args) != 2:
        return None
    for u, log in (term.args, term.args[::-1]):
        if log.op is ops.LOG:
            return u, log.args[0], False
        if log.op is ops.LOG1P and log.args[0].op is ops.NEG:
            return u, log.args[0].args[0], True
    return None


def _binomial_parts(node):
    """(n, k, m, p) for the binomial log-pmf as the gamma-product rule spells it, k log(p) + m log1p(-p) +
    loggamma(n + 1) - loggamma(k + 1) - loggamma(m + 1) with k + m = n (any order); None otherwise."""
    terms = signed_terms(node)
    if len(terms) != 5:
        return None
    top = [t for t, sign in terms if sign > 0 and t.op is ops.LOGGAMMA]
    bottom = [t.args[0] for t, sign in terms if sign < 0 and t.op is ops.LOGGAMMA]
    counts = [_count_and_probability(t) for t, sign in terms if sign > 0 and t.op is not ops.LOGGAMMA]
    if len(top) != 1 or len(bottom) != 2 or len(counts) != 2 or None in counts:
        return None
    (k, p, k_complement), (m, q, m_complement) = sorted(counts, key=lambda c: c[2])
    if k_complement or not m_complement or p is not q:
        return None
    if not ((_constant_gap(bottom[0], k) == 1 and _constant_gap(bottom[1], m) == 1)
            or (_constant_gap(bottom[0], m) == 1 and _constant_gap(bottom[1], k) == 1)):
        return None
    n = top[0].args[0] - ONE
    if not equal(top[0].args[0], k + m + ONE):
        return None
    return n, k, m, p


_binomial_parts_once = once_per_node(_binomial_parts)  # (read by the log-pmf rule and again by exp's)


def _binomial_loader(node):
    """(holds, e, f) with the binomial log-pmf node = e + log(f) where holds: Loader's (2000) dbinom,
    e = stirlerr(n) - stirlerr(k) - stirlerr(m) - bd0(k, n p) - bd0(m, n q), f = sqrt(n/(2 pi k m)),
    bd0(x, M) = M g((x - M)/M) >= 0 (the Poisson's): no term of n log(n)'s size, where the typed sum of
    loggammas keeps only their ulps; holds for k, m >= 1 and both w in [-0.9, 64] (elsewhere the typed terms
    do not cancel, and g's parts would). None for other sums."""
    parts = _binomial_parts_once(node)
    if parts is None:
        return None
    n, k, m, p = parts
    n_p, n_q = n * p, n * (ONE - p)
    # k - n p with n p's rounding error taken back (FMA), and m - n q = n p - k (k + m = n): near the mode
    # both cancel, and the roundings of n p and 1 - p would be all their digits (6 bits at n ~ 1e5)
    error = PRODUCT_ERROR(n, p)
    w_k, w_m = ((k - n_p) - error) / n_p, ((n_p - k) + error) / n_q
    deviations = n_p * _g(w_k) + n_q * _g(w_m)
    corrections = ops.STIRLERR(n) - (ops.STIRLERR(k) + ops.STIRLERR(m))
    w_from, w_to = const(POISSON_W_FROM), const(POISSON_W_TO)
    holds = ops.AND(ops.GE(k, ONE), ops.GE(m, ONE), ops.GT(p, 0), ops.LT(p, ONE),
                    ops.GE(w_k, w_from), ops.LE(w_k, w_to), ops.GE(w_m, w_from), ops.LE(w_m, w_to))
    return holds, corrections - deviations, ops.SQRT(n / (const(2 * sympy.pi) * (k * m)))


def _binomial_log_pmf(node):
    found = _binomial_loader(node)
    if found is None:
        return None
    holds, e, _ = found
    n, k, m, _ = _binomial_parts_once(node)
    _LOG_PMFS.add(node.key)
    # (the quotient carried: log-quotient and log-near-one would take its log apart, and again when
    # optimizing twice; it is no ratio near 1 here)
    return ops.SELECT(holds, e + HALF * (ops.LOG(CARRIED(n / (k * m))) - const(sympy.log(2 * sympy.pi))), node)


def _poisson_loader(node):
    """(holds, e, f) with the Poisson log-pmf node = e + log(f) where holds (Loader): e = -stirlerr(k) - bd0,
    f = 1/sqrt(2 pi k); None for other sums."""
    parts = _poisson_parts(node)
    if parts is None:
        return None
    k, lam = parts
    holds, rest = _poisson_pieces(k, lam)
    return holds, -rest, 1 / ops.SQRT(const(2 * sympy.pi) * k)


def _exp_of_log_pmf(x):
    # exp(Loader's log-pmf): e^e times the factor, e near 0 where the probability is large (the log form's
    # log(n/(2 pi k m))/2 ~ -10 would carry its ulps into e^...: the binomial near its mode 5.9 -> 3.5 bits
    # at n ~ 1e5, the Poisson 0.5). The log-pmf rules have made x select(holds, loader, typed) by now: the
    # typed sum decides, where the select's condition is the log-pmf rule's (not a user's Piecewise)
    if x.op is ops.SELECT and x.args[2].key not in _LOG_PMFS:
        return None
    typed = x.args[2] if x.op is ops.SELECT else x
    found = _binomial_loader(typed) or _poisson_loader(typed)
    if found is None:
        return None
    holds, e, f = found
    return ops.SELECT(holds, ops.EXP(e) * f, ops.EXP(typed))


def _loggamma_triple(node, added):
    """(the added arguments, the subtracted ones, their SymPy values) for a sum of three loggammas of which
    `added` are added (any order); None otherwise."""
    terms = signed_terms(node)
    if len(terms) != 3 or any(t.op is not ops.LOGGAMMA for t, _ in terms):
        return None
    plus = [t.args[0] for t, sign in terms if sign > 0]
    minus = [t.args[0] for t, sign in terms if sign < 0]
    if len(plus) != added:
        return None
    parsed = _to_sympy(plus + minus)
    return None if parsed is None else (plus, minus, parsed[0])


def _log_beta_parts(node):
    """(a, b) for a sum loggamma(a) + loggamma(b) - loggamma(a + b) (any order); None otherwise."""
    found = _loggamma_triple(node, 2)
    if found is None:
        return None
    plus, minus, values = found
    if sympy.expand(values[minus[0]] - values[plus[0]] - values[plus[1]]) != 0:
        return None
    return plus[0], plus[1]


def _log_binomial_parts(node):
    """(m, a, b) for a sum loggamma(m) - loggamma(a) - loggamma(b) with m = a + b - 1 (any order; the log of
    the binomial coefficient, loggamma(n + 1) - loggamma(k + 1) - loggamma(n - k + 1)); None otherwise."""
    found = _loggamma_triple(node, 1)
    if found is None:
        return None
    plus, minus, values = found
    if sympy.expand(values[plus[0]] - values[minus[0]] - values[minus[1]] + 1) != 0:
        return None
    return plus[0], minus[0], minus[1]


def _log_binomial(node):
    # loggamma(m) - loggamma(a) - loggamma(b) = -logbeta(a, b) - log(m) (loggamma(a + b) = loggamma(m) +
    # log(m)): typed, loggamma(n + 1) - loggamma(n - k + 1) cancels, and n - k + 1's rounding, times
    # digamma(n) ~ log(n), is what is left (15 bits at n ~ 1e5); in the log-beta form that rounding weighs
    # k/n. Where a or b is 1 (k = 0 or n) the typed sum is exactly 0, as C(n, 0) = 1 asks
    parts = _log_binomial_parts(node)
    if parts is None:
        return None
    m, a, b = parts
    return ops.SELECT(ops.EQ(ops.MIN(a, b), 1), node, _log_beta_of(a, b, node, m))


def _log_beta(node):
    parts = _log_beta_parts(node)
    if parts is None:
        return None
    a, b = parts
    return _log_beta_of(a, b, node)


BINOMIAL_ONE_TO = 64


def _log_beta_of(a, b, typed, m=None):
    """select(holds, logbeta(a, b), typed), logbeta by Stirling's form where a or b is large; given m = a + b -
    1, the log binomial coefficient -logbeta(a, b) - log(m) instead."""
    s = a + b
    lo, hi = ops.MIN(a, b), ops.MAX(a, b)
    # both large: sum_z (z - 1/2) log(z) over a, b, -(a + b) is (a - 1/2) log(a/s) + (b - 1/2) log(b/s) -
    # log(s)/2 (the -z parts cancel exactly), each log of the smaller share, log1p of minus the other
    # share for the larger one: every term of that sum is negative, the rest (log(2 pi)/2 and the mu's) < 1
    log_a = ops.SELECT(ops.LE(a, b), ops.LOG(a / s), ops.LOG1P(-(b / s)))
    log_b = ops.SELECT(ops.LE(b, a), ops.LOG(b / s), ops.LOG1P(-(a / s)))
    negative = ((a - HALF) * log_a + (b - HALF) * log_b) - HALF * ops.LOG(s)
    both = negative + ((LN_SQRT_2PI + ops.STIRLERR(a)) + (ops.STIRLERR(b) - ops.STIRLERR(s)))
    # one small: loggamma(lo) - (loggamma(s) - loggamma(hi)), the difference by Stirling's form with
    # d = lo (no cancellation of its s log(s)-sized parts)
    r = lo / hi
    rest = (hi * ops.LOG1P_MINUS_X(r) - HALF * ops.LOG1P(r)) + (ops.STIRLERR(s) - ops.STIRLERR(hi))
    if m is None:
        one = ops.LOGGAMMA(lo) - (lo * ops.LOG(s) + rest)
    else:
        # lo log(s) - log(m) as (lo - 1) log(s) + log(s/m): no cancellation for lo near 1 (k near 0); up to
        # lo = BINOMIAL_ONE_TO, where its terms of order lo log(s) cancel at most a few bits. Beyond, typed
        # (-logbeta - log(m), spelled with a negated sum or with its positive terms, took other forms when
        # optimized again: left for a later session)
        one = ((lo - 1) * ops.LOG(s) + ops.LOG1P((s - m) / m) + rest) - ops.LOGGAMMA(lo)
        return ops.SELECT(ops.AND(ops.GE(hi, const(STIRLING_FROM)), ops.GT(lo, 0),
                                  ops.LE(lo, const(BINOMIAL_ONE_TO))), one, typed)
    large = const(STIRLING_FROM)
    return ops.SELECT(ops.GE(lo, large), both,
                      ops.SELECT(ops.AND(ops.GE(hi, large), ops.GT(lo, 0)), one, typed))


def _logs_below(node, limit=3):
    """The log(v) and xlogy(v, v) nodes among a term's factors (a product x*log(x), a quotient log(x)/2, a
    negation), a few levels down."""
    found, stack = [], [(node, 0)]
    while stack:
        n, depth = stack.pop()
        if n.op is ops.LOG or (n.op is ops.XLOGY and n.args[0] is n.args[1]):
            found.append(n)
        elif depth < limit and n.op in (ops.MUL, ops.DIV, ops.NEG):
            stack.extend((a, depth + 1) for a in n.args)
    return found


def _stirling_remainder(node):
    # a sum with loggamma(v + d) (d = 0 or 1) and the leading terms of its Stirling series in v, typed: the
    # error of Stirling's formula x log(x) - x - loggamma(x + 1) (= -log(2 pi x)/2 - mu(x)), or of the
    # full one. Those terms are of order v log(v), the sum of order log(v) or 1/v: the typed sum keeps
    # their ulps only. Stirling's form of loggamma, (v + d - 1/2) log(v) - v + log(2 pi)/2 + mu(v), put in
    # its place: its elementary part cancels the typed terms symbolically (SymPy, log(v) one symbol), and
    # what is left is summed with mu = stirlerr(v) (symgraph/stable_gamma.py), for v >= 1 (typed below)
    terms = signed_terms(node)
    if not 3 <= len(terms) <= 8:
        return None
    gammas = [(t, s) for t, s in terms if _loggamma_of(t) is not None]
    if len(gammas) != 1:
        return None
    term, sign = gammas[0]
    lgam = _loggamma_of(term)
    others = [(t, s) for t, s in terms if t is not term]
    found = [n for t, _ in others for n in _logs_below(t)]
    for v in dict.fromkeys(n.args[0] for n in found):
        d = 0 if v is lgam.args[0] else _constant_gap(lgam.args[0], v)
        if d not in (0, 1):
            continue
        # v log(v) as the typed sum spells it (the xlogx rule may have made it xlogy(v, v) already)
        xlogx = ops.XLOGY(v, v) if any(n.op is ops.XLOGY and n.args[0] is v for n in found) else v * ops.LOG(v)
        stirling = xlogx + const(d - sympy.S.Half) * ops.LOG(v) - v + LN_SQRT_2PI
        split = [(_split_log(t, v), s) for t, s in others]
        elementary = stirling if sign > 0 else -stirling
        for t, s in split:
            elementary = elementary + t if s > 0 else elementary - t
        remainder = cancelled_sum(elementary, [stirling] + [t for t, _ in split])
        if remainder is None:
            continue
        mu = ops.STIRLERR(v)
        new = remainder + mu if sign > 0 else remainder - mu
        return ops.SELECT(ops.GE(v, ONE), new, node)
    return None


def _loggamma_of(term):
    """loggamma(u) for a term loggamma(u), or log(gamma(u)) as the log-gamma rule leaves it (a select on
    u > 0 with loggamma(u) its branch); None otherwise."""
    if term.op is ops.LOGGAMMA:
        return term
    if term.op is ops.SELECT and term.args[1].op is ops.LOGGAMMA:
        return term.args[1]
    return None


def _split_log(term, v, depth=3):
    """term with log(k*v) among its factors (k a positive constant: log(2*pi*x)/2) as log(k) + log(v),
    which then cancels against Stirling's log(v) and log(2 pi)/2."""
    if term.op is ops.LOG and term.args[0].op is ops.MUL:
        factors = term.args[0].args
        constants = [a.value for a in factors if a.is_const]
        if len(constants) == len(factors) - 1 and v in factors:
            k = sympy.Mul(*constants)
            if k.is_positive and k.is_finite:
                return const(sympy.log(k)) + ops.LOG(v)
        return term
    if depth == 0 or term.op not in (ops.MUL, ops.DIV, ops.NEG):
        return term
    args = [_split_log(a, v, depth - 1) for a in term.args]
    return term if all(a is b for a, b in zip(args, term.args)) else term.op(*args)


# A product or quotient of gamma functions, powers and exponentials (a Poisson or binomial probability,
# lam**k*exp(-lam)/factorial(k), binomial(n, k)*p**k*(1 - p)**(n - k), a beta density) whose factors
# overflow or underflow where the result does not: gamma(171.7) is inf, 0.5**1075 is 0, and the typed
# form is inf/inf, inf*0 (NaN) or 0. There it is exp of the sum of the factors' logs (loggamma, y*log(x), u),
# which the stabilize rules then take as typed (the Poisson log-pmf is Loader's form: 0.55 bits), where the
# arguments of the logs are positive and the logs large; elsewhere the typed form. A factor that is this
# rule's own select is read as the product it stands for.
MAX_FACTORS, MAX_DEPTH = 12, 6
# Where the logs of the numerator's factors add up, in magnitude, to less than log(DBL_MAX) = 709.78, and
# the denominator's, no partial product overflows (nor leaves the normal range below, e^-708.4) and the
# typed form is within its few roundings, where the log form would lose loggamma's ulps (gamma(170.6)/
# gamma(169.6): 8 bits); beyond, the log form holds (a float32 kernel's factors overflow from e^88: there
# the typed form stays). Read from the logs, not from the typed value: a guard on the typed product would
# hold this rule's own select when optimizing again.
LOG_RANGE = const(sympy.Rational(70978, 100))
_GUARDED: set = set()  # keys of the typed products this rule's selects guard (their else branch)


def _factor_logs(node, sign, logs, positive, depth=0):
    """Appends (sign, log of the factor) for node's factors through mul, div, pow, pow1p, exp and gamma, and to
    `positive` what must be > 0 for those logs to be the factors'; False where a factor is a constant <= 0
    or the product is too big to take apart."""
    # this rule's select(cond, exp(...), typed) is its typed product (a later phase nests the select in its
    # own typed branch); a user's Piecewise of anything but an exp and such a product stays a factor
    typed = node
    while typed.op is ops.SELECT and typed.args[1].op.name in ("exp", "exp_pair"):
        typed = typed.args[2]
    if typed is not node and typed.key in _GUARDED:
        node = typed
    if depth > MAX_DEPTH or len(logs) > MAX_FACTORS:
        return False
    if node.op in (ops.MUL, ops.DIV):
        signs = [sign] * len(node.args) if node.op is ops.MUL else [sign, -sign]
        return all(_factor_logs(a, s, logs, positive, depth + 1) for a, s in zip(node.args, signs))
    if node.is_const:
        if not (node.value.is_extended_real and node.value.is_positive):
            return False
        logs.append((sign, ops.LOG(node)))
    elif node.op is ops.POW:
        base, exponent = node.args
        logs.append((sign, exponent * ops.LOG(base)))
        positive.append(base)
    elif node.op is ops.EXP:
        logs.append((sign, node.args[0]))
    elif node.op is ops.POW1P:  # (1 + u)**v, as stabilize spells (1 - p)**(n - k)
        u, v = node.args
        logs.append((sign, v * ops.LOG1P(u)))
        positive.append(const(1) + u)
    elif node.op is ops.GAMMA:
        logs.append((sign, ops.LOGGAMMA(node.args[0])))
        positive.append(node.args[0])
    else:
        logs.append((sign, ops.LOG(node)))
        positive.append(node)
    return True


def _sum_of(parts):
    return ops.ADD(*parts) if len(parts) > 1 else parts[0]


def _gamma_product(node):
    logs, positive = [], []
    if not _factor_logs(node, 1, logs, positive) or len(logs) < 2 \
            or not any(log.op is ops.LOGGAMMA for _, log in logs):
        return None
    up = [log for s, log in logs if s > 0]
    down = [log for s, log in logs if s < 0]
    total = _sum_of(up) - _sum_of(down) if up and down else (_sum_of(up) if up else -_sum_of(down))
    pasts = [ops.GE(_sum_of([ops.ABS(log) for log in part]), LOG_RANGE) for part in (up, down) if part]
    past = ops.OR(*pasts) if len(pasts) > 1 else pasts[0]
    guarded = ops.SELECT(ops.AND(past, *[ops.GT(b, 0) for b in dict.fromkeys(positive)]), ops.EXP(total), node)
    _GUARDED.add(node.key)
    return guarded


RULES = [
    Rule("log-gamma", ops.LOG(ops.GAMMA(x)), _log_gamma, validity=A, phase="stabilize", ref="A1",
         doc="log(gamma(x)) is loggamma(x) where x > 0 (gamma overflows from 171.6)"),
    Rule("gamma-quotient", ops.GAMMA(p) / ops.GAMMA(q), _gamma_quotient, validity=A, phase="stabilize",
         ref="A1", doc="gamma(x + n)/gamma(x) is x (x + 1) ... (x + n - 1); Stirling's form where it overflows"),
    Rule("loggamma-difference", ops.LOGGAMMA(p) - ops.LOGGAMMA(q), _loggamma_difference, validity=A,
         phase="stabilize", ref="A1", doc="loggamma(x + n) - loggamma(x) is the log of the rising product"),
    Rule("poisson-log-pmf", p - q, lambda p, q: _poisson_log_pmf(p - q), validity=A, phase="stabilize",
         ref="A1", doc="k*log(lam) - lam - loggamma(k + 1): Loader's -stirlerr(k) - bd0(k, lam) - log(2 pi k)/2"),
    Rule("exp-of-log-pmf", ops.EXP(x), _exp_of_log_pmf, validity=A, phase="stabilize", ref="A1",
         doc="exp of a Poisson or binomial log-pmf: e^(Loader's deviance part) times its 1/sqrt(2 pi k)-like factor"),
    Rule("binomial-log-pmf", p - q, lambda p, q: _binomial_log_pmf(p - q), validity=A, phase="stabilize",
         ref="A1", doc="k log(p) + m log1p(-p) + loggamma(n + 1) - loggamma(k + 1) - loggamma(m + 1): Loader's form"),
    Rule("stirling-remainder", p - q, lambda p, q: _stirling_remainder(p - q), validity=A, phase="stabilize",
         ref="A1", doc="x*log(x) - x - loggamma(x + 1), the error of Stirling's formula: its terms cancel"),
    Rule("stirling-remainder-sum", p + q, lambda p, q: _stirling_remainder(p + q), validity=A,
         phase="stabilize", ref="A1", doc="loggamma(x + 1) + x - x*log(x) - log(2*pi*x)/2"),
    Rule("log-beta", p - q, lambda p, q: _log_beta(p - q), validity=A, phase="stabilize", ref="A1",
         doc="loggamma(a) + loggamma(b) - loggamma(a + b): Stirling's form, its x log(x)-sized parts cancelled"),
    Rule("log-binomial", p - q, lambda p, q: _log_binomial(p - q), validity=A, phase="stabilize", ref="A1",
         doc="loggamma(n + 1) - loggamma(k + 1) - loggamma(n - k + 1): -logbeta(k + 1, n - k + 1) - log(n + 1)"),
    Rule("loggamma-pair", p - q, lambda p, q: _loggamma_pair_once(p - q), validity=A, phase="stabilize",
         ref="A1", doc="a sum with loggamma(x + d) and -loggamma(x) among more terms: the two as one difference"),
    Rule("loggamma-pair-sum", p + q, lambda p, q: _loggamma_pair_once(p + q), validity=A, phase="stabilize",
         ref="A1"),
    # (after gamma-quotient, whose rising products and Stirling's form are exact where they apply)
    Rule("gamma-product", ops.MUL(p), lambda p: _gamma_product(p), validity=A, phase="stabilize", ref="A1",
         doc="a product of gammas, powers and exponentials past overflow: exp of the sum of their logs"),
    Rule("gamma-product-quotient", p / q, lambda p, q: _gamma_product(p / q), validity=A, phase="stabilize",
         ref="A1", doc="lam**k*exp(-lam)/gamma(k + 1) past overflow: exp(k*log(lam) - lam - loggamma(k + 1))"),
]
