"""TFG305 scaler-fit-on-held-out-data: a rule of the validation family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.apis import as_data
from tflint_gesture.facts.values import Data, Dataset, Seq
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule
from tflint_gesture.rules.validation.common import _root


class ScalerFitOnHeldOutData(Rule):
    """A scaler or normaliser fit on validation or test data."""

    code = "TFG305"
    name = "scaler-fit-on-held-out-data"
    severity = Severity.WARNING
    summary = "a scaler or normaliser fit on validation or test data"
    family = "validation"

    def check(self, facts: Facts) -> Iterator[Report]:
        held_out = self._held_out_roots(facts)
        for fit in facts.scaler_fits:
            data = as_data(fit.data)
            if not isinstance(data, (Data, Dataset)):
                continue
            roles = data.roles
            if not (roles & {"test", "validation"} or data.root in held_out):
                continue
            if "train" in roles:
                continue
            role = "test" if "test" in roles else "validation"
            origin = getattr(data, "origin", None)
            yield Report(
                node=fit.node,
                message=(
                    f"{fit.kind}.{fit.method} is fit on {role} data; the statistics used to scale the inputs leak "
                    f"the held-out set (and differ from those the model trained with); fit the scaler on the "
                    f"training data only and call transform on the {role} data"
                ),
                evidence=[(origin.node, f"{role} data: {origin.note}")] if origin is not None else [],
                fix=f"use {fit.kind.split('.')[-1]}.transform on the {role} data",
            )

    @staticmethod
    def _held_out_roots(facts: Facts) -> set:
        train, held = set(), set()
        for call in facts.calls:
            if call.method == "fit":
                root = _root(call.x)
                if root is not None:
                    train.add(root)
                val = call.validation_data
                if isinstance(val, Seq) and val.items:
                    root = _root(val.items[0])
                    if root is not None:
                        held.add(root)
                elif isinstance(val, Dataset):
                    held.add(val.root)
            elif call.method == "evaluate":
                root = _root(call.x)
                if root is not None:
                    held.add(root)
        return held - train
