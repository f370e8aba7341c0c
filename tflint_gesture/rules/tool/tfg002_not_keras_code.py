"""TFG002 not-keras-code: a rule of the tool family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid


class NotKerasCode(Rule):
    """The file is a PyTorch training script: tflint-gesture checks TensorFlow/Keras code only."""

    code = "TFG002"
    name = "not-keras-code"
    severity = Severity.INFO
    summary = "a PyTorch script: the Keras rules do not apply and were not run"
    family = "tool"

    explanation = """
        The file is a PyTorch training script, so none of the TensorFlow/Keras rules were applied to it.
        """

    what_it_does = """
        Reports once, on the first `import torch` (or `from torch ...`), when a file imports PyTorch and
        neither TensorFlow nor Keras. The Keras rules are not run on such a file.
        """

    why_is_this_bad = """
        It is not bad: it tells you why a PyTorch script came out clean. tflint-gesture understands Keras'
        `compile`/`fit`, layers and losses; a PyTorch `nn.CrossEntropyLoss` or `nn.Conv3d` means something
        else, and reporting Keras rules on it would be noise. Select it away with `--ignore TFG002` if you
        lint mixed repositories.
        """

    INVALID = [
        Invalid(
            """
            import torch
            import torch.nn as nn

            model = nn.Sequential(nn.Linear(63, 64), nn.ReLU(), nn.Linear(64, 5))
            criterion = nn.CrossEntropyLoss()
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
            x = torch.randn(32, 63)
            y = torch.randint(0, 5, (32,))
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            """,
            expect="TFG002",
        ),
    ]

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras

            x = np.random.rand(500, 63).astype("float32")
            y = np.random.randint(0, 5, size=(500,))
            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=10, validation_split=0.2)
            """,
        ),
    ]

    when_it_stays_silent = """
        When the file imports TensorFlow or Keras as well (mixed scripts are checked with the Keras rules),
        and for files that import neither framework.
        """

    severity_reason = """
        **info.** Not a bug: it says that the Keras rules were not run on a PyTorch script, so a clean
        report means nothing for it.
        """

    references = """
        - https://keras.io/api/
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        if facts.frameworks == {"torch"}:
            node = facts.framework_nodes["torch"]
            yield Report(
                node=node,
                message=(
                    "this is a PyTorch script; tflint-gesture checks TensorFlow/Keras training code, so no rule was "
                    "applied to it"
                ),
            )
