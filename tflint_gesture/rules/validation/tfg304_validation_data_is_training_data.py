"""TFG304 validation-data-is-training-data: a rule of the validation family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.apis import as_data
from tflint_gesture.facts.values import UNKNOWN, Data, Dataset, Seq
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Report, Rule


class ValidationDataIsTrainingData(Rule):
    """The same data used to train and to validate."""

    code = "TFG304"
    name = "validation-data-is-training-data"
    severity = Severity.WARNING
    summary = "the same data used to train and to validate"
    family = "validation"

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in facts.fits():
            val = call.validation_data
            if val is None or val is UNKNOWN:
                continue
            train = val_x = None
            if isinstance(val, Seq) and len(val.items) >= 2:
                train, val_x = as_data(call.x), as_data(val.items[0])
                if not (isinstance(train, (Data, Dataset)) and isinstance(val_x, (Data, Dataset))):
                    continue
            elif isinstance(val, Dataset) and isinstance(call.x, Dataset):
                train, val_x = call.x, val
            else:
                continue
            if train.root != val_x.root:
                continue
            sources = _sources(facts, train, val_x)
            yield Report(
                node=call.validation_node or call.node,
                message=(
                    f"validation_data is the training data itself (`{facts.code(call.validation_node)}`"
                    f"{_built_from(facts, sources)}), so the validation scores measure memorisation, not "
                    f"generalisation, and early stopping never triggers; validate on held-out data "
                    f"(train_test_split or validation_split)"
                ),
                evidence=sources + ([(call.x_node, "training inputs")] if call.x_node is not None else []),
                fix="hold out a validation set",
            )


def _sources(facts: Facts, train, val) -> list:
    """Where the shared data is made: the subset calls (`filter`) that built it, else each side's origin."""
    made = facts.subsets.get(train.root, []) if isinstance(train, Dataset) else []
    if made:
        return [(origin.node, "the same subset is made here (`.filter` with this predicate)") for origin in made]
    sources, seen = [], set()
    for value, note in ((train, "training data comes from here"), (val, "validation data comes from here")):
        if value.origin is not None and value.origin.node not in seen:
            seen.add(value.origin.node)
            sources.append((value.origin.node, f"{note} ({value.origin.note})" if value.origin.note else note))
    return sources


def _built_from(facts: Facts, sources: list) -> str:
    """`, both from line N` / `, both from line N and line M`: where the two sets come from."""
    lines = sorted({facts.line(node) for node, _ in sources} - {None}, key=int)
    if not lines:
        return ""
    return ", both from " + " and ".join(f"line {n}" for n in lines)  # "line N" each: notebooks map it to a cell
