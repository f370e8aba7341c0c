"""TFG102 categorical-loss-with-class-ids: a rule of the loss vs labels family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.queries import CATEGORICAL, known_loss, labels_of
from tflint_gesture.facts.values import Data, LabelEncoding
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Valid
from tflint_gesture.rules.edits import loss_swap
from tflint_gesture.rules.loss_labels.common import LabelledFit, LossVsLabelsRule, where


class CategoricalLossWithClassIds(LossVsLabelsRule):
    """`categorical_crossentropy` with integer class ids."""

    code = "TFG102"
    name = "categorical-loss-with-class-ids"
    severity = Severity.ERROR
    summary = "`categorical_crossentropy` with integer class ids"
    family = "loss vs labels"
    judges_loss_calls = True

    automatic_fix = (
        "unsafe (`--fix --unsafe-fixes`): the loss becomes `sparse_categorical_crossentropy` (string, "
        "`keras.losses` class or function); none for the focal loss"
    )

    explanation = """
        Categorical cross-entropy is trained on integer class ids, but it expects one one-hot row per sample.
        """

    what_it_does = """
        Reports a `compile` call whose loss is categorical cross-entropy when the labels passed to `fit`
        are known to be integer class ids. The loss can be written as the string
        `"categorical_crossentropy"`, as `keras.losses.CategoricalCrossentropy(...)`, as
        `keras.losses.CategoricalFocalCrossentropy(...)`, as the function
        `keras.losses.categorical_crossentropy`, or as a variable holding one of them. Labels given as
        `validation_data=(x_val, y_val)` count too when they are encoded unlike the training labels: Keras
        computes the same loss on them after each epoch.

        A loss called by hand in a custom training loop or a subclass's `train_step`
        (`loss = loss_fn(y_batch, model(x_batch, training=True))`) is judged the same way when the labels it
        is given are known (from the dataset being iterated, or `fit`'s data for `train_step`): the finding is
        on that call, with the loss's construction and the model call as evidence.

        The labels count as class ids when they come from:

        - `keras.datasets.{mnist, fashion_mnist, cifar10, cifar100}.load_data()`;
        - `LabelEncoder().fit_transform(...)`, or `np.argmax(y, axis=1)` / `y.argmax(-1)`;
        - `np.random.randint(0, k, size=(n,))`;
        - `image_dataset_from_directory(...)` with its default `label_mode="int"`;
        - `flow_from_directory(..., class_mode="sparse")`.

        The finding points at the `loss=` argument (or the positional loss) of `compile`. The evidence is
        where the labels came from, and the `fit` call.

        When the model was trained on one-hot labels but `evaluate` is given class ids (the test labels were
        never passed through `to_categorical`), the finding points at the labels of that `evaluate` instead:
        Keras 3 raises "Arguments `target` and `output` must have the same rank" there, after training.
        """

    why_is_this_bad = """
        Categorical cross-entropy multiplies the label row with the log of the output row, so the labels
        must have the same shape as the output: `(batch, 10)` for 10 classes. Class ids have shape
        `(batch,)` or `(batch, 1)`, so training crashes on the first batch:

        ```text
        # Keras 3 (TensorFlow backend)
        ValueError: Arguments `target` and `output` must have the same rank (ndim).
        Received: target.shape=(None,), output.shape=(None, 10)

        # tf.keras 2.x
        ValueError: Shapes (None, 1) and (None, 10) are incompatible
        ```

        This trap is easy to fall into with `image_dataset_from_directory`. Its default
        `label_mode="int"` yields class ids, while many tutorials pair it with `categorical_crossentropy`.
        """

    INVALID = [
        Invalid(
            """
            from tensorflow import keras

            # MNIST stands in for a 28x28 grayscale hand-sign set: uint8 images, integer labels 0..9
            (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
            x_train = x_train / 255.0

            model = keras.Sequential([
                keras.Input(shape=(28, 28)),
                keras.layers.Flatten(),
                keras.layers.Dense(128, activation="relu"),
                keras.layers.Dense(10, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
            model.fit(x_train, y_train, epochs=5, validation_split=0.1)
            """,
            expect="TFG102",
        ),
    ]

    VALID = [
        Valid(
            """
            from tensorflow import keras

            # MNIST stands in for a 28x28 grayscale hand-sign set: uint8 images, integer labels 0..9
            (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
            x_train = x_train / 255.0

            model = keras.Sequential([
                keras.Input(shape=(28, 28)),
                keras.layers.Flatten(),
                keras.layers.Dense(128, activation="relu"),
                keras.layers.Dense(10, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x_train, y_train, epochs=5, validation_split=0.1)
            """,
        ),
    ]

    use_instead_notes = """
        Alternatively, one-hot encode the labels with `keras.utils.to_categorical(y_train, 10)` and keep
        `categorical_crossentropy`.
        """

    when_it_stays_silent = """
        - The labels are one-hot: `to_categorical`, `tf.one_hot`, `np.eye(n)[y]`,
          `label_mode="categorical"`, or `flow_from_directory`'s default `class_mode="categorical"`.
        - The loss is `sparse_categorical_crossentropy` and the labels are class ids. That is the correct
          pairing.
        - The head has 1 unit. That is a different bug (a categorical loss on a 1-unit output),
          reported by [TFG206](TFG206.md).
        - The labels' encoding is unknown: read from disk, built by a function in another module, or
          yielded by a generator or dataset the analysis does not follow.
        - The loss is not visible: a custom loss, or a `train_step` / custom loop whose loss call the
          analysis cannot tie to a known loss, a model's output and labels of a known encoding.
        """

    severity_reason = """
        **error.** Reported only when the labels are known to be class ids, and then training certainly
        crashes at the first batch: Keras 3.15 raises `ValueError: Arguments 'target' and 'output' must
        have the same rank` (checked in a real run with `(None,)` ids against a `(None, 3)` softmax).
        """

    references = """
        - [Keras: `CategoricalCrossentropy`](https://keras.io/api/losses/probabilistic_losses/#categoricalcrossentropy-class)
        - [Keras: `SparseCategoricalCrossentropy`](https://keras.io/api/losses/probabilistic_losses/#sparsecategoricalcrossentropy-class)
        - [Keras: MNIST dataset](https://keras.io/api/datasets/mnist/)
        - [TensorFlow: `tf.keras.utils.image_dataset_from_directory` (`label_mode`)](https://www.tensorflow.org/api_docs/python/tf/keras/utils/image_dataset_from_directory)
        - [TensorFlow: `tf.keras.utils.to_categorical`](https://www.tensorflow.org/api_docs/python/tf/keras/utils/to_categorical)
        """

    def judge(self, facts: Facts, fit: LabelledFit) -> Iterator[Report]:
        loss, labels, head = fit.loss, fit.labels, fit.head
        if loss.name not in CATEGORICAL or labels.encoding != LabelEncoding.CLASS_IDS:
            return
        if head is not None and head.units == 1:
            return
        if head is None and labels.num_classes == 2:
            return
        fix = "use loss='sparse_categorical_crossentropy', or one-hot encode the labels (to_categorical)"
        edits = loss_swap(loss, "sparse_categorical_crossentropy") if loss.name == "categorical_crossentropy" else []
        yield self.report(
            fit,
            f"labels {fit.where(facts)} are integer class ids but the loss is "
            f"{loss.name}, which expects one-hot rows as wide as the output; Keras fails on the shapes "
            f"or compares each id with every output; {fix}",
            fix,
            edits=edits,
            fix_safety="unsafe",  # another loss
        )

    def judge_elsewhere(self, facts: Facts) -> Iterator[Report]:
        for call, loss, labels in _evaluations_with_ids(facts):
            fix = "one-hot encode the evaluation labels the way the training labels are (to_categorical)"
            yield Report(
                node=call.y_node or call.node,
                message=(
                    f"the labels evaluated here, {where(facts, call, labels)}, are integer class ids but the model "
                    f"is compiled with {loss.name}, which expects one-hot rows as wide as the output; evaluate fails "
                    f"on the shapes after training has finished; {fix}"
                ),
                evidence=[(labels.origin.node, f"labels: {labels.origin.note}")] if labels.origin is not None else [],
                fix=fix,
            )


def _evaluations_with_ids(facts: Facts):
    """(call, loss, labels) for each `evaluate` on class ids under a categorical loss whose model was not
    trained on class ids itself (that is reported at the compile): the test labels were left un-encoded."""
    for call in facts.calls:
        known = known_loss(call) if call.method == "evaluate" else None
        labels = labels_of(call) if known is not None else None
        if not isinstance(labels, Data) or known[1].name not in CATEGORICAL or labels.encoding != LabelEncoding.CLASS_IDS:
            continue
        head = head_of(call.model)
        if head is None or head.units == 1:
            continue
        trained = [labels_of(fit) for fit in facts.fits() if fit.model is call.model]
        if any(isinstance(t, Data) and t.encoding == LabelEncoding.CLASS_IDS for t in trained):
            continue
        yield call, known[1], labels
