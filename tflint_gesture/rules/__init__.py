"""The rule registry: every `Rule` subclass of the family modules, ordered by code."""

from __future__ import annotations

from functools import lru_cache

from tflint_gesture.rules import input_scaling, loss_labels, output_head, tool, validation  # noqa: F401
from tflint_gesture.rules import custom_loops  # noqa: F401
from tflint_gesture.rules import optimization  # noqa: F401
from tflint_gesture.rules import capacity, shapes  # noqa: F401
from tflint_gesture.rules import dryrun_codes  # noqa: F401
from tflint_gesture.rules.base import Report, Rule

_FAMILY_MODULES = (tool, loss_labels, output_head, validation, input_scaling, custom_loops, optimization, shapes,
                   capacity, dryrun_codes)


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    """Every concrete rule class, sorted by code."""
    found: dict[str, type[Rule]] = {}
    for module in _FAMILY_MODULES:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule:
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
