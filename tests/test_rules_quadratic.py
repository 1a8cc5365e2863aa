"""symgraph.rules.quadratic: the roots of a quadratic (-b +- sqrt(b^2 - 4ac))/(2a) and its half-b form fire,
are identities at 50 digits, are accurate in float64 and float32, keep every digit where -b and the root
cancel and over the whole float range (where b^2 and a c overflow or underflow), and keep the typed IEEE
values at a = 0 and at infinities."""
import mpmath
import numpy as np
import sympy

import symgraph as sg
from rulecheck import Case, X, bits_against_mpmath, optimized, rule_tests
from symgraph import ops
from symgraph.ir import const
from symgraph.reference import log_uniform, signed
from symgraph.rules import quadratic


def _root(sign, k, m):
    def build(x, y, p, r):
        root = ops.SQRT(y * y - const(k) * x * r)
        numerator = root - y if sign > 0 else -(root + y)
        return numerator / (const(m) * x) if m != 1 else numerator / x
    return build


CASES = [
    Case("quadratic-root", _root(1, 4, 2), bits=3.0),
    Case("quadratic-root", _root(-1, 4, 2), bits=3.0),
    Case("quadratic-root", _root(1, 1, 1), bits=3.0),  # (-b + sqrt(b^2 - a c))/a: a half b
    # Herbie's quad2p and quad2m: 2c/(-b -+ sqrt(b^2 - 4ac)), the same roots (a > 0 for the identity at 50
    # digits: at a = 0 the typed branch's 2c/-(b + S) is 1/(-0) for a subnormal b, and mpmath has no -0; the
    # IEEE values there are checked below)
    Case("quadratic-root", lambda x, y, p, r: (const(2) * r) / -(y + ops.SQRT(y * y - const(4) * x * r)),
         {X: (5e-324, float("inf"))}, bits=3.0),
    Case("quadratic-root", lambda x, y, p, r: (const(2) * r) / (ops.SQRT(y * y - const(4) * x * r) - y), bits=3.0),
]
IDS = [f"{c.rule}-{i}" for i, c in enumerate(CASES)]


def test_every_rule_of_the_module_has_a_case():
    assert {r.name for r in quadratic.RULES} == {c.rule for c in CASES}


test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \
    rule_tests(CASES, IDS, dtypes=(np.float64, np.float32))

a, b, c = sympy.symbols("a b c")
ROOTS = [(-b + sympy.sqrt(b**2 - 4 * a * c)) / (2 * a), (-b - sympy.sqrt(b**2 - 4 * a * c)) / (2 * a),
         (-b + sympy.sqrt(b**2 - a * c)) / a, 2 * c / (-b - sympy.sqrt(b**2 - 4 * a * c)),
         2 * c / (-b + sympy.sqrt(b**2 - 4 * a * c))]


# -b + sqrt(b^2 - 4ac) cancels to 4ac/b^2 relative, down to 1e-1200 over the float range: the exact value
# needs that many digits
DPS = 1300


def _finite_real(expr, columns):
    """The points where the root is real and a finite float64."""
    fn = sympy.lambdify([a, b, c], expr, "mpmath")
    keep = []
    with mpmath.workdps(DPS):
        for point in zip(*columns):
            w = fn(*(mpmath.mpf(float(v)) for v in point))
            keep.append(mpmath.im(w) == 0 and mpmath.isfinite(w) and abs(w) < 1.7e308)
    keep = np.array(keep)
    return [col[keep] for col in columns]


def test_roots_keep_their_digits_over_the_whole_float_range():
    # Herbie's quadp, quadm, quad2p, quad2m over every double (|a|, |b|, |c| log-uniform in [1e-300, 1e300]):
    # typed 27-34 bits lost on average (b^2 and 4ac overflow or underflow, -b and the root cancel); rewritten
    # about one rounding
    f, typed = sg.compile([a, b, c], ROOTS), sg.compile([a, b, c], ROOTS, rewrite=False)
    rng = np.random.default_rng(13)
    draw = signed(log_uniform(1e-300, 1e300))
    columns = [draw(rng, 400) for _ in range(3)]
    for k, expr in enumerate(ROOTS):
        points = _finite_real(expr, columns)
        with np.errstate(all="ignore"):
            ok, lost = bits_against_mpmath(expr, [a, b, c], points, lambda *v: f(*v)[k], lambda *v: typed(*v)[k],
                                           dps=DPS)
        assert len(ok) > 100 and np.mean(ok) <= 0.5 and max(ok) <= 3.0, (expr, np.mean(ok), max(ok))
        assert np.mean(lost) > 20, (expr, np.mean(lost))


def test_roots_keep_their_digits_where_the_terms_cancel():
    # |4ac| << b^2 in ordinary ranges: -b + sqrt(b^2 - 4ac) loses the digits of 4ac/b^2 typed, in float32 too
    rng = np.random.default_rng(17)
    for dtype in (np.float64, np.float32):
        f, typed = sg.compile([a, b, c], ROOTS), sg.compile([a, b, c], ROOTS, rewrite=False)
        av, cv = rng.uniform(0.5, 2, 100), rng.uniform(-2, 2, 100)
        bv = np.exp(rng.uniform(np.log(1e3), np.log(1e6), 100))
        for k, expr in enumerate(ROOTS):
            sign = -1 if k in (1, 3) else 1  # quadm and quad2p cancel for b < 0
            columns = [av.astype(dtype), (sign * bv).astype(dtype), cv.astype(dtype)]
            ok, lost = bits_against_mpmath(expr, [a, b, c], columns, lambda *v: f(*v)[k],
                                           lambda *v: typed(*v)[k], dtype=dtype)
            assert max(ok) <= 2.0 and np.mean(lost) > 5, (expr, dtype, max(ok), np.mean(lost))


def test_a_zero_leading_coefficient_and_infinities_keep_the_typed_values():
    # a = 0: (-b + |b|)/0 is NaN for b > 0 and +-inf for b < 0, as typed; infinite or NaN coefficients too
    f, typed = sg.compile([a, b, c], ROOTS), sg.compile([a, b, c], ROOTS, rewrite=False)
    av = np.array([0.0, 0.0, -0.0, np.inf, 1.0, 1.0, np.nan])
    bv = np.array([2.0, -2.0, 3.0, 1.0, np.inf, -np.inf, 1.0])
    cv = np.array([1.0, 1.0, -1.0, 1.0, 1.0, 1.0, 1.0])
    with np.errstate(all="ignore"):
        for got, want in zip(f(av, bv, cv), typed(av, bv, cv)):
            assert np.array_equal(got, want, equal_nan=True), (got, want)


def test_the_root_scale_is_a_power_of_two_near_the_root_of_the_product():
    # 2^floor((e_x + e_y)/2): within a factor 2 of sqrt|x y|, for products that overflow or underflow
    xs = np.array([1e300, 1e-300, 3.0, -7e-310, 2.0**1023, 0.0])
    ys = np.array([1e300, 1e-300, 5.0, 1e200, 2.0**1023, 4.0])
    kernel = sg.compile([a, c], ops.root_scale(a, c))
    got = kernel(xs, ys)
    for x, y, g in zip(xs, ys, got):
        ex = max(mpmath.floor(mpmath.log(abs(mpmath.mpf(x)), 2)), -1022) if x != 0 else -1022
        ey = max(mpmath.floor(mpmath.log(abs(mpmath.mpf(y)), 2)), -1022) if y != 0 else -1022
        assert g == 2.0 ** int(mpmath.floor((ex + ey) / 2)), (x, y, g)
    edges = kernel(np.array([np.inf, 1.0, -np.inf, np.nan]), np.array([1e-300, -np.inf, 3.0, 1.0]))
    assert np.array_equal(edges, [np.inf, np.inf, np.inf, np.nan], equal_nan=True)


def test_other_quotients_of_roots_are_left_alone():
    # no a among the product's factors, a constant b, a sum of three terms
    for build in (lambda x, y, p, r: (ops.SQRT(y * y - 4 * p * r) - y) / (2 * x),
                  lambda x, y, p, r: (ops.SQRT(const(9) - 4 * x * r) - 3) / (2 * x),
                  lambda x, y, p, r: (ops.SQRT(y * y - 4 * x * r) - y + p) / (2 * x)):
        _, fired = optimized(Case("quadratic-root", build))
        assert "quadratic-root" not in fired
