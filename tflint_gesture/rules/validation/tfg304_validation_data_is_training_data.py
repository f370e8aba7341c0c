"""TFG304 validation-data-is-training-data: a rule of the validation family."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

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
        same transforms, e.g. `validation_data=(x / 255.0, y)` next to `fit(x / 255.0, y, ...)`. The same
        names in both places (`fit(x_train, y_train, validation_data=(x_train, y_train))`, also as
        `{"frames": x_train}` or `data["x"]`) are the same objects whatever their values, so this form is
        reported even for data loaded from disk.
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
        - Either side is unknown (loaded from disk, or built by a function the analysis does not follow) and
          the two are not written with the same names; a call written twice (`np.load("a.npy")`) may return
          different data each time.
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
            found = self._same_data(facts, call)
            if found is None and call.validation_node is not None and _same_expressions(call):
                found = _report(facts, call, [])
            if found is not None:
                yield found

    @staticmethod
    def _same_data(facts: Facts, call) -> Optional[Report]:
        """The report when the analysis knows both sides come from the same data (same root), else None."""
        val = call.validation_data
        if val is None or val is UNKNOWN:
            return None
        if isinstance(val, Seq) and len(val.items) >= 2:
            train, val_x = as_data(call.x), as_data(val.items[0])
            if not (isinstance(train, (Data, Dataset)) and isinstance(val_x, (Data, Dataset))):
                return None
        elif isinstance(val, Dataset) and isinstance(call.x, Dataset):
            train, val_x = call.x, val
        else:
            return None
        if train.root != val_x.root:
            return None
        return _report(facts, call, _sources(facts, train, val_x))


def _report(facts: Facts, call, sources: list) -> Report:
    return Report(
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


def _same_expressions(call) -> bool:
    """`fit(x, y, validation_data=(x, y))`: the validation tuple names the very objects the fit trains on.

    Both are evaluated at the same call, so the same name (or attribute of a name, or constant subscript of
    one) is the same object whatever its value, even data the analysis knows nothing about. A tuple needs
    its inputs and its targets to be the training ones (an autoencoder's `(x, x)` included); one name needs
    the fit to take no separate targets (a dataset or generator yielding both)."""
    val = _expression(call.validation_node)
    if isinstance(val, (cst.Tuple, cst.List)):
        items = [element.value for element in val.elements]
        if len(items) not in (2, 3) or any(isinstance(e, cst.StarredElement) for e in val.elements):
            return False
        return call.y_node is not None and _same(items[0], _expression(call.x_node)) and \
            _same(items[1], _expression(call.y_node))
    return call.y_node is None and _same(val, _expression(call.x_node))


def _expression(node):
    return node.value if isinstance(node, cst.Arg) else node


def _same(a, b) -> bool:
    """Two expressions that name one object when evaluated together: equal names, attributes of them,
    subscripts of them by equal constants, or literals of those (no call: a call may return something new
    each time)."""
    if a is None or b is None or not _stable(a):
        return False
    return a.deep_equals(b)


def _stable(node) -> bool:
    if isinstance(node, cst.Name):
        return True
    if isinstance(node, cst.Attribute):
        return _stable(node.value)
    if isinstance(node, cst.Dict):  # `{"landmarks": x}`: the inputs of a named-input model
        return all(isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString) and _stable(e.value)
                   for e in node.elements)
    if isinstance(node, (cst.Tuple, cst.List)):
        return all(isinstance(e, cst.Element) and _stable(e.value) for e in node.elements)
    if isinstance(node, cst.Subscript):
        return _stable(node.value) and all(
            isinstance(item.slice, cst.Index) and isinstance(item.slice.value, (cst.Integer, cst.SimpleString))
            for item in node.slice)
    return False


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
