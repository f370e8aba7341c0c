"""Helpers shared by the rules of the validation family."""

from __future__ import annotations

from tflint_gesture.facts.apis import as_data
from tflint_gesture.facts.values import Data, Dataset


def _root(value):
    value = as_data(value)
    if isinstance(value, (Data, Dataset)):
        return value.root
    return None
