"""The facts layer: one pass over a module builds the picture of the training script rules read."""

from __future__ import annotations

from tflint_gesture.facts.build import build_facts
from tflint_gesture.facts.store import Facts

__all__ = ["Facts", "build_facts"]
