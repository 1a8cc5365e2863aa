"""Rule sets as data. Every module in this package exports `RULES: list[Rule]`; `all_rules()` collects
them all (modules are discovered, so a rule set is added by adding a file)."""
from __future__ import annotations

import importlib
import pkgutil


def rule_modules() -> list:
    """The rule modules of this package, in name order (import errors are not hidden)."""
    modules = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        modules.append(importlib.import_module(f"{__name__}.{info.name}"))
    return modules


def all_rules() -> list:
    """Every rule of every module; rule names must be unique."""
    rules, seen = [], {}
    for module in rule_modules():
        for rule in getattr(module, "RULES", ()):
            if rule.name in seen:
                raise ValueError(f"rule name {rule.name!r} is defined in both {seen[rule.name]} and {module.__name__}")
            seen[rule.name] = module.__name__
            rules.append(rule)
    return rules
