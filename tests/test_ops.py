"""Every supported function against mpmath at high precision, on its own domain: float64 within a few
ulp, float32 within a few ulp of the correctly rounded float32 value, complex128 in relative error.

To keep Numba compiles few, every function of a table gets its own input symbol and all of them are
compiled as ONE tuple-output function (one kernel per dtype), fed with each function's own samples.
Compiled with rewrite=False: these tests check each op's own emission (the rewrite pipeline has its
own accuracy tests). The references are written here with mpmath (independent of the facts in symgraph/ops.py); a separate
test checks those facts against SymPy's own evaluation.
"""
import math

import mpmath
import numpy as np
import pytest
import sympy
from sympy.codegen import cfunctions, numpy_nodes

import symgraph as sg
from symgraph import ops
from symgraph.lower import lower

PREC = 128  # bits: 75 beyond float64, so that the reference's own error is negligible
RNG = np.random.default_rng(20240611)


def _uniform(lo, hi, n=100):
    return RNG.uniform(lo, hi, n)


def _log_uniform(lo, hi, n=100):
    return np.exp(RNG.uniform(math.log(lo), math.log(hi), n))


def _signed_log_uniform(lo, hi, n=100):
    v = _log_uniform(lo, hi, n)
    return v * RNG.choice([-1.0, 1.0], n)


def _domain(*parts):
    return np.concatenate([np.asarray(p, dtype=np.float64) for p in parts])


def _mp_heaviside(v):
    return mpmath.mpf(0.5) if v == 0 else mpmath.mpf(v > 0)


# name, SymPy expression of the symbols (x, [y]), mpmath reference, sample arrays (one per symbol),
# ulp bound for float64, ulp bound for float32. Bounds: one libm call is within 1 ulp (glibc); a
# function built from two correctly rounded steps (cot = 1/tan, log(x)/log(y)) within 2-3; gamma and
# lgamma, which glibc documents at up to a few ulp, within 6.
UNARY = [
    ("exp", sympy.exp, mpmath.exp, _domain(_uniform(-700, 700), _uniform(-1, 1), [0.0]), 1, 1),
    ("log", sympy.log, mpmath.log, _domain(_log_uniform(1e-300, 1e300), _uniform(0.5, 2)), 1, 1),
    ("sqrt", sympy.sqrt, mpmath.sqrt, _domain(_log_uniform(1e-300, 1e300), [0.0, 1.0, 4.0]), 0.5, 0.5),
    ("cbrt", cfunctions.Cbrt, lambda v: mpmath.cbrt(v) if v >= 0 else -mpmath.cbrt(-v),
     _domain(_signed_log_uniform(1e-300, 1e300), [0.0, 8.0, -27.0]), 1, 1),
    ("sin", sympy.sin, mpmath.sin, _domain(_uniform(-100, 100), _signed_log_uniform(1e-8, 1e6)), 1, 1),
    ("cos", sympy.cos, mpmath.cos, _domain(_uniform(-100, 100), _signed_log_uniform(1e-8, 1e6)), 1, 1),
    ("tan", sympy.tan, mpmath.tan, _domain(_uniform(-100, 100), _signed_log_uniform(1e-8, 1e6)), 1, 1),
    ("cot", sympy.cot, mpmath.cot, _domain(_uniform(-100, 100), _signed_log_uniform(1e-8, 1e6)), 2, 2),
    ("sec", sympy.sec, mpmath.sec, _domain(_uniform(-100, 100), _signed_log_uniform(1e-8, 1e6)), 2, 2),
    ("csc", sympy.csc, mpmath.csc, _domain(_uniform(-100, 100), _signed_log_uniform(1e-8, 1e6)), 2, 2),
    ("asin", sympy.asin, mpmath.asin, _domain(_uniform(-1, 1), _signed_log_uniform(1e-10, 1), [1.0, -1.0]), 1, 1),
    ("acos", sympy.acos, mpmath.acos, _domain(_uniform(-1, 1), _signed_log_uniform(1e-10, 1), [1.0, -1.0]), 1, 1),
    ("atan", sympy.atan, mpmath.atan, _domain(_uniform(-10, 10), _signed_log_uniform(1e-10, 1e100)), 1, 1),
    ("sinh", sympy.sinh, mpmath.sinh, _domain(_uniform(-700, 700), _signed_log_uniform(1e-10, 1)), 2, 2),
    ("cosh", sympy.cosh, mpmath.cosh, _domain(_uniform(-700, 700), _signed_log_uniform(1e-10, 1)), 2, 2),
    ("tanh", sympy.tanh, mpmath.tanh, _domain(_uniform(-20, 20), _signed_log_uniform(1e-10, 1)), 2, 2),
    ("asinh", sympy.asinh, mpmath.asinh, _domain(_signed_log_uniform(1e-10, 1e300)), 2, 2),
    ("acosh", sympy.acosh, mpmath.acosh, _domain(1 + _log_uniform(1e-12, 1e300), [1.0]), 2, 2),
    ("atanh", sympy.atanh, mpmath.atanh, _domain(_uniform(-1, 1), _signed_log_uniform(1e-10, 1)), 2, 2),
    ("abs", sympy.Abs, mpmath.fabs, _domain(_uniform(-10, 10), [0.0, -0.0]), 0, 0),
    ("sign", sympy.sign, mpmath.sign, _domain(_uniform(-10, 10), [0.0, 1e-300, -1e-300]), 0, 0),
    ("floor", sympy.floor, mpmath.floor, _domain(_uniform(-100, 100), [0.0, -1.0, 2.5, -2.5]), 0, 0),
    ("ceiling", sympy.ceiling, mpmath.ceil, _domain(_uniform(-100, 100), [0.0, -1.0, 2.5, -2.5]), 0, 0),
    ("erf", sympy.erf, mpmath.erf, _domain(_uniform(-6, 6), _signed_log_uniform(1e-10, 1)), 1, 1),
    ("erfc", sympy.erfc, mpmath.erfc, _domain(_uniform(-6, 26), _log_uniform(1e-10, 1)), 2, 2),
    ("gamma", sympy.gamma, mpmath.gamma, _domain(_uniform(0.01, 170), _uniform(-20.5, -0.5), [0.5, 1, 5]), 6, 4),
    ("loggamma", sympy.loggamma, mpmath.loggamma,
     _domain(_uniform(2.5, 1000), _log_uniform(1e-10, 0.5), [3.0, 10.0]), 6, 4),
    ("heaviside", sympy.Heaviside, _mp_heaviside, _domain(_uniform(-10, 10), [0.0, -0.0]), 0, 0),
    ("re", sympy.re, lambda v: v, _uniform(-10, 10), 0, 0),
    ("im", sympy.im, lambda v: mpmath.mpf(0), _uniform(-10, 10), 0, 0),
    ("conjugate", sympy.conjugate, lambda v: v, _uniform(-10, 10), 0, 0),
    ("arg", sympy.arg, lambda v: mpmath.mpf(0) if v >= 0 else +mpmath.pi, _domain(_uniform(-10, 10), [0.0]), 0.5, 0.5),
    ("log1p", cfunctions.log1p, mpmath.log1p, _domain(_signed_log_uniform(1e-20, 0.99), _log_uniform(1, 1e300)), 1, 1),
    ("expm1", cfunctions.expm1, mpmath.expm1, _domain(_signed_log_uniform(1e-20, 700)), 1, 1),
    ("exp2", cfunctions.exp2, lambda v: mpmath.power(2, v), _domain(_uniform(-1000, 1000), [0.0, 0.5, 3.0]), 1, 1),
    ("log2", cfunctions.log2, lambda v: mpmath.log(v, 2), _domain(_log_uniform(1e-300, 1e300), [1.0, 8.0]), 1, 1),
    ("log10", cfunctions.log10, mpmath.log10, _domain(_log_uniform(1e-300, 1e300), [1.0, 1000.0]), 1, 1),
    ("square", lambda v: v**2, lambda v: v * v, _uniform(-1e10, 1e10), 0.5, 0.5),
    ("cube", lambda v: v**3, lambda v: v**3, _uniform(-1e10, 1e10), 1, 1),
    ("pow7", lambda v: v**7, lambda v: v**7, _uniform(-100, 100), 2, 2),
    ("reciprocal cube", lambda v: v**-3, lambda v: v**-3, _signed_log_uniform(1e-3, 1e3), 2, 2),
    ("rational power", lambda v: v**sympy.Rational(3, 2), lambda v: v**mpmath.mpf(1.5),
     _log_uniform(1e-100, 1e100), 1, 1),
    ("principal cube root", sympy.cbrt, mpmath.cbrt, _log_uniform(1e-300, 1e300), 1, 1),
    ("root 5", lambda v: sympy.root(v, 5), lambda v: mpmath.root(v, 5), _log_uniform(1e-300, 1e300), 1, 1),
    ("reciprocal sqrt", lambda v: 1 / sympy.sqrt(v), lambda v: 1 / mpmath.sqrt(v), _log_uniform(1e-300, 1e300), 1, 1),
]

BINARY = [
    ("atan2", sympy.atan2, mpmath.atan2, (_uniform(-10, 10), _uniform(-10, 10)), 1, 1),
    ("hypot", cfunctions.hypot, mpmath.hypot, (_signed_log_uniform(1e-10, 1e10), _signed_log_uniform(1e-10, 1e10)), 1, 1),
    ("logaddexp", numpy_nodes.logaddexp, lambda a, b: mpmath.log(mpmath.exp(a) + mpmath.exp(b)),
     (_uniform(-800, 800), _uniform(-800, 800)), 2, 2),
    ("logaddexp near", numpy_nodes.logaddexp, lambda a, b: mpmath.log(mpmath.exp(a) + mpmath.exp(b)),
     (_uniform(-5, 5), _uniform(-5, 5)), 2, 4),  # float32: m + log1p(exp(-|a-b|)), three float32 roundings
    ("mod", sympy.Mod, lambda a, b: a - b * mpmath.floor(a / b), (_uniform(-100, 100), _signed_log_uniform(0.1, 10)), 0.5, 0.5),
    ("max", sympy.Max, max, (_uniform(-5, 5), _uniform(-5, 5)), 0, 0),
    ("min", sympy.Min, min, (_uniform(-5, 5), _uniform(-5, 5)), 0, 0),
    ("pow", lambda a, b: a**b, mpmath.power, (_log_uniform(1e-3, 1e3), _uniform(-30, 30)), 1, 1),
    ("log base", lambda a, b: sympy.log(a, b), lambda a, b: mpmath.log(a) / mpmath.log(b),
     (_log_uniform(1e-100, 1e100), _domain(_log_uniform(1e-100, 0.5, 50), _log_uniform(2, 1e100, 50))), 3, 3),
    ("heaviside h0", sympy.Heaviside, lambda a, b: b if a == 0 else mpmath.mpf(a > 0),
     (_domain(_uniform(-1, 1, 90), np.zeros(10)), _uniform(-1, 1)), 0, 0),
]


def _build(table, arity):
    symbols, exprs, samples = [], [], []
    for k, (name, fn, _, sample, _, _) in enumerate(table):
        args = sympy.symbols(f"a{k}_0:{arity}")
        symbols.extend(args)
        exprs.append(fn(*args))
        samples.extend([sample] if arity == 1 else list(sample))
    return symbols, exprs, samples


def _pad(arrays):
    # every input of the one kernel has the same length: repeat each sample array cyclically
    n = max(len(a) for a in arrays)
    return [np.resize(a, n) for a in arrays], n


@pytest.fixture(scope="module")
def unary():
    symbols, exprs, samples = _build(UNARY, 1)
    return sg.compile(symbols, exprs, rewrite=False), _pad(samples)[0]


@pytest.fixture(scope="module")
def binary():
    symbols, exprs, samples = _build(BINARY, 2)
    return sg.compile(symbols, exprs, rewrite=False), _pad(samples)[0]


def _reference(fn, args, dtype):
    with mpmath.workprec(PREC):
        value = fn(*[mpmath.mpf(float(a)) for a in args])
        value = mpmath.mpf(value) if not isinstance(value, mpmath.mpf) else value
    if mpmath.isnan(value):
        return math.nan
    if dtype == np.float64:
        return float(value) if abs(value) < 2 ** 1024 else math.copysign(math.inf, value)
    with mpmath.workprec(24):  # correctly rounded to float32's 24-bit significand
        rounded = +value
    return float(np.float32(float(rounded))) if abs(rounded) < 2 ** 128 else math.copysign(math.inf, value)


def ulp_errors(got, inputs, fn, dtype):
    """|got - reference| in units of the reference's last place (dtype), per point; nan for a mismatch
    in nan/inf-ness (counted as an infinite error)."""
    errors = np.empty(len(got))
    for i, g in enumerate(got):
        ref = _reference(fn, [a[i] for a in inputs], dtype)
        g = float(g)
        if math.isnan(ref) or math.isinf(ref) or math.isnan(g) or math.isinf(g):
            errors[i] = 0.0 if (g == ref or (math.isnan(g) and math.isnan(ref))) else math.inf
            continue
        if ref == 0:
            tiny = np.finfo(dtype).smallest_subnormal
            errors[i] = abs(g) / tiny
            continue
        errors[i] = abs(g - ref) / float(np.spacing(dtype(abs(ref))))
    return errors


def _in_range(samples, dtype):
    """The samples as `dtype`, magnitudes clipped into its normal range (float32 cannot hold 1e-300,
    and a sample flushed to 0 or inf would test the cast, not the function)."""
    info = np.finfo(dtype)
    magnitude = np.clip(np.abs(samples), float(info.tiny), float(info.max))
    clipped = np.where(samples == 0, samples, np.copysign(magnitude, samples))
    return clipped.astype(dtype)


def _check_table(table, compiled, arity, dtype):
    f, samples = compiled
    inputs = [_in_range(s, dtype) for s in samples]
    results = f(*inputs)
    failures = []
    for k, (name, _, fn, _, bound64, bound32) in enumerate(table):
        got = results[k]
        assert got.dtype == dtype, name
        args = inputs[k * arity:(k + 1) * arity]
        bound = bound64 if dtype == np.float64 else bound32
        worst = np.max(ulp_errors(got, args, fn, dtype))
        if not worst <= bound:
            failures.append(f"{name}: {worst:.3g} ulp > {bound}")
    assert not failures, failures


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_unary_functions_against_mpmath(unary, dtype):
    _check_table(UNARY, unary, 1, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_binary_functions_against_mpmath(binary, dtype):
    _check_table(BINARY, binary, 2, dtype)


# ------------------------------------------------------------------ complex128
def _complex_box(re_lo, re_hi, im_lo, im_hi, n=60):
    return RNG.uniform(re_lo, re_hi, n) + 1j * RNG.uniform(im_lo, im_hi, n)


BOX = _complex_box(-4, 4, -4, 4)
WIDE = np.concatenate([_complex_box(-4, 4, -4, 4), _complex_box(-1e3, 1e3, -1e3, 1e3, 20),
                       _complex_box(-1e-3, 1e-3, -1e-3, 1e-3, 20)])

# name, SymPy expression, mpmath reference, samples, bound in eps (2**-52) of |reference|
COMPLEX = [
    ("exp", sympy.exp, mpmath.exp, BOX, 4),
    ("log", sympy.log, mpmath.log, WIDE, 4),
    ("sqrt", sympy.sqrt, mpmath.sqrt, WIDE, 4),
    ("sin", sympy.sin, mpmath.sin, BOX, 4),
    ("cos", sympy.cos, mpmath.cos, BOX, 4),
    ("tan", sympy.tan, mpmath.tan, BOX, 8),
    ("cot", sympy.cot, mpmath.cot, BOX, 8),
    ("sec", sympy.sec, mpmath.sec, BOX, 8),
    ("csc", sympy.csc, mpmath.csc, BOX, 8),
    ("asin", sympy.asin, mpmath.asin, WIDE, 8),
    ("acos", sympy.acos, mpmath.acos, WIDE, 8),
    ("atan", sympy.atan, mpmath.atan, WIDE, 8),
    ("sinh", sympy.sinh, mpmath.sinh, BOX, 4),
    ("cosh", sympy.cosh, mpmath.cosh, BOX, 4),
    ("tanh", sympy.tanh, mpmath.tanh, BOX, 8),
    ("asinh", sympy.asinh, mpmath.asinh, WIDE, 8),
    ("acosh", sympy.acosh, mpmath.acosh, WIDE, 8),
    ("atanh", sympy.atanh, mpmath.atanh, WIDE, 8),
    ("log10", cfunctions.log10, mpmath.log10, WIDE, 4),
    ("log2", cfunctions.log2, lambda z: mpmath.log(z, 2), WIDE, 4),
    ("exp2", cfunctions.exp2, lambda z: mpmath.power(2, z), BOX, 8),
    ("abs", sympy.Abs, mpmath.fabs, WIDE, 2),
    ("sign", sympy.sign, lambda z: z / abs(z), WIDE, 4),
    ("re", sympy.re, mpmath.re, BOX, 0),
    ("im", sympy.im, mpmath.im, BOX, 0),
    ("conjugate", sympy.conjugate, mpmath.conj, BOX, 0),
    ("arg", sympy.arg, mpmath.arg, WIDE, 2),
    ("square", lambda z: z**2, lambda z: z * z, WIDE, 4),
    ("cube", lambda z: z**3, lambda z: z**3, BOX, 8),
    ("reciprocal", lambda z: 1 / z, lambda z: 1 / z, WIDE, 4),
    ("principal cube root", sympy.cbrt, lambda z: mpmath.power(z, mpmath.mpf(1) / 3), WIDE, 8),
    ("times I plus one", lambda z: sympy.I * z + 1, lambda z: 1j * z + 1, BOX, 4),
]


@pytest.fixture(scope="module")
def complex_table():
    symbols = sympy.symbols(f"c0:{len(COMPLEX)}")
    f = sg.compile(symbols, [fn(s) for s, (_, fn, _, _, _) in zip(symbols, COMPLEX)], rewrite=False)
    return f, _pad([samples for _, _, _, samples, _ in COMPLEX])[0]


def test_complex_functions_against_mpmath(complex_table):
    f, samples = complex_table
    results = f(*samples)
    eps = 2.0 ** -52
    failures = []
    for (name, _, fn, _, bound), z, got in zip(COMPLEX, samples, results):
        worst = 0.0
        for zi, gi in zip(z, got):
            with mpmath.workprec(PREC):
                ref = mpmath.mpc(fn(mpmath.mpc(zi.real, zi.imag)))
            error = abs(mpmath.mpc(complex(gi)) - ref) / abs(ref) if ref != 0 else abs(complex(gi))
            worst = max(worst, float(error) / eps)
        if not worst <= max(bound, 0.5):  # bound 0: exact up to the final rounding
            failures.append(f"{name}: {worst:.3g} eps > {bound}")
    assert not failures, failures


# ------------------------------------------------------------------ special values, as NumPy gives them
SPECIALS = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5])  # arg, gamma: by index
NUMPY_COUNTERPART = {
    "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "cbrt": np.cbrt, "sin": np.sin, "cos": np.cos,
    "tan": np.tan, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh,
    "cosh": np.cosh, "tanh": np.tanh, "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh,
    "abs": np.abs, "sign": np.sign, "floor": np.floor, "ceiling": np.ceil, "log1p": np.log1p,
    "expm1": np.expm1, "exp2": np.exp2, "log2": np.log2, "log10": np.log10, "square": np.square,
    "cube": lambda v: v**3, "pow7": lambda v: v**7, "reciprocal cube": lambda v: 1 / v**3,
    "rational power": lambda v: v**1.5, "principal cube root": lambda v: v**(1 / 3),
    "root 5": lambda v: v**0.2, "reciprocal sqrt": lambda v: 1 / np.sqrt(v),
    "heaviside": lambda v: np.heaviside(v, 0.5), "re": np.real, "im": np.imag, "conjugate": np.conjugate,
    "cot": lambda v: 1 / np.tan(v), "sec": lambda v: 1 / np.cos(v), "csc": lambda v: 1 / np.sin(v),
    "arg": lambda v: np.where(np.isnan(v), np.nan, np.angle(v)),
    "erf": np.vectorize(math.erf), "erfc": np.vectorize(math.erfc),
    "gamma": lambda v: np.array([np.nan, np.inf, np.nan, np.inf, -np.inf, 1.0, np.nan, 1.0, np.nan,
                                 float(mpmath.gamma(0.5))]),
    "loggamma": lambda v: np.array([np.nan, np.inf, np.inf, np.inf, np.inf, 0.0, np.inf, 0.0, np.inf,
                                    float(mpmath.loggamma(0.5))]),
}


def test_special_values_follow_numpy(unary):
    f, _ = unary
    assert set(NUMPY_COUNTERPART) == {name for name, *_ in UNARY}
    results = f(*[SPECIALS] * len(UNARY))
    with np.errstate(all="ignore"):
        for (name, *_), got in zip(UNARY, results):
            if name == "arg":  # -0.0 has arg pi in NumPy (atan2(0, -0)); SymPy's arg of a real zero is 0
                got, expected = got[[0, 1, 2, 3, 5, 6]], NUMPY_COUNTERPART[name](SPECIALS)[[0, 1, 2, 3, 5, 6]]
            else:
                expected = NUMPY_COUNTERPART[name](SPECIALS)
            # specials exactly (nan where NumPy has nan, the same infinities); finite values to 1 ulp
            np.testing.assert_allclose(got, expected, rtol=2.3e-16, atol=0, err_msg=name)


def test_nan_propagates_through_every_binary_function(binary):
    f, _ = binary
    nan = np.full(3, np.nan)
    one = np.full(3, 2.0)  # not 1.0: pow(1, nan) is 1 in IEEE arithmetic
    results = f(*[nan, one] * len(BINARY))
    for (name, *_), got in zip(BINARY, results):
        assert np.isnan(got).all(), name
    results = f(*[one, nan] * len(BINARY))
    for (name, *_), got in zip(BINARY, results):
        if name != "heaviside h0":  # heaviside(1, nan) is 1: h0 only matters at 0
            assert np.isnan(got).all(), name


# ------------------------------------------------------------------ polygamma of any order
POLYGAMMA_ORDERS = (1, 2, 3, 6, 15)
POLYGAMMA_POINTS = _domain(_log_uniform(1e-3, 1e6, 150), _uniform(-30, 0, 150), [0.5, 1.0, 10.0, -2.5])


@pytest.fixture(scope="module")
def polygammas():
    t = sympy.Symbol("t")
    return sg.compile([t], [sympy.polygamma(m, t) for m in POLYGAMMA_ORDERS])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_polygamma_of_each_order_against_mpmath(polygammas, dtype):
    # psi^(m) has zeros on the negative axis for even m, where a relative (ulp) error means nothing: the
    # bound is the function's own sensitivity, |psi^(m)(x)| + |x psi^(m+1)(x)|, times a few eps (float32
    # computes in float64, so its error is the final rounding)
    points = POLYGAMMA_POINTS.astype(dtype)
    results = polygammas(points)
    eps, units = (2.0 ** -53, 4) if dtype == np.float64 else (2.0 ** -24, 1)
    for m, got in zip(POLYGAMMA_ORDERS, results):
        assert got.dtype == dtype
        for point, value in zip(points, got):
            with mpmath.workdps(60):
                ref = mpmath.psi(m, mpmath.mpf(float(point)))
                scale = abs(ref) + abs(point * mpmath.psi(m + 1, mpmath.mpf(float(point))))
            limit = float(np.finfo(dtype).max)
            if abs(ref) > limit:
                assert np.isinf(value) and np.sign(value) == mpmath.sign(ref), (m, point, value)
                continue
            underflow = float(np.finfo(dtype).smallest_subnormal)  # values below it round to 0 or to it
            assert abs(float(value) - ref) <= units * eps * scale + underflow, (m, point, value, ref)


def test_polygamma_at_poles_infinities_and_nan(polygammas):
    got = polygammas(np.array([0.0, -3.0, np.inf, np.nan, -np.inf]))
    for m, values in zip(POLYGAMMA_ORDERS, got):
        pole = np.inf if m % 2 else np.nan  # odd orders are +inf on both sides of a pole
        np.testing.assert_array_equal(values, [pole, pole, 0.0, np.nan, np.nan])


# ------------------------------------------------------------------ the ops' own facts
def _core_ops():
    """The ops defined in symgraph/ops.py (other modules' ops are tested beside them)."""
    return [op for op in vars(ops).values() if isinstance(op, type(ops.SIN)) and op.arity != 0
            and op.to_sympy.__module__ == ops.__name__]


POINTS = [0.3, 0.7, 1.6, 2.5, -0.45]


@pytest.mark.parametrize("op", _core_ops(), ids=lambda op: op.name)
def test_op_mpmath_fact_agrees_with_sympy_evaluation(op):
    assert op.mpmath is not None, op.name
    if op.name in {"and", "or", "not", "xor", "select"}:
        return  # boolean arguments: checked by the compile tests
    arity = op.arity or 3
    checked = 0
    for k in range(len(POINTS)):
        args = [POINTS[(k + j) % len(POINTS)] for j in range(arity)]
        exact = op.to_sympy(*[sympy.Float(a, 60) for a in args])
        value = exact.evalf(50) if isinstance(exact, sympy.Expr) else exact
        if value in (sympy.true, sympy.false):
            assert bool(op.mpmath(*[mpmath.mpf(a) for a in args])) == bool(value), (op.name, args)
            checked += 1
            continue
        if not (value.is_number and value.is_extended_real and value.is_finite):
            continue  # outside the real domain (e.g. acosh(0.3))
        with mpmath.workprec(160):
            got = op.mpmath(*[mpmath.mpf(a) for a in args])
            assert abs(got - mpmath.mpf(str(value))) <= 1e-40 * max(1, abs(got)), (op.name, args, got, value)
        checked += 1
    assert checked >= 2, op.name


@pytest.mark.parametrize("op", _core_ops(), ids=lambda op: op.name)
def test_every_op_has_its_facts_and_lowers_back_from_sympy(op):
    assert op.emit is not None or op.emit_complex is not None, op.name
    assert callable(op.to_sympy)
    if op.name in {"select", "cbrt"}:
        # select comes back as a Piecewise, cbrt as real_root's Piecewise
        return
    arity = op.arity or 3
    symbols = sympy.symbols(f"p0:{arity}")
    if op.name in {"and", "or", "not", "xor"}:
        symbols = [s > 0 for s in symbols]
    expr = op.to_sympy(*symbols)
    node = lower(expr).outputs[0]
    if op.name == "plus_zero":  # x + 0 is x to SymPy: it comes back as its argument
        assert node.op.name == "symbol" and node.attr == symbols[0]
        return
    inverse = {"sub": "add", "div": "mul", "not": "le"}  # Not(p > 0) is SymPy's p <= 0  # a - b and a / b are SymPy Add/Mul, printed back as sub/div
    assert node.op.name in {op.name, inverse.get(op.name), "sub", "div", "neg"}, (op.name, node.op.name)


def test_erfc_reference_holds_past_mpmaths_range():
    # mpmath.erfc raises OverflowError from ~1e150 on; the reference's erfc is its asymptotic series there,
    # equal to mpmath's where both run (1e140) and a number beyond (the exact values of erf(y) - erf(x) as
    # rewritten to erfc's, at y = 1e300)
    import mpmath
    with mpmath.workdps(40):
        for v in (1.5e100, 1e140):
            a, b = ops.ERFC.mpmath(mpmath.mpf(v)), mpmath.erfc(mpmath.mpf(v))
            assert abs(a - b) <= abs(b) * mpmath.mpf(10) ** -35
        for v in (1e160, 1e300):
            assert 0 < ops.ERFC.mpmath(mpmath.mpf(v)) < mpmath.mpf(10) ** -300
            assert ops.ERFC.mpmath(mpmath.mpf(-v)) == 2 - ops.ERFC.mpmath(mpmath.mpf(v))
