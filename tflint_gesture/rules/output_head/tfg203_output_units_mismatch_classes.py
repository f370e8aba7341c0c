"""TFG203 output-units-mismatch-classes: a rule of the output head family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.symbols import class_count
from tflint_gesture.facts.queries import BINARY, CROSS_ENTROPY, SPARSE, evidenced_labels, fits_by_output, known_loss, width
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid


class OutputUnitsMismatchClasses(Rule):
    """Output units differ from the number of classes."""

    code = "TFG203"
    name = "output-units-mismatch-classes"
    severity = Severity.ERROR
    summary = "output units differ from the number of classes"
    family = "output head"

    explanation = """
        The output layer has a different number of units than the data has classes.
        """

    what_it_does = """
        Reports the output layer when its unit count is known and differs from the number of classes,
        also known. The class count comes from:

        - the width of one-hot labels: `to_categorical(y, n)`, `np.eye(n)[y]` or `tf.one_hot(y, n)`;
        - the class count of `keras.datasets`: 10 for MNIST, Fashion-MNIST and CIFAR-10, 100 for
          CIFAR-100;
        - a `num_classes` variable, or `len(...)` of a literal list of class names;
        - for integer class ids with a known range `[0, k)`, such as `np.random.randint(0, k, ...)`, a
          head with **fewer** than `k` units;
        - at **info** severity, class ids known to start at 0 (`randint(0, k)`, a `keras.datasets` loader) and a
          head with **more** than `k` units: the extra outputs are never a target.

        A unit count that is not a number is compared as a name: `Dense(num_classes - 1)` against labels of
        `num_classes` classes is one short whatever the number is. Counts the script takes of its labels
        are followed too: `Dense(n - 1)` with `n = len(np.unique(y))` (or `y.nunique()`, `len(set(y))`,
        `len(encoder.classes_)`) is below the class count of y's ids and of `to_categorical(y)`, which has
        at least that many columns, as long as y is not changed in between; a one-hot array filled by item
        stores into `np.zeros((n, len(chars)))` has `len(chars)` classes.

        A 1-unit sigmoid head on two classes or on BINARY labels is correct and not reported. The finding
        points at the head layer. The evidence is where the class count comes from.
        """

    why_is_this_bad = """
        Each output unit is one class's score, so the unit count must equal the class count.

        - **One-hot labels of the wrong width** fail on the first batch, because the label and output
          shapes differ. Keras 3 raises `ValueError: Arguments target and output must have the same
          shape`; tf.keras 2.x raises `ValueError: Shapes (None, 6) and (None, 5) are incompatible`.
        - **Class ids beyond the head** are worse, because they can fail silently. With 5 gestures and 4
          units, id 4 indexes an output that does not exist:
          - *TensorFlow on CPU* stops with
            `Received a label value of 4 which is outside the valid range of [0, 4)`.
          - *TensorFlow on GPU* returns NaN for those loss rows, as documented for
            `tf.nn.sparse_softmax_cross_entropy_with_logits`, and the NaN spreads into the weights.
          - *The JAX backend of Keras 3* turns an out-of-range id into an all-zero one-hot row. Those
            samples contribute zero loss, and the fifth gesture is silently never learned.

        This typically happens when a gesture (often "none" or "background") is added to the data and the
        head is not updated.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # 5 gestures: fist, palm, point, thumbs_up and the later-added "none"
            x = np.random.rand(500, 63)
            y = np.random.randint(0, 5, size=(500,))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(4, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG203",
        ),
        Invalid(
            """
            import numpy as np
            import pandas as pd
            from tensorflow import keras

            df = pd.read_csv("gestures.csv")
            x = df.drop(columns=["gesture_id"]).values
            y = df["gesture_id"].values
            num_gestures = len(np.unique(y))
            y_onehot = keras.utils.to_categorical(y)  # at least num_gestures columns

            model = keras.Sequential([
                keras.Input(shape=(x.shape[1],)),
                keras.layers.Dense(num_gestures - 1, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="categorical_crossentropy")
            model.fit(x, y_onehot, epochs=20, validation_split=0.2)
            """,
            expect="TFG203",
        ),
    ]

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras

            # 5 gestures: fist, palm, point, thumbs_up and the later-added "none"
            x = np.random.rand(500, 63)
            y = np.random.randint(0, 5, size=(500,))

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
        ),
        Valid(
            """
            import numpy as np
            import pandas as pd
            from tensorflow import keras

            df = pd.read_csv("gestures.csv")
            x = df.drop(columns=["gesture_id"]).values
            y = df["gesture_id"].values
            num_gestures = len(np.unique(y))
            y[y == -1] = 0  # the "unknown" recordings join gesture 0: fewer classes than counted
            y_onehot = keras.utils.to_categorical(y)

            model = keras.Sequential([
                keras.Input(shape=(x.shape[1],)),
                keras.layers.Dense(num_gestures - 1, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="categorical_crossentropy")
            model.fit(x, y_onehot, epochs=20, validation_split=0.2)
            """,
        ),
    ]

    use_instead_notes = """
        Deriving the unit count from the data keeps the two in step, for example
        `num_classes = len(GESTURES)` and `Dense(num_classes, ...)`.
        """

    when_it_stays_silent = """
        - The units equal the class count.
        - A 1-unit sigmoid head with two classes or BINARY labels.
        - Class ids with **more** units than ids, unless the ids are known to start at 0. A spare unit is
          right for 1-based ids (`Dense(n + 1)` for labels 1..n), so ids whose lower end is unknown are not
          reported; for 0-based ids the extra outputs are wasted but harmless, hence only info.
        - The class count or the unit count is unknown: labels read from disk, a directory dataset whose
          folders are not known, or a unit count computed at run time.
        - The head is unknown: a subclassed model, or a layer from another module.
        - A head of as many units as a count of the labels or more (`Dense(len(np.unique(y)))`,
          `Dense(len(np.unique(y)) + 1)` with `to_categorical(y)`): the one-hot width is `y.max() + 1`, which
          equals the count only for ids 0..n-1. Also when the labels were changed after the count (an item
          store such as `y[y == -1] = 0`, arithmetic, a remap, a concatenation) or the count is of another
          array.
        """

    severity_reason = """
        **error.** Both counts must be known. One-hot labels of another width crash at the first batch
        (shape mismatch); class ids at or above the unit count stop on CPU (`Received a label value ...
        outside the valid range`) or silently poison the loss elsewhere. More units than ids, which is
        harmless, is not reported.
        """

    references = """
        - [Keras: `Dense` layer (`units`)](https://keras.io/api/layers/core_layers/dense/)
        - [Keras: `SparseCategoricalCrossentropy`](https://keras.io/api/losses/probabilistic_losses/#sparsecategoricalcrossentropy-class)
        - [TensorFlow: `tf.nn.sparse_softmax_cross_entropy_with_logits` (invalid labels: exception on CPU, NaN on GPU)](https://www.tensorflow.org/api_docs/python/tf/nn/sparse_softmax_cross_entropy_with_logits)
        - [TensorFlow: `tf.keras.utils.to_categorical`](https://www.tensorflow.org/api_docs/python/tf/keras/utils/to_categorical)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        for call in fits_by_output(facts):
            known = known_loss(call)
            labels = evidenced_labels(call)  # labels of unknown encoding: the one the compile's metric implies
            if known is None or known[1].name not in CROSS_ENTROPY or not isinstance(labels, Data):
                continue
            head = head_of(call.model)
            if head is None:
                continue
            if not isinstance(head.units, int):
                if labels.encoding == LabelEncoding.UNKNOWN and known[1].name in SPARSE:
                    labels = labels.same_values(encoding=LabelEncoding.CLASS_IDS)  # what the loss reads them as
                symbolic = self._symbolic_mismatch(facts, head, labels)
                if symbolic is not None:
                    yield symbolic
                continue
            units = head.units
            loss = known[1]
            if labels.encoding == LabelEncoding.ONE_HOT:
                classes = labels.num_classes or width(labels)
                if classes is None or classes == units or (labels.binary_if_two and classes == 2 and units == 1):
                    continue
                what = f"one-hot labels have {classes} columns"
            elif labels.encoding == LabelEncoding.CLASS_IDS and loss.name not in BINARY:
                classes = labels.num_classes
                if classes is None or units == classes:
                    continue
                if units > classes:
                    # Spare units are right for 1-based ids (Dense(n + 1) for labels 1..n); only labels known
                    # to start at 0 leave them unused, which wastes capacity but does not break training.
                    if labels.bounds is None or labels.bounds[0] != 0:
                        continue
                    yield self._spare_units(facts, head, labels, units, classes)
                    continue
                what = f"class ids run up to {classes - 1} ({classes} classes)"
            else:
                continue
            evidence = [(head.layer.node, f"{units}-unit output layer")]
            if labels.classes_origin is not None:
                evidence.append((labels.classes_origin.node, f"{classes} classes: {labels.classes_origin.note}"))
            elif labels.origin is not None:
                evidence.append((labels.origin.node, labels.origin.note))
            yield Report(
                node=head.layer.node,
                message=(
                    f"the output layer has {units} unit{'s' if units != 1 else ''} but the {what}"
                    f"{_at(facts, labels)}; Keras fails on the shapes or some classes can never be predicted; "
                    f"give the output layer {classes} units"
                ),
                evidence=evidence,
                fix=f"use {classes} output units",
            )


    @staticmethod
    def _symbolic_mismatch(facts: Facts, head, labels: Data):
        """`Dense(num_classes + 1)` against one-hot labels of `num_classes` columns: the same unknown count,
        shifted, is a mismatch whatever its value (facts.symbols)."""
        units, classes = head.layer.args.get("units_sym"), class_count(labels)
        if units is None or classes is None:
            return None
        gap = units.minus(classes)
        ids = labels.encoding == LabelEncoding.CLASS_IDS
        if gap is None:
            short = units.short_of(classes)
            return OutputUnitsMismatchClasses._below_count(facts, head, labels, units, short) if short else None
        if not gap or (ids and gap > 0):  # spare units are right for 1-based ids
            return None
        evidence = [(head.layer.node, f"{units.text} output units")]
        if labels.origin is not None:
            evidence.append((labels.origin.node, f"{'classes' if ids else 'one-hot columns'}: {classes.text}: "
                                                 f"{labels.origin.note}"))
        labelled = (f"the class ids run up to {classes.quoted} - 1" if ids else
                    f"the one-hot labels have one column per class ({classes.text})" if classes.described else
                    f"the one-hot labels have {classes.quoted} columns")
        wanted = f"as many units as {classes.text}" if classes.described else f"{classes.quoted} units"
        effect = ("the highest class id has no output unit, and TensorFlow stops with 'Received a label value of ... "
                  "which is outside the valid range'"
                  if ids else "Keras fails on the shapes at the first batch")
        return Report(
            node=head.layer.node,
            message=(
                f"the output layer has `{units.text}` units but {labelled}"
                f"{_at(facts, labels)}, {abs(gap)} {'more' if gap > 0 else 'fewer'} whatever the count is; {effect}; "
                f"give the output layer {wanted}"
            ),
            evidence=evidence,
            fix=f"give the output layer {wanted}",
        )

    @staticmethod
    def _below_count(facts: Facts, head, labels: Data, units, short: int) -> Report:
        """`Dense(num_classes - 1)` with `num_classes = len(np.unique(y))`: the labels have at least that
        many classes (ids up to at least that count - 1, `to_categorical(y)` at least as many columns)."""
        ids = labels.encoding == LabelEncoding.CLASS_IDS
        count = units.shown or str(units.base[0])  # the count as the script spells it, without the offset
        evidence = [(head.layer.node, f"{units.text} output units")]
        if units.taken is not None:
            evidence.append((units.taken, f"`{count}` is counted from the labels here"))
        if labels.origin is not None:
            evidence.append((labels.origin.node, f"labels: {labels.origin.note}"))
        has = ("class ids run up to at least that count - 1" if ids else
               "one-hot labels have at least that many columns")
        effect = ("the highest class id has no output unit, and TensorFlow stops with 'Received a label value of ... "
                  "which is outside the valid range'" if ids else "Keras fails on the shapes at the first batch")
        return Report(
            node=head.layer.node,
            message=(
                f"the output layer has `{units.text}` units but `{count}` counts the labels, and the {has}"
                f"{_at(facts, labels)}: at least {short} unit{'s' if short > 1 else ''} short whatever the count is; "
                f"{effect}; give the output layer `{count}` units"
            ),
            evidence=evidence,
            fix=f"give the output layer `{count}` units",
        )

    @staticmethod
    def _spare_units(facts: Facts, head, labels: Data, units: int, classes: int) -> Report:
        origin = labels.classes_origin or labels.origin
        evidence = [(head.layer.node, f"{units}-unit output layer")]
        if origin is not None:
            evidence.append((origin.node, f"class ids 0..{classes - 1}: {origin.note}"))
        return Report(
            node=head.layer.node,
            message=(
                f"the output layer has {units} units but the class ids run from 0 to {classes - 1}{_at(facts, labels)}; "
                f"the last {units - classes} output{'s are' if units - classes > 1 else ' is'} never a target, so the "
                f"model spends probability on classes that do not exist; use {classes} units unless more classes "
                f"are coming"
            ),
            evidence=evidence,
            fix=f"use {classes} output units",
            severity=Severity.INFO,
        )


def _at(facts: Facts, labels: Data) -> str:
    origin = labels.classes_origin or labels.origin
    if origin is None:
        return ""
    return f" ({origin.note}, line {facts.line(origin.node)})"
