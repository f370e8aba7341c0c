"""The rule registry: every `Rule` subclass of the family packages, ordered by code.

A rule is one module of a family package (`rules/loss_labels/tfg101_sparse_loss_with_one_hot_labels.py`);
the registry imports every module of those packages, so adding a rule edits no list.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from pathlib import Path

from tflint_gesture.rules.base import Report, Rule

# Family package -> the family its rules declare (`Rule.family`, shown by `--list-rules` and the pages).
FAMILIES = {
    "tool": "tool",
    "loss_labels": "loss vs labels",
    "output_head": "output head",
    "validation": "validation",
    "input_scaling": "input scaling",
    "shapes": "shapes",
    "optimization": "optimization",
    "custom_loops": "custom training loops",
    "dry_run": "dry run",
}


def rule_modules() -> list[str]:
    """The dotted names of the modules of every family package (rule modules and their shared helpers)."""
    here = Path(__file__).resolve().parent
    names = []
    for family in FAMILIES:
        for info in pkgutil.iter_modules([str(here / family)]):
            names.append(f"{__name__}.{family}.{info.name}")
    return sorted(names)


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    """Every concrete rule class, sorted by code."""
    found: dict[str, type[Rule]] = {}
    for dotted in rule_modules():
        module = importlib.import_module(dotted)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value.__module__ == module.__name__:
                if getattr(value, "code", None):
                    found[value.code] = value
    return tuple(found[code] for code in sorted(found))


def rule_class(code: str) -> type[Rule] | None:
    """The rule class with this exact code (case-insensitive), or None. For its metadata alone (name,
    severity, summary) read `tflint_gesture.codes.get_rule`, which imports no rule."""
    code = code.strip().upper()
    for rule in all_rules():
        if rule.code == code:
            return rule
    return None


__all__ = ["FAMILIES", "Report", "Rule", "all_rules", "rule_class", "rule_modules"]
