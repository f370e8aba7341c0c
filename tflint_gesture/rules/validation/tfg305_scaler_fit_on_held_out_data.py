"""TFG305 scaler-fit-on-held-out-data: a rule of the validation family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.facts.apis import as_data
from tflint_gesture.facts.values import Data, Dataset, Seq
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid
from tflint_gesture.rules.validation.common import _root


class ScalerFitOnHeldOutData(Rule):
    """A scaler or normaliser fit on validation or test data."""

    code = "TFG305"
    name = "scaler-fit-on-held-out-data"
    severity = Severity.WARNING
    summary = "a scaler or normaliser fit on validation or test data"
    family = "validation"

    explanation = """
        A scaler or normaliser is fit on validation or test data instead of only on the training data.
        """

    what_it_does = """
        Reports a `fit`, `fit_transform` or `adapt` call on one of:

        - `StandardScaler`, `MinMaxScaler`, `RobustScaler` or `Normalizer`;
        - a Keras `Normalization` layer.

        It fires when the data is held-out data:

        - the second output of `train_test_split` (`x_val`/`x_test`);
        - the test tuple of `keras.datasets.*.load_data()`;
        - data passed to `validation_data=` or to `evaluate`.

        The finding points at the `fit` / `fit_transform` / `adapt` call.
        """

    why_is_this_bad = """
        A scaler is part of the model. Its mean and standard deviation are learned parameters, and they
        must be learned from training data only, like the weights.

        - **`fit_transform` on the validation set** rescales it with *its own* statistics. A validation
          set whose hand positions are shifted is silently re-centred. Validation then measures a model
          that is handed perfectly normalised inputs, which is not what it gets in production, where the
          training scaler is applied. Any shift between training and validation data is hidden instead
          of being measured.
        - **Re-fitting the training scaler** (`scaler.fit(x_val)` after `scaler.fit(x_train)`)
          overwrites its statistics. Training data and later data are then scaled differently.
        - **`Normalization().adapt(x_test)`** bakes the test set's statistics into the model itself. That
          is test-set leakage, and the reported test score is optimistic.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from sklearn.model_selection import train_test_split
            from sklearn.preprocessing import StandardScaler
            from tensorflow import keras

            # 21 hand landmarks as pixel coordinates in a 640x480 frame; 5 gestures
            x = np.random.uniform(0, 640, size=(500, 63))
            y = np.random.randint(0, 5, size=(500,))
            x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.2, random_state=0)

            scaler = StandardScaler()
            x_train = scaler.fit_transform(x_train)
            x_val = scaler.fit_transform(x_val)

            model = keras.Sequential([
                keras.Input(shape=(63,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(5, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x_train, y_train, epochs=20, validation_data=(x_val, y_val))
            """,
            expect="TFG305",
        ),
    ]

    use_instead_intro = """
        Fit the scaler on the training split, and only `transform` the held-out split:
        """

    VALID = [
        Valid(
            """
            import numpy as np
            from sklearn.model_selection import train_test_split
            from sklearn.preprocessing import StandardScaler
            from tensorflow import keras

            # 21 hand landmarks as pixel coordinates in a 640x480 frame; 5 gestures
            x = np.random.uniform(0, 640, size=(500, 63))
            y = np.random.randint(0, 5, size=(500,))
            x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.2, random_state=0)

            scaler = StandardScaler()
            x_train = scaler.fit_transform(x_train)
            x_val = scaler.transform(x_val)

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

    use_instead_notes = """
        Save the fitted scaler with the model, and apply the same `transform` at inference.
        """

    when_it_stays_silent = """
        - The scaler or `Normalization` layer is fit on the training split, and held-out data is only
          transformed.
        - A scaler fit on the whole dataset before splitting. That is a milder leak, and this rule does
          not try to prove it.
        - The data's role is unknown: arrays loaded from separate files the analysis cannot tell apart,
          or a split done by a function from another module.
        """

    severity_reason = """
        **warning.** A scaler fit on held-out data leaks it into training: the reported scores are
        optimistic, while the model trains normally.
        """

    references = """
        - [scikit-learn: `StandardScaler`](https://scikit-learn.org/stable/modules/generated/sklearn.preprocessing.StandardScaler.html)
        - [scikit-learn: Common pitfalls: data leakage](https://scikit-learn.org/stable/common_pitfalls.html#data-leakage)
        - [Keras: `Normalization` layer (`adapt`)](https://keras.io/api/layers/preprocessing_layers/numerical/normalization/)
        """

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
