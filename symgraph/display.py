"""Human-readable views of a compiled function: `explain()` lists every rewrite with SymPy forms."""
from __future__ import annotations


def _form(node):
    """The node's SymPy form as built, without SymPy's automatic simplification (x*x stays x*x)."""
    import sympy
    try:
        with sympy.evaluate(False):
            return node.to_sympy()
    except Exception:  # some SymPy constructors insist on evaluating
        return node.to_sympy()


def _short(expr, limit: int = 100) -> str:
    text = str(expr)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _rule_info(name: str):
    from .passes import rules
    for r in rules():
        if r.name == name:
            return r
    return None


def explain_trace(trace, limit: int = 200) -> str:
    """One block per firing: phase, rule name (catalogue entry, validity class), before -> after."""
    if not trace:
        return "no rewrites applied"
    lines = [f"{len(trace)} rewrite{'s' if len(trace) != 1 else ''} applied:"]
    for i, firing in enumerate(trace[:limit], 1):
        previous_round = trace[i - 2].round if i > 1 else 1
        if firing.round != previous_round:
            lines.append(f"  round {firing.round} of the pipeline (what a later phase built, an earlier one takes):")
        rule = _rule_info(firing.rule)
        tag = f" [{rule.ref}, {rule.validity.value}]" if rule is not None and rule.ref else \
            (f" [{rule.validity.value}]" if rule is not None else "")
        lines.append(f"{i:3d}. {firing.phase:<14} {firing.rule}{tag}")
        after = _short(_form(firing.after))
        if firing.after.is_const and firing.after.value.is_Number and not firing.after.value.is_Rational:
            after += f" (= {firing.after.value.evalf(17)}, rounded once per dtype)"
        lines.append(f"       {_short(_form(firing.before))}  ->  {after}")
        if rule is not None and rule.doc:
            lines.append(f"       ({rule.doc})")
    if len(trace) > limit:
        lines.append(f"  ... {len(trace) - limit} more")
    return "\n".join(lines)


def explain(compiled) -> str:
    """The rewrites that turned the typed formula into the compiled one, and the final formula."""
    head = []
    original = getattr(compiled, "_original", None)
    if original is not None:
        head.append(f"typed:     {_short(original, 200)}")
    head.append(f"compiled:  {_short(compiled.graph.to_sympy(), 200)}")
    return "\n".join(head) + "\n" + explain_trace(compiled.trace)
