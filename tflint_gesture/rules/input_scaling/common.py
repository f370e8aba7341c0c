"""The skeleton TFG401 and TFG402 share: a fit's inputs that nothing scales, neither the pipeline nor the model."""

from __future__ import annotations

from typing import ClassVar, Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import input_scaling
from tflint_gesture.facts.queries import inputs_of
from tflint_gesture.facts.values import Data
from tflint_gesture.rules.base import Report, Rule


class UnscaledInputRule(Rule):
    """A rule judged on each fit whose inputs `x` are known data: when `unscaled` says the data needs
    scaling and the model does not scale it either, a finding on `x` with where the data came from."""

    fix_advice: ClassVar[str]  # the finding's one-line fix

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in facts.fits():
            x = inputs_of(call)
            if not isinstance(x, Data) or not self.unscaled(call, x):
                continue
            verdict, _ = input_scaling(call.model)
            if verdict != "none":
                continue
            origin = x.origin
            yield Report(
                node=call.x_node or call.node,
                message=self.message(facts, call, x),
                evidence=[(origin.node, origin.note)] if origin else [],
                fix=self.fix_advice,
            )

    def unscaled(self, call, x: Data) -> bool:  # pragma: no cover - interface
        """Whether `x`, as the pipeline leaves it, is this rule's problem (the model's own scaling aside)."""
        raise NotImplementedError

    def message(self, facts: Facts, call, x: Data) -> str:  # pragma: no cover - interface
        raise NotImplementedError
