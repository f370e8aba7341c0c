"""TFG101 sparse-loss-with-one-hot-labels: a rule of the loss vs labels family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import SPARSE, describe_labels, width
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Valid
from tflint_gesture.rules.edits import loss_swap
from tflint_gesture.rules.loss_labels.common import LabelledFit, LossVsLabelsRule


class SparseLossWithOneHotLabels(LossVsLabelsRule):
    """`sparse_categorical_crossentropy` with one-hot or otherwise 2-D labels."""

    code = "TFG101"
    name = "sparse-loss-with-one-hot-labels"
    severity = Severity.ERROR
    summary = "`sparse_categorical_crossentropy` with one-hot or otherwise 2-D labels"
    family = "loss vs labels"
    judges_loss_calls = True

    automatic_fix = (
        "unsafe (`--fix --unsafe-fixes`): the loss becomes `categorical_crossentropy` (string, `keras.losses` class "
        "or function) for one-hot labels; none for 2-D integer labels"
    )

    explanation = """
        Sparse categorical cross-entropy is trained on labels that are already one-hot (or another 2-D array), but it expects one integer class id per sample.
        """

    what_it_does = """
        Reports a `compile` call whose loss is sparse categorical cross-entropy when the labels passed to
        `fit` on that model are known to be one-hot or otherwise 2-D. Each of these spellings counts as the
        sparse loss: the string `"sparse_categorical_crossentropy"`, the class
        `keras.losses.SparseCategoricalCrossentropy(...)`, the function
        `keras.losses.sparse_categorical_crossentropy`, or a variable holding one of them. Labels given as
        `validation_data=(x_val, y_val)` count too when they are encoded unlike the training labels: Keras
        computes the same loss on them after each epoch.

        A loss called by hand in a custom training loop or a subclass's `train_step`
        (`loss = loss_fn(y_batch, model(x_batch, training=True))`) is judged the same way when the labels it
        is given are known (from the dataset being iterated, or `fit`'s data for `train_step`): the finding is
        on that call, with the loss's construction and the model call as evidence.

        The labels count as one-hot when they come from:

        - `to_categorical(y[, n])` / `keras.utils.to_categorical`, `np.eye(n)[y]`, `np.identity(n)[y]`,
          `tf.one_hot(y, n)`, `pd.get_dummies(y)`, `OneHotEncoder().fit_transform(...)`, or
          `LabelBinarizer().fit_transform(...)` with more than two classes;
        - `image_dataset_from_directory(..., label_mode="categorical")`, or
          `ImageDataGenerator().flow_from_directory(...)` with its default `class_mode="categorical"`.

        A known integer array wider than one column counts too, such as
        `np.random.randint(0, 5, size=(500, 5))`.

        The finding points at the `loss=` argument (or the positional loss) of `compile`. The evidence is
        the line where the labels were encoded or created, and the `fit` call.
        """

    why_is_this_bad = """
        The sparse loss treats each label as a single index into the model's output. A one-hot label of
        shape `(batch, 5)` is 5 numbers per sample, so the label shape does not match the output and
        training crashes on the first batch:

        ```text
        # Keras 3 (TensorFlow backend)
        ValueError: Argument `output` must have rank (ndim) `target.ndim - 1`.
        Received: target.shape=(None, 5), output.shape=(None, 5)

        # tf.keras 2.x: the (32, 5) one-hot batch is flattened into 160 "class ids"
        InvalidArgumentError: logits and labels must have the same first dimension,
        got logits shape [32,5] and labels shape [160]
        ```

        The labels and the loss disagree about the encoding. Make them agree, either by passing the
        integer ids or by using the loss that reads one-hot rows.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # 500 hand poses: 21 landmarks x (x, y, z), normalised to 0..1; 5 gestures
            x = np.random.rand(500, 63)
            y = np.random.randint(0, 5, size=(500,))
            y_onehot = keras.utils.to_categorical(y, 5)

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y_onehot, epochs=20, validation_split=0.2)
            """,
            expect="TFG101",
        ),
    ]

    use_instead_intro = """
        Pass the class ids themselves:
        """

    VALID = [
        Valid(
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
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
        ),
    ]

    use_instead_notes = """
        You can also keep `y_onehot` and compile with `loss="categorical_crossentropy"`.
        """

    when_it_stays_silent = """
        - The labels are class ids: 1-D, or shaped `(n, 1)`. This includes ids cast to float
          (`.astype("float32")`), `np.argmax(y_onehot, axis=1)`, `LabelEncoder`, `keras.datasets` labels,
          and `label_mode="int"`.
        - The loss is `categorical_crossentropy` and the labels are one-hot. That is the correct pairing.
        - The labels' encoding is unknown: read from disk (`np.load`, `pd.read_csv`), returned by a
          function from another module, or yielded by a generator the analysis does not follow.
        - The loss is not visible: a custom loss function, or a `train_step` / custom loop whose loss call
          the analysis cannot tie to a known loss, a model's output and labels of a known encoding.
        """

    severity_reason = """
        **error.** Reported only when the labels are known to be one-hot (or otherwise 2-D), and then
        training certainly crashes at the first batch: Keras 3.15 raises `ValueError: Argument 'output' must
        have rank (ndim) 'target.ndim - 1'` (checked in a real run with one-hot `(None, 3)` labels).
        """

    references = """
        - [Keras: `SparseCategoricalCrossentropy`](https://keras.io/api/losses/probabilistic_losses/#sparsecategoricalcrossentropy-class)
        - [Keras: `CategoricalCrossentropy`](https://keras.io/api/losses/probabilistic_losses/#categoricalcrossentropy-class)
        - [TensorFlow: `tf.keras.losses.SparseCategoricalCrossentropy`](https://www.tensorflow.org/api_docs/python/tf/keras/losses/SparseCategoricalCrossentropy)
        - [TensorFlow: `tf.keras.utils.to_categorical`](https://www.tensorflow.org/api_docs/python/tf/keras/utils/to_categorical)
        """

    def judge(self, facts: Facts, fit: LabelledFit) -> Iterator[Report]:
        loss, labels, head = fit.loss, fit.labels, fit.head
        if loss.name not in SPARSE:
            return
        if labels.encoding == LabelEncoding.ONE_HOT:
            if labels.binary_if_two and not ((labels.num_classes or 0) > 2 or (head and isinstance(head.units, int) and head.units > 2)):
                return
            what = describe_labels(labels)
            fix = "use loss='categorical_crossentropy', or pass the class ids (np.argmax(y, axis=1))"
            edits = loss_swap(loss, "categorical_crossentropy")  # unsafe: another loss
        elif (labels.dtype in ("int", "uint8") and (width(labels) or 0) > 1 and labels.encoding != LabelEncoding.MULTI_HOT
              and head is not None and not _per_step_output(fit.call)):
            what = f"a 2-D integer array of shape {_shape(labels)}"
            fix = "pass one class id per sample (shape (n,)), or one-hot labels with categorical_crossentropy"
            edits = []
        else:
            return
        yield self.report(
            fit,
            f"labels {fit.where(facts)} are {what} but the loss at line "
            f"{facts.line(fit.loss_node)} is sparse_categorical_crossentropy, which expects "
            f"one integer class id per sample; Keras fails on the shapes or trains on the wrong targets; {fix}",
            fix,
            edits=edits,
            fix_safety="unsafe",
        )


def _per_step_output(call) -> bool:
    """True unless the model is known to output one vector per sample: sequence models that output
    (steps, classes) take (n, steps) integer labels with a sparse loss, which is correct."""
    from tflint_gesture.facts.queries import inputs_of
    from tflint_gesture.facts.shapes import trace

    x = inputs_of(call)
    start = tuple(x.shape[1:]) if isinstance(x, Data) and x.shape else None
    output = trace(call.model, start).output
    return output is None or len(output) != 1


def _shape(labels: Data) -> str:
    return "(" + ", ".join("n" if d is None else str(d) for d in labels.shape) + ")" if labels.shape else "?"
