"""The facts layer: one pass over a module builds the picture of the training script rules read."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tflint_gesture.facts.build import build_facts
    from tflint_gesture.facts.store import Facts


def __getattr__(name: str):
    """`Facts` and `build_facts` on first use: `facts.modules` (the cache's import checks, the
    pre-screen) is imported without libcst and the interpreter."""
    if name == "Facts":
        from tflint_gesture.facts.store import Facts

        return Facts
    if name == "build_facts":
        from tflint_gesture.facts.build import build_facts

        return build_facts
    raise AttributeError(name)


__all__ = ["Facts", "build_facts"]
