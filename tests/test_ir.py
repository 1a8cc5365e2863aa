"""The graph: interning (structural equality is identity), immutability, traversal, to_sympy, repr."""
import pytest
import sympy

import symgraph as sg
from symgraph import ops
from symgraph.ir import Graph, Node, const, symbol, topological

x, y, z = sympy.symbols("x y z")


def test_structurally_equal_nodes_are_one_object():
    a = ops.SIN(symbol(x)) + ops.COS(symbol(y))
    b = ops.SIN(symbol(x)) + ops.COS(symbol(y))
    assert a is b
    assert ops.SIN(symbol(x)) is not ops.SIN(symbol(y))


def test_commutative_ops_ignore_argument_order_but_others_do_not():
    assert ops.ADD(symbol(x), symbol(y)) is ops.ADD(symbol(y), symbol(x))
    assert ops.MUL(symbol(x), const(2)) is ops.MUL(const(2), symbol(x))
    assert ops.SUB(symbol(x), symbol(y)) is not ops.SUB(symbol(y), symbol(x))
    assert ops.POW(symbol(x), symbol(y)) is not ops.POW(symbol(y), symbol(x))


def test_constants_are_interned_by_exact_value_and_type():
    assert const(2) is const(sympy.Integer(2))
    assert const(sympy.Rational(1, 3)) is const(sympy.Rational(2, 6))
    assert const(2) is not const(2.0)  # Integer 2 and Float 2.0 are different SymPy numbers
    assert const(sympy.pi) is not const(sympy.E)


def test_symbols_with_same_name_but_different_assumptions_are_distinct():
    plain, positive = sympy.Symbol("a"), sympy.Symbol("a", positive=True)
    assert symbol(plain) is not symbol(positive)
    assert symbol(plain) is symbol(sympy.Symbol("a"))


def test_lowering_shares_common_subexpressions():
    shared = sympy.exp(x * y)
    graph = sg.lower([sympy.sin(shared) + shared, sympy.cos(shared)])
    # x, y, mul, exp, sin, add, cos: the exp(x*y) subtree appears once
    assert len(graph) == 7
    assert sum(1 for n in graph.nodes if n.op is ops.EXP) == 1
    assert len(graph.nodes) == len({id(n) for n in graph.nodes})


def test_len_counts_distinct_nodes():
    graph = sg.lower(sympy.sin(x) * sympy.sin(x) + sympy.sin(x))  # sin(x)**2 + sin(x)
    assert len(graph) == len({n.key for n in graph.nodes})
    assert sorted(n.op.name for n in graph.nodes) == ["add", "const", "pow", "sin", "symbol"]


def test_nodes_are_immutable():
    node = ops.EXP(symbol(x))
    with pytest.raises(AttributeError):
        node.op = ops.LOG
    with pytest.raises(AttributeError):
        node.args = ()
    with pytest.raises(AttributeError):
        node.anything = 1


def test_op_checks_its_arity():
    with pytest.raises(TypeError):
        ops.SIN(symbol(x), symbol(y))


def test_node_arithmetic_builds_the_matching_ops():
    a, b = symbol(x), symbol(y)
    assert (a + b).op is ops.ADD and (a - b).op is ops.SUB and (a * b).op is ops.MUL
    assert (a / b).op is ops.DIV and (a ** b).op is ops.POW and (-a).op is ops.NEG
    assert (2 - a).args == (const(2), a)
    assert (1 / a).args == (const(1), a)


def test_topological_order_puts_arguments_first_and_is_iterative():
    chain = symbol(x)
    for _ in range(50_000):  # far beyond Python's recursion limit
        chain = ops.SIN(chain)
    order = topological([chain])
    assert len(order) == 50_001
    position = {n.key: i for i, n in enumerate(order)}
    assert all(position[a.key] < position[n.key] for n in order for a in n.args)


@pytest.mark.parametrize("expr", [
    sympy.exp(-x**2) * sympy.sin(y) + sympy.log(1 + x**2),
    x - 2 * y / (3 + z) - sympy.Rational(1, 7),
    sympy.sqrt(x) / sympy.sqrt(y + 1) + x**sympy.Rational(3, 2) + x**-3 + x**y,
    sympy.Piecewise((x, x > 0), (y, sympy.And(x < -1, sympy.Not(y > 0))), (0, True)),
    sympy.Max(x, y, z) + sympy.Min(x, 2) + sympy.Abs(x - y) + sympy.sign(z),
    sympy.atan2(y, x) + sympy.Mod(x, y) + sympy.floor(x) + sympy.ceiling(y) + sympy.Heaviside(x),
    sympy.I * x + sympy.re(y) + sympy.im(z) + sympy.conjugate(x) + sympy.arg(y),
    sympy.pi * x + sympy.E + sympy.EulerGamma * y + sympy.Float("0.125") * z,
])
def test_to_sympy_returns_an_expression_equal_to_the_input(expr):
    back = sg.lower(expr).to_sympy()
    assert sympy.simplify(back - expr) == 0 or back.equals(expr)


def test_to_sympy_keeps_the_output_form():
    assert sg.lower([x + 1, sympy.sin(y)]).to_sympy() == [x + 1, sympy.sin(y)]
    matrix = sympy.Matrix([[x, y], [x * y, 1]])
    back = sg.lower(matrix).to_sympy()
    assert isinstance(back, sympy.MatrixBase) and back.shape == (2, 2)
    assert (back - matrix).applyfunc(sympy.simplify) == sympy.zeros(2, 2)


def test_to_sympy_of_relations_and_booleans():
    expr = sympy.And(x < y, sympy.Or(sympy.Eq(x, 1), sympy.Ne(y, 2)), sympy.Not(x >= z))
    assert sg.lower(expr).to_sympy() == expr


def test_repr_is_readable_and_names_the_inputs():
    graph = sg.lower(sympy.exp(-x**2) * sympy.sin(y))
    text = repr(graph)
    assert text.startswith(f"Graph({len(graph)} nodes, 1 output, inputs [x, y])")
    assert "exp(" in text and "sin(" in text and "symbol x" in text and "return %" in text
    assert len(text.splitlines()) == len(graph) + 2  # header, one line per node, return


def test_repr_of_a_large_graph_is_truncated():
    graph = sg.lower(sum(sympy.sin(i * x) for i in range(1, 200)))
    text = repr(graph)
    assert "more nodes" in text and len(text.splitlines()) < 50


def test_graph_inputs_are_sorted_symbols():
    assert sg.lower(z * sympy.sin(x) + y).inputs == [x, y, z]
    assert sg.lower(sympy.Integer(3)).inputs == []


def test_graph_key_depends_on_content_and_form():
    assert Graph([ops.SIN(symbol(x))]).key == Graph([ops.SIN(symbol(x))]).key
    assert Graph([ops.SIN(symbol(x))]).key != Graph([ops.COS(symbol(x))]).key
    assert Graph([symbol(x)], "single").key != Graph([symbol(x)], "tuple").key


def test_node_repr_names_op_and_leaves():
    assert repr(symbol(x)) == "symbol(x)"
    assert repr(const(3)) == "const(3)"
    assert repr(ops.SIN(symbol(x))).startswith("sin(#")


def test_make_returns_the_interned_node():
    node = Node.make(ops.SIN, (symbol(x),))
    assert node is ops.SIN(symbol(x))
