"""TFG304 validation-data-is-training-data: a rule of the validation family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.apis import as_data
from tflint_gesture.facts.values import UNKNOWN, Data, Dataset, Seq
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid


class ValidationDataIsTrainingData(Rule):
    """The same data used to train and to validate."""

    code = "TFG304"
    name = "validation-data-is-training-data"
    severity = Severity.WARNING
    summary = "the same data used to train and to validate"
    family = "validation"

    explanation = """
        The data passed as `validation_data` is the training data itself, so validation measures nothing new.
        """

    what_it_does = """
        Reports the `validation_data=` argument of `fit` when it holds the same data the model trains on.
        That covers the same variables or datasets, and also values derived from the same source by the
        same transforms, e.g. `validation_data=(x / 255.0, y)` next to `fit(x / 255.0, y, ...)`.
        """

    why_is_this_bad = """
        Validation is there to answer "does this generalise?". On the training rows the answer is always
        yes. `val_loss` and `val_accuracy` simply repeat the training numbers, measured at the end of the
        epoch, so:

        - overfitting is invisible, because the two curves never diverge;
        - `EarlyStopping(monitor="val_loss")` keeps training as long as the model memorises better, and
          `ModelCheckpoint(save_best_only=True)` saves the most overfit epoch;
        - the validation accuracy you report is a training accuracy.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # 500 hand poses: 21 landmarks x (x, y, z), normalised to 0..1; 5 gestures
            x = np.random.rand(500, 63)
            y = np.random.randint(0, 5, size=(500,))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_data=(x, y))
            """,
            expect="TFG304",
        ),
    ]

    use_instead_intro = """
        Hold out rows the model never trains on:
        """

    VALID = [
        Valid(
            """
            import numpy as np
            from sklearn.model_selection import train_test_split
            from tensorflow import keras

            # 500 hand poses: 21 landmarks x (x, y, z), normalised to 0..1; 5 gestures
            x = np.random.rand(500, 63)
            y = np.random.randint(0, 5, size=(500,))
            x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.2, random_state=0)

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x_train, y_train, epochs=20, validation_data=(x_val, y_val))
            """,
        ),
    ]

    when_it_stays_silent = """
        - The validation data is a different split of the same source, e.g. the two outputs of
          `train_test_split`, or the train and test tuples of `load_data()`.
        - The two sets are `tf.data` subsets of one dataset with different predicates
          (`ds.filter(lambda x, y, fold: fold < 4)` and `... fold == 4`). The same predicate written
          twice on the same dataset is the same subset, and is reported with both `filter` lines.
        - Autoencoders, `fit(x, x)`: passing the same array as input and target is not this rule's
          concern.
        - Either side is unknown: loaded from disk, or built by a function the analysis does not follow.
        """

    severity_reason = """
        **warning.** Validating on the training data makes the validation scores meaningless, not the
        training; and the identity of two datasets is an inference of the analysis.
        """

    references = """
        - [Keras: `Model.fit` (`validation_data`)](https://keras.io/api/models/model_training_apis/#fit-method)
        - [scikit-learn: `train_test_split`](https://scikit-learn.org/stable/modules/generated/sklearn.model_selection.train_test_split.html)
        - [TensorFlow tutorial: Overfit and underfit](https://www.tensorflow.org/tutorials/keras/overfit_and_underfit)
        """

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
