"""TFG303 validation-split-on-ordered-data: a rule of the validation family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import labels_of
from tflint_gesture.facts.values import UNKNOWN, Data
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid


class ValidationSplitOnOrderedData(Rule):
    """`validation_split` on data in class order that was never shuffled."""

    code = "TFG303"
    name = "validation-split-on-ordered-data"
    severity = Severity.WARNING
    summary = "`validation_split` on data in class order that was never shuffled"
    family = "validation"

    explanation = """
        `validation_split` takes the last rows of data that is sorted by class and was never shuffled, so the validation set holds only the last class or classes.
        """

    what_it_does = """
        Reports the `validation_split=` argument of `fit` when the arrays passed to `fit` are known to be
        in class order and were never shuffled before the fit. Arrays count as class-ordered when they
        were built by:

        - concatenating per-class arrays: `np.concatenate([fist, palm, ...])`;
        - label blocks: `np.repeat(...)` or `[0] * n + [1] * m`;
        - appending class by class in a loop over the classes.

        `sklearn.utils.shuffle`, indexing with a permutation (`x[np.random.permutation(len(x))]`) and
        `train_test_split` all count as shuffling.
        """

    why_is_this_bad = """
        `validation_split` does not sample at random. The Keras documentation says: *"The validation data
        is selected from the last samples in the `x` and `y` data provided, before shuffling."* The
        `shuffle=True` of `fit` only reorders the training part, after the split.

        If the recordings were stacked gesture by gesture, `validation_split=0.2` makes the validation set
        the last 20 % of the rows, which all come from the last gesture recorded:

        - In the example below, validation holds only "open hand" poses, and training sees 250 pinches
          against 150 open hands. `val_accuracy` is really "how often does it say open hand". A model
          that leans towards class 1 looks better than a good one.
        - With 5 gestures of 100 recordings each, validation is *all* of the fifth gesture. That gesture
          never appears in training, and `val_accuracy` stays near 0 whatever the model learns.
        - Early stopping, best-checkpoint selection and learning-rate schedules then act on that number.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # recorded one gesture after the other: 250 "pinch" poses, then 250 "open hand" poses
            pinch = np.random.rand(250, 63)
            open_hand = np.random.rand(250, 63)
            x = np.concatenate([pinch, open_hand])
            y = np.array([0] * 250 + [1] * 250)

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(32, activation="relu"),
                keras.layers.Dense(1, activation="sigmoid"),
            ])
            model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG303",
        ),
    ]

    use_instead_intro = """
        Shuffle features and labels together before the fit:
        """

    VALID = [
        Valid(
            """
            import numpy as np
            from sklearn.utils import shuffle
            from tensorflow import keras

            # recorded one gesture after the other: 250 "pinch" poses, then 250 "open hand" poses
            pinch = np.random.rand(250, 63)
            open_hand = np.random.rand(250, 63)
            x = np.concatenate([pinch, open_hand])
            y = np.array([0] * 250 + [1] * 250)
            x, y = shuffle(x, y, random_state=0)

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(32, activation="relu"),
                keras.layers.Dense(1, activation="sigmoid"),
            ])
            model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
        ),
    ]

    use_instead_notes = """
        Better still, split with `train_test_split(x, y, test_size=0.2, stratify=y)` and pass
        `validation_data=(x_val, y_val)`.
        """

    when_it_stays_silent = """
        - The data was shuffled before the fit: `sklearn.utils.shuffle`, a permutation index, or
          `train_test_split`.
        - The fit uses `validation_data` instead of `validation_split`.
        - The order is unknown: data loaded from disk, or built by a function from another module.
        - `fit(shuffle=True)` does **not** silence it, because that shuffle happens after the split.
        """

    severity_reason = """
        **warning.** `validation_split` on class-ordered data gives a validation set of the last classes:
        the scores mislead, but the model trains; the order is known only from how the arrays were built.
        """

    references = """
        - [Keras: `Model.fit` (`validation_split`: "selected from the last samples ... before shuffling")](https://keras.io/api/models/model_training_apis/#fit-method)
        - [scikit-learn: `sklearn.utils.shuffle`](https://scikit-learn.org/stable/modules/generated/sklearn.utils.shuffle.html)
        - [scikit-learn: `train_test_split`](https://scikit-learn.org/stable/modules/generated/sklearn.model_selection.train_test_split.html)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in facts.fits():
            if call.validation_split is None or call.validation_split is UNKNOWN:
                continue
            labels = labels_of(call)
            if not isinstance(labels, Data) or labels.ordered is None:
                continue
            yield Report(
                node=call.validation_split_node or call.node,
                message=(
                    f"validation_split takes the LAST samples before any shuffling, and the labels "
                    f"`{facts.code(call.y_node)}` are in class order ({labels.ordered.note}, line "
                    f"{facts.line(labels.ordered.node)}); the validation set holds only the last classes, which the "
                    f"model never trains on; shuffle first (sklearn.utils.shuffle(x, y)) or use train_test_split"
                ),
                evidence=[(labels.ordered.node, labels.ordered.note)],
                fix="shuffle x and y together before fit, or split with train_test_split(..., stratify=y)",
            )
