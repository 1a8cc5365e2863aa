"""Ground truth for tests and benchmarks: graphs evaluated with mpmath at high precision, and the
distance between a computed float and the exact value in ulps and in Herbie's bits of error."""
from __future__ import annotations

import functools
import math

import mpmath
import numpy as np
import sympy

from .ir import Graph, Node, topological

_NAN = mpmath.mpf("nan")


def _to_mp(value):
    if isinstance(value, (sympy.Basic,)):
        if value is sympy.nan:
            return _NAN
        if value == sympy.oo:
            return mpmath.mpf("inf")
        if value == -sympy.oo:
            return mpmath.mpf("-inf")
        if value in (sympy.true, sympy.false):
            return bool(value)
        return _constant(value, mpmath.mp.dps)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (complex, np.complexfloating)):
        return mpmath.mpc(value)
    return mpmath.mpf(float(value)) if isinstance(value, (float, np.floating)) else mpmath.mpf(value)


@functools.lru_cache(maxsize=4096)
def _constant(value, dps):
    # SymPy's N of a symbolic constant (log(2 pi)/2) costs more than most of mpmath's functions
    with mpmath.workdps(dps):
        v = sympy.N(value, dps + 10)
        return mpmath.mpc(*(mpmath.mpf(str(p)) for p in v.as_real_imag())) if not v.is_real else mpmath.mpf(str(v))


def _real_or_nan(v):
    """Real-valued semantics: a complex or undefined result is NaN, as the float kernels give."""
    if isinstance(v, mpmath.mpc):
        return v.real if v.imag == 0 else _NAN
    return v


# comparisons and logic see NaN as IEEE does (every comparison false except !=): no NaN shortcut
_NAN_AWARE = {"select", "lt", "le", "gt", "ge", "eq", "ne", "and", "or", "not", "xor"}


def _apply(op, args, real):
    if op.name == "pow":
        base, exponent = args
        if exponent == 0 or base == 1:  # IEEE: pow(x, 0) = 1 and pow(1, y) = 1, even for NaN
            return mpmath.mpf(1)
        if real and base == mpmath.mpf("-inf") and not mpmath.isnan(exponent) and exponent != 0:
            # C99 pow(-inf, y): -inf or -0 for odd integers y, else +inf (y > 0) or +0 (y < 0);
            # mpmath answers with a complex infinity instead
            odd = mpmath.isfinite(exponent) and exponent == mpmath.floor(exponent) and int(exponent) % 2 == 1
            magnitude = mpmath.mpf("inf") if exponent > 0 else mpmath.mpf(0)
            return -magnitude if odd else magnitude
    if op.name == "atan2" and all(isinstance(a, mpmath.mpf) and mpmath.isinf(a) for a in args):
        # C99 atan2(+-inf, +-inf): +-pi/4 toward +x, +-3pi/4 toward -x (mpmath answers NaN)
        y, x = args
        angle = mpmath.pi / 4 if x > 0 else 3 * mpmath.pi / 4
        return angle if y > 0 else -angle
    # an op whose reference says itself what NaN arguments give (pow1p(0, NaN) = 1, as pow's) is asked
    if op.name not in _NAN_AWARE and not op.extra.get("nan_arguments") and \
            any(isinstance(a, mpmath.mpf) and mpmath.isnan(a) for a in args):
        return _NAN
    try:
        value = _function_value(op, args)
    except (ZeroDivisionError, ValueError):
        return _ieee_special(op, args)
    return _real_or_nan(value) if real else value


# values of the mpmath references by (op, arguments, working precision): a test evaluates the typed and the
# rewritten graph at the same point, and a grid of points repeats each input's value (loggamma(x + 1) at
# 200 points (x, y, p) with a dozen values of x), at every precision exact() tries
_VALUES: dict = {}
_MAX_VALUES = 50_000


def _function_value(op, args):
    try:
        # the function itself (names may repeat); the types too, since True == mpf(1) == mpc(1, 0)
        key = (op.mpmath, tuple((type(a), a) for a in args), mpmath.mp.prec)
        hash(key)
    except TypeError:  # an argument mpmath cannot hash
        return op.mpmath(*args)
    if key not in _VALUES:
        if len(_VALUES) >= _MAX_VALUES:
            _VALUES.clear()
        _VALUES[key] = op.mpmath(*args)
    return _VALUES[key]


def _ieee_special(op, args):
    # the points where mpmath raises but IEEE arithmetic has a value (x/0, log(0), ...)
    if op.name in ("div", "constant_quotient"):
        a, b = args
        if a == 0 or mpmath.isnan(a):
            return _NAN
        return mpmath.mpf("inf") * mpmath.sign(a) * (-1 if str(b).startswith("-") else 1)
    if op.name == "pow" and args[0] == 0 and args[1] < 0:
        return mpmath.mpf("inf")
    if op.name in ("cot", "csc") and args[0] == 0:  # 1/tan(0), 1/sin(0) in the kernel: 1/0 as above
        return mpmath.mpf("inf")
    if op.name in ("log", "log2", "log10") and args[0] == 0:
        return mpmath.mpf("-inf")
    if op.name == "log1p" and args[0] == -1:
        return mpmath.mpf("-inf")
    return _NAN


def evaluate(graph_or_node, env: dict, dps: int = 50, real: bool = True):
    """The exact value(s) of a graph or node at `env` ({sympy.Symbol: number}), with mpmath at `dps` digits.

    Returns one mpmath number for a node or a single-output graph, else a list. With `real` (default),
    results that are complex are NaN, as they are in the real kernels.
    """
    if isinstance(graph_or_node, Node):
        outputs, single = [graph_or_node], True
    else:
        outputs, single = list(graph_or_node.outputs), graph_or_node.form == "single"
    env_by_name = {sympy.srepr(k): v for k, v in env.items()}
    values = {}
    with mpmath.workdps(dps):
        for node in topological(outputs):
            if node.is_symbol:
                key = sympy.srepr(node.attr)
                if key not in env_by_name:
                    raise KeyError(f"no value for symbol {node.attr} in env")
                values[node.key] = _to_mp(env_by_name[key])
            elif node.is_const:
                values[node.key] = _to_mp(node.value)
            elif node.op.name == "select":
                c, a, b = (values[x.key] for x in node.args)
                values[node.key] = a if c else b
            else:
                if node.op.mpmath is None:
                    raise NotImplementedError(f"op {node.op.name} has no mpmath reference")
                values[node.key] = _apply(node.op, [values[a.key] for a in node.args], real)
        results = [+values[o.key] if not isinstance(values[o.key], bool) else values[o.key] for o in outputs]
    return results[0] if single else results


def round_to(value, dtype) -> float:
    """An exact (mpmath) value correctly rounded to float64 or float32, as a NumPy scalar."""
    dtype = np.dtype(dtype)
    if isinstance(value, (float, np.floating, int)):
        return dtype.type(value)
    if mpmath.isnan(value):
        return dtype.type(np.nan)
    if dtype == np.float32:
        with mpmath.workprec(24):
            r = +value
        f = float(r)
        if abs(f) < 2.0 ** -126 or abs(f) >= 2.0 ** 128:  # subnormal or beyond: round through float64
            return np.float32(float(value))
        return np.float32(f)
    return dtype.type(float(value))


def _ordered(values: np.ndarray) -> np.ndarray:
    """Floats mapped to integers in the same order, adjacent floats one apart (+0 and -0 both 0)."""
    if values.dtype == np.float32:
        bits = values.view(np.int32).astype(np.int64)
        sign_mask = 0x7FFFFFFF
    else:
        bits = values.view(np.int64)
        sign_mask = 0x7FFFFFFFFFFFFFFF
    return np.where(bits < 0, -(bits & sign_mask), bits)


def ulps(computed, exact, dtype="float64"):
    """Number of floats of `dtype` between `computed` and `exact` (rounded correctly first).

    NaN against NaN is 0; NaN against a number is the largest possible distance. Works elementwise.
    """
    dtype = np.dtype(dtype)
    comp = np.atleast_1d(np.asarray(computed, dtype=dtype))
    ex_list = exact if isinstance(exact, (list, tuple, np.ndarray)) else [exact]
    ex = np.array([round_to(e, dtype) for e in ex_list], dtype=dtype)
    comp, ex = np.broadcast_arrays(comp, ex)
    comp, ex = np.ascontiguousarray(comp), np.ascontiguousarray(ex)
    worst = float(2 ** (64 if dtype == np.float64 else 32))
    oc, oe = _ordered(comp), _ordered(ex)
    # same sign: exact integer difference (float64 would round it); opposite signs: the sum of distances to 0
    same_sign = (oc >= 0) == (oe >= 0)
    diff = np.where(same_sign, np.abs(np.where(same_sign, oc - oe, 0)).astype(np.float64),
                    np.abs(oc.astype(np.float64)) + np.abs(oe.astype(np.float64)))
    cn, en = np.isnan(comp), np.isnan(ex)
    diff = np.where(cn & en, 0.0, np.where(cn | en, worst, diff))
    return diff if np.ndim(computed) or isinstance(exact, (list, tuple, np.ndarray)) else float(diff[0])


def bits_of_error(computed, exact, dtype="float64"):
    """Herbie's error measure: log2(1 + ulps distance) to the correctly rounded exact value."""
    u = ulps(computed, exact, dtype)
    return np.log2(1.0 + u) if isinstance(u, np.ndarray) else math.log2(1.0 + u)


def evaluate_graph(graph: Graph, env: dict, dps: int = 50) -> list:
    """All outputs of a graph as a list of exact values (even for a single output)."""
    values = evaluate(graph, env, dps)
    return values if isinstance(values, list) else [values]


def exact(graph_or_node, env: dict, dps: int = 50, max_dps: int = 1600):
    """Like `evaluate`, with the precision doubled until two evaluations agree to `dps` digits (Herbie's
    approach: cancellation can eat any fixed number of digits, e.g. sqrt(1e300 + 1) - sqrt(1e300))."""
    # sums of numbers far apart in magnitude need as many digits as the span of their exponents
    span = 0
    for v in env.values():
        try:
            f = abs(float(v))
        except (TypeError, ValueError):
            continue
        if 0 < f < math.inf:
            span = max(span, abs(math.log10(f)))
    dps = max(dps, int(dps + 2 * span))
    previous = evaluate(graph_or_node, env, dps)
    while dps < max_dps:
        dps = min(2 * dps, max_dps)
        current = evaluate(graph_or_node, env, dps)
        # 0, inf and NaN are where cancellation or overflow saturates: confirm them at the full precision.
        # A few digits of slack: the rounding of the inputs at the working precision is itself magnified
        # by a function's condition (erfc(z): 2 z^2, 10^3 at z = 21), so the lower evaluation is never
        # within 10^-dps of the higher one there, and the doubling ran on to max_dps at every such point
        if _agree(previous, current, dps // 2 - 6) and not _saturated(current):
            return current
        previous = current
    return previous


def _agree(a, b, digits) -> bool:
    if isinstance(a, list):
        return all(_agree(x, y, digits) for x, y in zip(a, b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, mpmath.mpc) or isinstance(b, mpmath.mpc):
        return abs(a - b) <= mpmath.mpf(10) ** -digits * max(abs(a), abs(b))
    if mpmath.isnan(a) or mpmath.isnan(b):
        return mpmath.isnan(a) and mpmath.isnan(b)
    if mpmath.isinf(a) or mpmath.isinf(b):
        return a == b
    return abs(a - b) <= mpmath.mpf(10) ** -digits * max(abs(a), abs(b))


def _saturated(value) -> bool:
    if isinstance(value, list):
        return any(_saturated(v) for v in value)
    if isinstance(value, bool) or isinstance(value, mpmath.mpc):
        return False
    return value == 0 or mpmath.isinf(value) or mpmath.isnan(value)


# ---------------------------------------------------------------- input domains for accuracy measurements
# A sampler is (rng, n) -> n float64 points of a domain; benchmarks and tests draw from the same ones.
def log_uniform(lo, hi):
    """Log-uniform in [lo, hi]. A plain exp(uniform) is always the exp of a double, so log() of it rounds
    back to that double and exp(log(x)) looks exact: a random relative jitter breaks the alignment."""
    def draw(rng, n):
        values = np.exp(rng.uniform(math.log(lo), math.log(hi), n)) * (1 + rng.uniform(-1e-3, 1e-3, n))
        return np.clip(values, lo, hi)
    return draw


def uniform(lo, hi):
    return lambda rng, n: rng.uniform(lo, hi, n)


def signed(sampler):
    return lambda rng, n: sampler(rng, n) * rng.choice([-1.0, 1.0], n)


def negated(sampler):
    return lambda rng, n: -sampler(rng, n)


def one_minus(sampler):
    return lambda rng, n: 1.0 - sampler(rng, n)


def either(*samplers):
    """Each point drawn from one of the samplers, chosen at random."""
    def draw(rng, n):
        parts = np.stack([s(rng, n) for s in samplers])
        return parts[rng.integers(0, len(samplers), n), np.arange(n)]
    return draw


def fixed(*values):
    """The given points, repeated."""
    return lambda rng, n: np.resize(np.array(values, float), n)
