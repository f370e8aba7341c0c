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

FAMILY_PACKAGES = ("tool", "loss_labels", "output_head", "validation", "input_scaling", "shapes", "optimization",
                   "custom_loops", "dry_run")


def rule_modules() -> list[str]:
    """The dotted names of the modules of every family package (rule modules and their shared helpers)."""
    here = Path(__file__).resolve().parent
    names = []
    for family in FAMILY_PACKAGES:
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


def get_rule(code: str) -> type[Rule] | None:
    """The rule with this exact code (case-insensitive), or None."""
    code = code.strip().upper()
    for rule in all_rules():
        if rule.code == code:
            return rule
    return None


__all__ = ["Report", "Rule", "all_rules", "get_rule"]
