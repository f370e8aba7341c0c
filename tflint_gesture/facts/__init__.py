"""The facts layer: one pass over a module builds the picture of the training script rules read."""

from __future__ import annotations

from tflint_gesture.facts.store import Facts, build_facts

__all__ = ["Facts", "build_facts"]
