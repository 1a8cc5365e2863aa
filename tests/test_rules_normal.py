"""symgraph.rules.normal: every rule fires on its example, is an identity (hypothesis and boundary points, at
50 digits), and its compiled form is within a few ulps of the exact typed formula (float64 and float32);
the spellings users type (Phi and GELU through erf or erfc, sqrt(2)*x/2, x/sqrt(2), Float constants that
are the correctly rounded 1/sqrt(2)) all become ndtr, other scalings do not, the typed forms lose many
bits where the rewritten ones do not, and the gradient of GELU is Phi(x) + x phi(x)."""
import math

import mpmath
import numpy as np
import sympy

import symgraph as sg
from rulecheck import Case, X, Y, rule_tests
from symgraph import ops
from symgraph.ir import const
from symgraph.reference import bits_of_error, ulps
from symgraph.rules import normal
from symgraph.stable_normal import NDTR, mp_ndtr

SQRT2 = ops.SQRT(const(2))      # as lowering leaves sqrt(2) before constant folding
HALF = const(sympy.Rational(1, 2))
POINT_FIVE = const(sympy.Float(0.5))
GELU_BITS = 2.0                  # ndtr's 0.53 ulp and the product's rounding
# x in [-40, 40] holds every value float64 resolves (Phi underflows below -38.5 and rounds to 1 above
# 8.3); beyond, mpmath's erf is slow (a second per point near -80, at the digits the reference asks for)
# and fails past ~1e150, while erf and erfc have long saturated (inf and NaN: tests/test_stable_normal.py)
BOX = {X: (-40.0, 40.0), Y: (-1e6, 1e6)}
# r*Phi(x) below x = -37.5, where Phi is subnormal: its few bits are multiplied by r (GELU's x there is a
# subnormal there, within ~20 ulps of its own; the typed form has the same limit)
PRODUCT_BOX = {X: (-37.5, 40.0), Y: (-1e6, 1e6)}

CASES = [
    Case("ndtr-half-erfc", lambda x, y, p, r: ops.ERFC(-(SQRT2 * x) / 2) / 2, BOX),
    Case("ndtr-half-times-erfc", lambda x, y, p, r: POINT_FIVE * ops.ERFC(-(x / SQRT2)), BOX),
    Case("ndtr-half-times-erfc-product", lambda x, y, p, r: ops.MUL(POINT_FIVE, x, ops.ERFC(-(SQRT2 * x) / 2)),
         PRODUCT_BOX, GELU_BITS),
    Case("ndtr-half-erfc-product", lambda x, y, p, r: x * ops.ERFC(-(SQRT2 * x) / 2) / 2, PRODUCT_BOX,
         GELU_BITS),
    Case("ndtr-half-erfc-product", lambda x, y, p, r: ops.MUL(x, y, ops.ERFC(-(SQRT2 * x) / 2)) / 2,
         PRODUCT_BOX, GELU_BITS + 0.5),
    Case("ndtr-half-plus-half-erf", lambda x, y, p, r: HALF + ops.ERF(SQRT2 * x / 2) / 2, BOX),
    Case("ndtr-half-plus-half-times-erf", lambda x, y, p, r: POINT_FIVE + POINT_FIVE * ops.ERF(x / SQRT2), BOX),
    Case("ndtr-half-minus-half-erf", lambda x, y, p, r: HALF - ops.ERF(SQRT2 * x / 2) / 2, BOX),
    Case("ndtr-half-minus-half-times-erf", lambda x, y, p, r: POINT_FIVE - POINT_FIVE * ops.ERF(x / SQRT2), BOX),
    Case("two-minus-erfc", lambda x, y, p, r: 2 - ops.ERFC(x), BOX),
    Case("one-minus-ndtr", lambda x, y, p, r: 1 - NDTR(x), BOX),
    Case("log-ndtr", lambda x, y, p, r: ops.LOG(NDTR(x)), BOX),
    Case("erfc-over-sqrt2", lambda x, y, p, r: ops.ERFC(x / SQRT2), BOX),
    Case("erfc-over-sqrt2", lambda x, y, p, r: y * ops.ERFC(-(SQRT2 * x) / 2), PRODUCT_BOX),
    # the inverse Mills ratio through erfc and through Phi (1 - Phi(x) reads plus_zero(Phi(-x))), with factors
    Case("exp-over-normal-tail", lambda x, y, p, r: ops.EXP(-(x * x) / 2) / ops.ERFC(x / SQRT2), BOX),
    Case("exp-over-normal-tail", lambda x, y, p, r: ops.MUL(y, ops.EXP(-(x * x))) / (const(3) * ops.ERFC(x)),
         BOX, 2.5),
    Case("exp-over-normal-tail", lambda x, y, p, r: ops.EXP(-(x * x) / 2) / ops.PLUS_ZERO(NDTR(-x)), BOX),
    # ratios of tails: erfc(x)/erfc(y), Phi(x)/Phi(y), erfc(x/sqrt(2))/erfc(y/sqrt(2))
    Case("exp-over-normal-tail", lambda x, y, p, r: ops.ERFC(x) / ops.ERFC(y), {X: (-40, 40), Y: (-40, 40)}, 2.5),
    Case("exp-over-normal-tail", lambda x, y, p, r: NDTR(x) / NDTR(y), {X: (-40, 40), Y: (-40, 40)}, 2.5),
    # (where a tail is below its mean the typed quotient: erfc(x/sqrt(2)) there is specialize's compensated
    # erfc, which leaves out sqrt(2)'s own rounding: up to 9 bits at x = 29, typed 6; not this rule's)
    Case("exp-over-normal-tail", lambda x, y, p, r: ops.ERFC(x / SQRT2) / ops.ERFC(y / SQRT2),
         {X: (0, 40), Y: (0, 40)}, 2.5),
]
IDS = [f"{c.rule}-{i}" for i, c in enumerate(CASES)]


def test_every_rule_of_the_module_has_a_case():
    assert {r.name for r in normal.RULES} == {c.rule for c in CASES}


test_rule_fires, test_rule_is_an_identity_at_50_digits, compiled, test_compiled_rewrite_is_accurate = \
    rule_tests(CASES, IDS, dtypes=(np.float64, np.float32))


x = sympy.Symbol("x")
S2 = sympy.sqrt(2)
TYPED = {  # as users type them: all are x*Phi(x) or Phi(x)
    "gelu": x / 2 * (1 + sympy.erf(x / S2)),
    "gelu sqrt(2)*x/2": sympy.Float(0.5) * x * (1 + sympy.erf(x * S2 / 2)),
    "gelu erfc": x * sympy.erfc(-x / S2) / 2,
    "gelu float": 0.5 * x * (1 + sympy.erf(0.7071067811865476 * x)),
    "phi erf": (1 + sympy.erf(x / S2)) / 2,
    "phi erfc": sympy.erfc(-x / S2) / 2,
    "phi float": 0.5 * sympy.erfc(-0.7071067811865476 * x),
    "phi float erf": 0.5 + 0.5 * sympy.erf(x * 0.7071067811865476),
}


def _ndtr_graph(expr):
    graph = sg.compile([x], expr).graph
    return graph.to_sympy()


def test_typed_spellings_become_ndtr():
    for name, expr in TYPED.items():
        want = x * sg.ndtr(x) if name.startswith("gelu") else sg.ndtr(x)
        assert _ndtr_graph(expr) == want, name
    assert _ndtr_graph(sympy.erfc(x / S2) / 2) == sg.ndtr(-x)
    assert _ndtr_graph((1 - sympy.erf(x / S2)) / 2) == sg.ndtr(-x)
    assert _ndtr_graph(sympy.log((1 + sympy.erf(x / S2)) / 2)) == sg.log_ndtr(x)
    assert _ndtr_graph(sympy.log(sympy.erfc(-x / S2) / 2)) == sg.log_ndtr(x)


def test_other_scalings_are_left_alone():
    # erfc(x)/2 is not Phi; 0.7071067811865475 is not the correctly rounded 1/sqrt(2) (the typed value stays;
    # SymPy makes x/1.4142135623730951 that Float)
    for expr in ((1 + sympy.erf(x)) / 2, sympy.erfc(x) / 2, sympy.erfc(2 * x / S2) / 2,
                 (1 + sympy.erf(0.7071067811865475 * x)) / 2, sympy.erfc(x / S2) / 3,
                 (1 + sympy.erf(x / sympy.Float(math.sqrt(2)))) / 2):
        assert not any(f.rule.startswith("ndtr") for f in sg.compile([x], expr).trace), expr


def test_typed_forms_lose_many_bits_where_rewritten_ones_do_not():
    points = -np.geomspace(8, 37, 40)  # beyond, Phi is subnormal and x*Phi(x) multiplies its rounding by x
    with mpmath.workdps(40):
        phi = [mp_ndtr(mpmath.mpf(float(v))) for v in points]
        gelu = [mpmath.mpf(float(v)) * p for v, p in zip(points, phi)]
    for expr, want in ((TYPED["phi erf"], phi), (TYPED["gelu"], gelu)):
        rewritten, typed = sg.compile([x], expr)(points), sg.compile([x], expr, rewrite=False)(points)
        assert max(bits_of_error(typed, want)) > 8
        assert max(bits_of_error(rewritten, want)) <= GELU_BITS
        assert np.mean(bits_of_error(rewritten, want)) < 0.8


def test_float_constants_are_read_as_one_over_sqrt2():
    # 0.7071067811865476 is 1/sqrt(2) rounded: the rewritten form is Phi itself, which the typed Float's
    # 2^-55 difference would move by hundreds of ulps at x = -30
    points = np.array([-37.0, -30.0, -5.0, -0.3, 0.0, 2.0])
    got = sg.compile([x], TYPED["phi float"])(points)
    with mpmath.workdps(40):
        assert ulps(got, [mp_ndtr(mpmath.mpf(v)) for v in points]).max() <= 3


def test_gradient_of_gelu():
    f = sg.compile([x], TYPED["gelu"], grad=True)
    points = np.array([-30.0, -3.0, -0.5, 0.0, 0.7, 4.0])
    value, (grad,) = f(points)
    with mpmath.workdps(40):
        for v, got, slope in zip(points, value, grad):
            t = mpmath.mpf(v)
            want = mp_ndtr(t) + t * mpmath.npdf(t)
            assert ulps(got, t * mp_ndtr(t)) <= 4
            assert abs(slope - want) <= 1e-15 * abs(want) + 1e-300, (v, slope, want)


def test_subgraph_of_y_on_both_sides():
    # x*y*Phi(x): the other factors stay a product beside ndtr
    y = Y.attr
    graph = sg.compile([x, y], x * y * sympy.erfc(-x / S2) / 2).graph
    assert graph.to_sympy() == x * y * sg.ndtr(x)


def test_inverse_mills_ratio_keeps_its_digits_in_the_tail():
    # phi(x)/(1 - Phi(x)), the hazard of the normal distribution, as typed through erf and through erfc: erfc
    # underflows past x = 37.5 (0/0, inf) and exp(-x^2/2) carries x^2's rounding (many bits) before; the
    # rewritten 1/erfcx(x/sqrt(2)) stays within a few ulps
    t = sympy.exp(-x**2 / 2) / sympy.sqrt(2 * sympy.pi)
    exprs = [t / (1 - (1 + sympy.erf(x / sympy.sqrt(2))) / 2), t / (sympy.erfc(x / sympy.sqrt(2)) / 2)]
    points = np.concatenate([np.linspace(1.0, 37.0, 20), [40.0, 100.0, 1e4]])
    with mpmath.workdps(60):
        want = [mpmath.npdf(mpmath.mpf(float(v))) / mp_ndtr(-mpmath.mpf(float(v))) for v in points]
    f, typed = sg.compile([x], exprs), sg.compile([x], exprs, rewrite=False)
    with np.errstate(all="ignore"):
        for got, naive in zip(f(points), typed(points)):
            assert max(bits_of_error(got, want)) <= 2.5
            assert max(bits_of_error(naive, want)) > 20


def test_a_bare_erfc_of_x_over_sqrt2_is_twice_phi():
    # erfc(x/sqrt(2)) (twice the normal tail) as typed carries the rounding of x/sqrt(2) times ~x^2
    points = np.linspace(5.0, 38.0, 34)
    expr = sympy.erfc(x / sympy.sqrt(2))
    with mpmath.workdps(60):
        want = [2 * mp_ndtr(-mpmath.mpf(float(v))) for v in points]
    rewritten, typed = sg.compile([x], expr)(points), sg.compile([x], expr, rewrite=False)(points)
    assert max(bits_of_error(rewritten, want)) <= 1.0
    assert max(bits_of_error(typed, want)) > 6


def test_ratios_of_normal_tails_keep_their_digits():
    # erfc(x)/erfc(y) and (1 - Phi(x))/(1 - Phi(y)) (through erf) far in the tail: typed 0/0 (NaN) past x =
    # 26.5 (37.5), many bits lost before; within a few ulps rewritten
    y = sympy.Symbol("y")
    exprs = [sympy.erfc(x) / sympy.erfc(y),
             (1 - (1 + sympy.erf(x / sympy.sqrt(2))) / 2) / (1 - (1 + sympy.erf(y / sympy.sqrt(2))) / 2)]
    xs, ys = np.array([5.0, 20.0, 27.0, 30.5, 45.0]), np.array([5.5, 19.0, 27.25, 31.0, 44.0])
    with mpmath.workdps(60):
        want = [[mpmath.erfc(mpmath.mpf(a)) / mpmath.erfc(mpmath.mpf(b)) for a, b in zip(xs, ys)],
                [mp_ndtr(-mpmath.mpf(a)) / mp_ndtr(-mpmath.mpf(b)) for a, b in zip(xs, ys)]]
    f, typed = sg.compile([x, y], exprs), sg.compile([x, y], exprs, rewrite=False)
    with np.errstate(all="ignore"):
        for got, naive, w in zip(f(xs, ys), typed(xs, ys), want):
            assert max(bits_of_error(got, w)) <= 2.5
            assert max(bits_of_error(naive, w)) > 20
