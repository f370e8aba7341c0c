"""TFG602 removed-keras-api: a rule of the optimization family."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from tflint_gesture import edits as fixes
from tflint_gesture import keras_target
from tflint_gesture.facts import Facts
from tflint_gesture.facts.legacy import BackendUse, MethodUse
from tflint_gesture.facts.legacy_api import LEARNING_RATE_ALIAS, OPTIMIZER_KEYWORD_RENAMES, REMOVED_METHODS
from tflint_gesture.facts.models import head_of
from tflint_gesture.facts.names import under
from tflint_gesture.facts.optimizers import DEFAULT_LR, Optimizer
from tflint_gesture.facts.values import UNKNOWN, Callback, Compile, Const, ModelValue, Seq
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid
from tflint_gesture.rules.optimization.common import _syntax
from tflint_gesture.rules.optimization.keras1_arguments import keras1_arguments
from tflint_gesture.rules.optimization.keras2_monitor_names import _metric_names, _tfg302_decides


# Positional parameters each removed method shares with its replacement in every Keras 2 release.
_GENERATOR_PARAMS = {
    "fit_generator": (REMOVED_METHODS["fit_generator"], ("x", "steps_per_epoch", "epochs", "verbose", "callbacks", "validation_data",
                              "validation_steps")),
    "evaluate_generator": (REMOVED_METHODS["evaluate_generator"], ("x", "steps")),
    "predict_generator": (REMOVED_METHODS["predict_generator"], ("x", "steps")),
    "predict_proba": (REMOVED_METHODS["predict_proba"], ("x", "batch_size", "verbose")),
}


_REMOVED_FIT_ARGS = ("workers", "use_multiprocessing", "max_queue_size")


class RemovedKerasApi(Rule):
    """An argument or API that current Keras removed: the script fails or silently behaves differently."""

    code = "TFG602"
    name = "removed-keras-api"
    severity = Severity.ERROR
    summary = "an argument or API that current Keras removed (`lr=`, `fit_generator`, `predict_classes`, ...)"
    family = "optimization"

    automatic_fix = (
        "safe for the renames (`lr=`, `*_generator`, `predict_proba`, `set_image_dim_ordering`, `epsilon=None`), "
        "unsafe for `decay=`, `keras.optimizers.legacy`, `workers=` and monitor names; none for `predict_classes` "
        "and `image_dim_ordering`"
    )

    explanation = """
        The script uses an argument or API that current Keras removed: it fails on Keras 3 (TensorFlow
        2.16 and later), or runs and silently does something else.
        """

    what_it_does = """
        Reports each of these, with the modern spelling:

        | found | on current Keras | modern spelling | `--fix` |
        |---|---|---|---|
        | `lr=` on an optimizer | Keras 3: `ValueError: Argument(s) not recognized`; TF 2.11–2.15: warning, the rate is **ignored** | `learning_rate=` | safe |
        | `decay=` on an optimizer (non-zero) | Keras 3: warning, **ignored** (no decay); TF 2.11–2.15: `ValueError` | `learning_rate=keras.optimizers.schedules.InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)` | unsafe |
        | `epsilon=None` on an optimizer | the first training step fails: `ValueError: None values not supported` | drop it (the default 1e-7 is what None meant) | safe |
        | `model.fit_generator` / `evaluate_generator` / `predict_generator` | `AttributeError` (deprecated since TF 2.1) | `fit` / `evaluate` / `predict` with the same arguments | safe |
        | `model.predict_proba` | `AttributeError` (removed in TF 2.6) | `model.predict` | safe |
        | `model.predict_classes` | `AttributeError` (removed in TF 2.6) | `np.argmax(model.predict(x), axis=-1)` (softmax) or `(model.predict(x) > 0.5).astype("int32")` (sigmoid) | none |
        | `workers=`, `use_multiprocessing=`, `max_queue_size=` on `fit`/`evaluate`/`predict` | Keras 3: `TypeError`/`ValueError` (they moved to `keras.utils.PyDataset`) | remove, set them on the `PyDataset` | unsafe |
        | `K.set_image_dim_ordering("th"/"tf")` | `AttributeError` (gone after Keras 2.2) | `K.set_image_data_format("channels_first"/"channels_last")` | safe |
        | `K.image_dim_ordering()` | `AttributeError` | `K.image_data_format()` (returns `channels_first`/`channels_last`) | none |
        | `keras.optimizers.legacy.X` through the standalone `keras` package | Keras 3: `ImportError` when constructed | `keras.optimizers.X` | unsafe |
        | `monitor="val_acc"` / `"acc"` (see below) | the callback never acts | `"val_accuracy"` / `"accuracy"` | unsafe |
        | Keras 1 layer keywords: `Dense(output_dim=, init=)`, `Conv2D(border_mode=, subsample=, nb_filter=)`, `AveragePooling1D(pool_length=)`, `Dropout(p=)`, `LSTM(inner_init=, dropout_W=)`, ... (the table of `facts/legacy_api.py`) | Keras 3: `ValueError: Unrecognized keyword arguments` (`TypeError: missing ... 'units'` for `output_dim=`); tf.keras 2: `TypeError: Keyword argument not understood` | `units=`, `kernel_initializer=`, `padding=`, `strides=`, `pool_size=`, `rate=`, ... | safe where the value means the same (not `dim_ordering=`, `bias=`) |
        | `fit(nb_epoch=)` (and `samples_per_epoch=`, `nb_val_samples=` of the generator methods) | Keras 3 and TensorFlow 2's `fit`: `TypeError: unexpected keyword argument` | `epochs=` (`steps_per_epoch=` / `validation_steps=` count batches, not samples) | safe for `nb_epoch` |
        | `imdb.load_data(nb_words=)` / `reuters.load_data(nb_words=)` | Keras 3 swallows it in `**kwargs`: the whole vocabulary is kept | `num_words=` | safe |
        | `Convolution2D(32, 3, 3)`: the Keras 1 kernel sizes, reported on a Keras 1 class name or beside other Keras 1 arguments (`Conv2D(64, 3, 2)` is modern strides 2) | runs as `kernel_size=3, strides=3`: the layer silently downsamples | `Conv2D(32, (3, 3))` | none |

        `decay=` and the monitor names are reported as **warnings** (the script runs, but differently);
        the others as errors (the script stops), but for the last two rows (warnings).

        **Keras 2 targets.** Code that must run on tf-keras (TensorFlow up to 2.15, or the `tf-keras` package)
        is judged against Keras 2: there `workers=`, `use_multiprocessing=` and `max_queue_size=` are valid
        `fit`/`evaluate`/`predict` arguments (not reported), `fit_generator` and its siblings are only
        deprecated (reported as `info`), and `keras.optimizers.legacy` exists in the `keras` package (not
        reported). `lr=` stays an error: tf-keras 2.15's optimizer pops it with a log warning and trains at
        the default learning rate (`tf_keras/src/optimizers/optimizer.py`, `_process_kwargs`).
        `predict_classes`, `predict_proba`, `set_image_dim_ordering` and the `acc` monitor names are broken
        on Keras 2 too. The target is the `target-keras` setting (`--target-keras`); with `"auto"` (the
        default) a script targets Keras 2 when it imports `tf_keras`, `tensorflow_addons` or a `transformers`
        TensorFlow model (`TFAutoModel...`), sets `os.environ["TF_USE_LEGACY_KERAS"] = "1"` (or, in a notebook,
        `%env TF_USE_LEGACY_KERAS=1`), is a notebook that installs Keras 2 (`!pip install tensorflow==2.15.0`,
        `%pip install tf-keras`), or its project pins it: the nearest `requirements*.txt`, `pyproject.toml`, `setup.cfg` or `environment.yml` (from
        the script's folder up to the repository root) that names TensorFlow or Keras says
        `tensorflow<2.16`, `keras<3` (any specifier admitting only older versions) or lists `tf-keras`. The
        `info` finding names the reason.

        **Which receivers count.** `fit_generator`, `evaluate_generator`, `predict_generator` and
        `predict_classes` are reported on a known Keras model, or on an object the analysis cannot see
        (a model returned by another module) when the file uses Keras and defines no method of that name
        itself. `predict_proba` is reported only on a known Keras model, because scikit-learn estimators
        have a `predict_proba` that is fine.

        **`keras.optimizers.legacy`** is reported only when it is reached through the standalone `keras`
        package (`import keras`, `from keras.optimizers.legacy import Adam`): that is the Keras 3
        spelling, and in Keras 3 the module only holds stubs that raise `ImportError`.
        `tf.keras.optimizers.legacy` exists up to TensorFlow 2.15 (and again with `tf_keras` and
        `TF_USE_LEGACY_KERAS=1`), so that spelling is left alone. A script that imports `keras` but runs
        on TensorFlow 2.11–2.15's Keras 2 package would still work; the finding assumes the current Keras.

        **Monitor names, and TFG302.** Keras 2.2 and older logged `metrics=["accuracy"]` as `acc` and
        `val_acc`; since Keras 2.3 they are `accuracy` and `val_accuracy`. TFG302 reports a callback passed
        to a `fit` whose logged names it knows (a Sequential or functional model whose compile lists only
        known metric names). This rule takes the remaining `EarlyStopping`, `ReduceLROnPlateau` and
        `ModelCheckpoint(save_best_only=True)` monitoring `acc`/`val_acc`: passed to a fit of a model the
        analysis cannot see (often `fit_generator`), or built where no fit is visible. It fires only when
        every compile that can feed the callback (the fit's compile, or else every compile in the file) asks
        for metrics by known names, one of them `"accuracy"` and none `"acc"`. One callback is never
        reported by both rules.

        The finding points at the argument, the method name or the call to change.
        """

    why_is_this_bad = """
        Training scripts are copied from tutorials and answers written for Keras 2.0 to 2.15. On
        current Keras they either stop at the first removed name (often after minutes of data loading),
        or, worse, run with a different meaning: TensorFlow 2.11 to 2.15 drop `lr=` with a log warning and
        train at the default rate (tensorflow/tensorflow#58831), and Keras 3 drops `decay=` the same way,
        so the learning rate the author tuned is not the one used.
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
            model.compile(
                optimizer=keras.optimizers.Adam(lr=1e-3),
                loss="sparse_categorical_crossentropy",
                metrics=["accuracy"],
            )
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG602",
        ),
    ]

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
            model.compile(
                optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                loss="sparse_categorical_crossentropy",
                metrics=["accuracy"],
            )
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
        ),
    ]

    use_instead_notes = """
        `tflint-gesture --fix` makes this change (and the other safe ones in the table);
        `tflint-gesture --diff` shows it first.
        """

    when_it_stays_silent = """
        - `predict_proba` on anything but a known Keras model (scikit-learn classifiers), and any of
          these method names when the script defines a function or method of that name.
        - `*_generator` and `predict_classes` on an unknown object in a file that never imports
          TensorFlow or Keras.
        - `tf.keras.optimizers.legacy.X` and `from tensorflow.keras.optimizers import legacy`.
        - `decay=0` (nothing to decay), `epsilon=1e-7` or any number.
        - On a Keras 2 target: `workers=`, `use_multiprocessing=`, `max_queue_size=`, and
          `keras.optimizers.legacy` (the `*_generator` methods are `info` there).
        - Monitor names when a compile that can feed the callback uses an unknown metric, asks for
          `"acc"` itself (then `acc`/`val_acc` are logged), or when TFG302 is the rule that decides.
        - The `--fix` renames are not offered when they could change the meaning: `fit_generator` with more
          positional arguments than every Keras release agrees on, `lr=` next to `learning_rate=`,
          `set_image_dim_ordering` imported by name (`from keras.backend import ...`).
        """

    severity_reason = """
        **error** on the Keras the script targets: the call raises there (`AttributeError`, `TypeError`,
        `ValueError`), which is certain. `lr=` is an error on Keras 2 too: tf-keras 2.15 pops it with a log
        line and trains at the default rate (`tf_keras/src/optimizers/optimizer.py`, `_process_kwargs`).
        `decay=` and the old monitor names are warnings (the script runs, differently), and on a Keras 2
        target the deprecated `*_generator` methods are info. Keras 1 arguments on a Keras 2 target: warnings (`nb_words=`:
        info), since tf.keras 2 rejects them but standalone Keras 2.0-2.3 converted them (`keras/legacy/interfaces.py`).
        """

    references = """
        - [Keras 3 migration guide](https://keras.io/guides/migrating_to_keras_3/)
        - [Keras: optimizers (`learning_rate`)](https://keras.io/api/optimizers/)
        - [Keras: `InverseTimeDecay`](https://keras.io/api/optimizers/learning_rate_schedules/inverse_time_decay/)
        - [Keras: `PyDataset` (`workers`, `use_multiprocessing`, `max_queue_size`)](https://keras.io/api/utils/python_utils/#pydataset-class)
        - [tensorflow/tensorflow#58831: new optimizers accept `lr` but ignore it](https://github.com/tensorflow/tensorflow/issues/58831)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        yield from self._optimizer_arguments(facts)
        yield from self._methods(facts)
        yield from self._backend(facts)
        yield from self._monitors(facts)
        yield from self._loader_arguments(facts)
        yield from keras1_arguments(facts, lambda: self._target(facts).keras2)

    @staticmethod
    def _target(facts: Facts) -> "keras_target.KerasTarget":
        """The Keras the script is written for (setting, imports, project pins); resolved once, on demand."""
        cached = getattr(facts, "_keras_target", None)
        if cached is None:
            cached = keras_target.resolve(facts.target_keras, facts.module, facts.source_path, facts.keras_hint)
            facts._keras_target = cached
        return cached

    @staticmethod
    def _target_evidence(target: "keras_target.KerasTarget") -> list:
        return [(target.node, f"targets Keras 2: {target.reason}")] if target.node is not None else []

    # -- optimizers ----------------------------------------------------------------------------
    def _optimizer_arguments(self, facts: Facts) -> Iterator[Report]:
        seen: set = set()
        for optimizer in facts.optimizers:
            if id(optimizer.node) in seen or not under(optimizer.qualname, "keras.optimizers"):
                continue
            seen.add(id(optimizer.node))
            call = optimizer.node
            kw = optimizer.keywords
            if optimizer.legacy_module:  # legacy optimizers accept lr=, decay= and epsilon=None
                report = self._legacy(facts, optimizer)
                if report is not None:
                    yield report
                continue
            if LEARNING_RATE_ALIAS in kw:
                yield self._lr(call, kw)
            if "decay" in kw and not (isinstance(kw["decay"][0], Const) and kw["decay"][0].value in (0, 0.0, None)):
                yield self._decay(call, optimizer)
            epsilon = kw.get("epsilon")
            if epsilon is not None and isinstance(epsilon[0], Const) and epsilon[0].value is None:
                arg = epsilon[1]
                yield Report(
                    node=arg,
                    message=(
                        "epsilon=None is a Keras 2.2 leftover (None meant 'use K.epsilon()'); current Keras stores "
                        "None and the first training step fails with `ValueError: None values not supported`; "
                        "remove the argument (the default, 1e-7, is the value None used to mean)"
                    ),
                    fix="remove epsilon=None",
                    edits=[fixes.Edit(call, fixes.without_arg(call, arg))],
                    fix_safety=fixes.SAFE,
                )

    def _lr(self, call: cst.Call, kw: dict) -> Report:
        arg = kw[LEARNING_RATE_ALIAS][1]
        modern = OPTIMIZER_KEYWORD_RENAMES[LEARNING_RATE_ALIAS]
        edits = [] if modern in kw else [fixes.rename_keyword(arg, modern)]
        return Report(
            node=arg,
            message=(
                "`lr=` is the Keras 2.2 spelling of the learning rate: Keras 3 rejects it (`ValueError: Argument(s) "
                "not recognized: {'lr': ...}`) and TensorFlow 2.11 to 2.15 only log a warning and train with the "
                "default rate instead; write learning_rate="
            ),
            fix="rename lr= to learning_rate=",
            edits=edits,
            fix_safety=fixes.SAFE if edits else None,
        )

    def _decay(self, call: cst.Call, optimizer: Optimizer) -> Report:
        value, arg = optimizer.keywords["decay"]
        edits = self._decay_edits(call, optimizer, arg)
        return Report(
            node=arg,
            message=(
                "`decay=` (the Keras 2 per-step learning-rate decay) was removed: Keras 3 warns and ignores it, so "
                "the learning rate never decays, and TensorFlow 2.11 to 2.15 raise `ValueError: decay is deprecated "
                "in the new Keras optimizer`; the same decay is the schedule "
                "keras.optimizers.schedules.InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)"
            ),
            fix="pass learning_rate=keras.optimizers.schedules.InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)",
            edits=edits,
            fix_safety=fixes.UNSAFE if edits else None,
            severity=Severity.WARNING,
        )

    @staticmethod
    def _decay_edits(call: cst.Call, optimizer: Optimizer, decay_arg: cst.Arg) -> list:
        """InverseTimeDecay(lr, decay_steps=1, decay_rate=decay) computes lr / (1 + decay * step), the legacy
        formula. Offered when the optimizer is spelled `<prefix>.optimizers.<Class>`, so the schedule can be
        spelled `<prefix>.optimizers.schedules.InverseTimeDecay` with what the file already imports."""
        func = call.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Attribute)
                and func.value.attr.value == "optimizers"):
            return []
        if optimizer.schedule is not None or any(a.star for a in call.args):
            return []
        rate_arg = optimizer.lr_arg
        if rate_arg is None:
            rate = cst.Float(repr(DEFAULT_LR.get(optimizer.kind, 0.001))) if optimizer.kind in DEFAULT_LR else None
        else:
            rate = rate_arg.value
        if rate is None:
            return []
        schedule = cst.Call(
            func=cst.Attribute(value=cst.Attribute(value=func.value, attr=cst.Name("schedules")),
                               attr=cst.Name("InverseTimeDecay")),
            args=[cst.Arg(rate, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                  fixes.keyword_arg("decay_steps", cst.Integer("1")).with_changes(
                      comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                  fixes.keyword_arg("decay_rate", decay_arg.value)],
        )
        if rate_arg is not None:  # the schedule takes the rate's place (keyword renamed), the layout stays
            replaced = rate_arg.with_changes(value=schedule)
            if rate_arg.keyword is not None:
                replaced = replaced.with_changes(keyword=cst.Name("learning_rate"))
            new = fixes.without_arg(call.with_changes(args=[replaced if a is rate_arg else a for a in call.args]),
                                    decay_arg)
        else:
            new = fixes.with_keyword(fixes.without_arg(call, decay_arg), "learning_rate", schedule)
        return [fixes.Edit(call, new)]

    def _legacy(self, facts: Facts, optimizer: Optimizer) -> Optional[Report]:
        """keras.optimizers.legacy.X under Keras 3: only when spelled through the standalone `keras`
        package (`import keras`); `tf.keras.optimizers.legacy` exists up to TensorFlow 2.15."""
        call = optimizer.node
        root = _binding_root(call.func, _syntax(facts).bindings)
        if root != "keras" or self._target(facts).keras2:  # Keras 2's `keras` package has the legacy module
            return None
        edits = []
        func = call.func
        if (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Attribute)
                and func.value.attr.value == "legacy"):
            edits = [fixes.Edit(func.value, func.value.value)]
        return Report(
            node=call,
            message=(
                f"keras.optimizers.legacy.{optimizer.kind} does not exist in Keras 3 (the standalone `keras` package "
                f"this script imports): constructing it raises `ImportError: keras.optimizers.legacy is not supported "
                f"in Keras 3`; use keras.optimizers.{optimizer.kind}"
            ),
            fix=f"use keras.optimizers.{optimizer.kind}",
            edits=edits,
            fix_safety=fixes.UNSAFE if edits else None,
        )

    # -- removed model methods -----------------------------------------------------------------
    def _methods(self, facts: Facts) -> Iterator[Report]:
        uses: dict = {}
        for use in facts.legacy_uses:
            if isinstance(use, MethodUse):
                uses.setdefault(id(use.node), []).append(use)
        syntax = _syntax(facts) if uses else None
        for group in uses.values():
            use = group[0]
            call = syntax.calls.get(id(use.node))
            if call is None or use.name in syntax.defined:
                continue  # not called here, or the script defines a method of that name itself
            if not all(self._keras_receiver(facts, u) for u in group):
                continue
            yield self._method_report(facts, use, call, group)

    @staticmethod
    def _keras_receiver(facts: Facts, use: MethodUse) -> bool:
        receiver = use.receiver
        if isinstance(receiver, ModelValue):
            return receiver.kind != "subclassed" or use.name != "predict_proba"
        if use.name == "predict_proba":
            return False  # scikit-learn estimators have predict_proba: only a known Keras model counts
        return receiver is UNKNOWN and "keras" in facts.frameworks

    def _method_report(self, facts: Facts, use: MethodUse, call: cst.Call, group) -> Report:
        name = use.name
        if name == "predict_classes":
            model = next((u.receiver for u in group if isinstance(u.receiver, ModelValue)), None)
            head = head_of(model) if model is not None else None
            if head is not None and head.activation == "sigmoid":
                modern = '(model.predict(x) > 0.5).astype("int32")'
            elif head is not None and head.activation == "softmax":
                modern = "np.argmax(model.predict(x), axis=-1)"
            else:
                modern = ('np.argmax(model.predict(x), axis=-1) for a softmax output, or '
                          '(model.predict(x) > 0.5).astype("int32") for a sigmoid output')
            return Report(
                node=use.node.attr,
                message=(
                    f"`predict_classes` was removed in TensorFlow 2.6 (and from Keras 3), so this line fails with "
                    f"AttributeError; use {modern}"
                ),
                fix=f"use {modern}",
            )
        modern, params = _GENERATOR_PARAMS[name]
        edits = self._rename_edits(call, name, modern, params)
        target = self._target(facts) if name != "predict_proba" else None
        if target is not None and target.keras2:  # deprecated there, not removed: advice
            return Report(
                node=use.node.attr,
                message=(f"`{name}` is deprecated since TensorFlow 2.1 but still runs on Keras 2, which this script "
                         f"targets ({target.reason}); Keras 3 removed it (AttributeError), and `{modern}` takes the "
                         f"same arguments on both; call `{modern}(...)`"),
                evidence=self._target_evidence(target),
                fix=f"use {modern}(...) with the same arguments",
                severity=Severity.INFO,
                edits=edits,
                fix_safety=fixes.SAFE if edits else None,
            )
        if name == "predict_proba":
            why = ("`predict_proba` was removed in TensorFlow 2.6 (and from Keras 3), so this line fails with "
                   "AttributeError; `predict` returns the same probabilities")
        else:
            why = (f"`{name}` was deprecated in TensorFlow 2.1 and removed in Keras 3 (TensorFlow 2.16+), so this line "
                   f"fails with AttributeError; `{modern}` takes generators, `keras.utils.PyDataset`/`Sequence` "
                   f"objects and tf.data datasets directly")
            passed = [a.keyword.value for a in call.args if a.keyword is not None and a.keyword.value in _REMOVED_FIT_ARGS]
            if passed:
                why += (f" (Keras 3 also dropped {', '.join(passed)} from `{modern}`: they moved to the "
                        f"PyDataset constructor)")
        return Report(
            node=use.node.attr,
            message=f"{why}; call `{modern}(...)` with the same arguments",
            fix=f"use {modern}(...) with the same arguments",
            edits=edits,
            fix_safety=fixes.SAFE if edits else None,
        )

    @staticmethod
    def _rename_edits(call: cst.Call, old: str, new: str, params: tuple) -> list:
        """`model.<old>(g, 100, 5)` -> `model.<new>(g, steps_per_epoch=100, epochs=5)`: positional arguments
        beyond the first become keywords (the two methods order their parameters differently). No fix when
        the arguments cannot be mapped with certainty."""
        if not isinstance(call.func, cst.Attribute):
            return []
        args = list(call.args)
        if any(a.star for a in args):
            return []
        positional = [a for a in args if a.keyword is None]
        if len(positional) > len(params) or any(a.keyword is None for a in args[len(positional):]):
            return []
        keywords = {a.keyword.value for a in args if a.keyword is not None}
        new_args = []
        for index, arg in enumerate(args):
            if arg.keyword is None and index > 0:
                if params[index] in keywords:
                    return []
                arg = arg.with_changes(keyword=cst.Name(params[index]), equal=fixes.NO_SPACE_EQUAL)
            elif arg.keyword is not None and arg.keyword.value == "generator":
                if "x" in keywords:
                    return []
                arg = arg.with_changes(keyword=cst.Name("x"))
            new_args.append(arg)
        new_call = call.with_changes(func=call.func.with_changes(attr=cst.Name(new)), args=new_args)
        return [fixes.Edit(call, new_call)]

    # -- fit/evaluate/predict arguments Keras 3 dropped -----------------------------------------
    def _loader_arguments(self, facts: Facts) -> Iterator[Report]:
        seen: set = set()
        for train_call in facts.calls:
            call = train_call.node
            if id(call) in seen or not isinstance(call.func, cst.Attribute):
                continue
            seen.add(id(call))
            method = call.func.attr.value
            if method not in ("fit", "evaluate", "predict"):
                continue  # the *_generator spellings are reported (and fixed) first
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value in _REMOVED_FIT_ARGS:
                    if self._target(facts).keras2:
                        return  # valid arguments of fit/evaluate/predict on Keras 2
                    name = arg.keyword.value
                    yield Report(
                        node=arg,
                        message=(
                            f"`{name}=` is not an argument of `{method}` in Keras 3 (TensorFlow 2.16+): the call fails "
                            f"with `TypeError: {method}() got an unexpected keyword argument '{name}'`; parallel "
                            f"loading is now configured on the data object (keras.utils.PyDataset(workers=..., "
                            f"use_multiprocessing=..., max_queue_size=...)); remove it here"
                        ),
                        fix=f"remove {name}= (set it on the PyDataset instead)",
                        edits=[fixes.Edit(call, fixes.without_arg(call, arg))],
                        fix_safety=fixes.UNSAFE,
                    )

    # -- keras.backend -------------------------------------------------------------------------
    def _backend(self, facts: Facts) -> Iterator[Report]:
        seen: set = set()
        for use in facts.legacy_uses:
            if not isinstance(use, BackendUse) or id(use.node) in seen:
                continue
            seen.add(id(use.node))
            call = use.node
            if use.name == "image_dim_ordering":
                yield Report(
                    node=call,
                    message=(
                        "`K.image_dim_ordering()` was removed after Keras 2.2 (AttributeError on TensorFlow 2 and "
                        "Keras 3); use K.image_data_format(), which returns 'channels_first' / 'channels_last' "
                        "instead of 'th' / 'tf', and update the comparison"
                    ),
                    fix="use K.image_data_format() and compare with 'channels_first' / 'channels_last'",
                )
                continue
            value, arg = use.args.get("dim_ordering", 0)
            ordering = value.value if isinstance(value, Const) and value.value in ("th", "tf") else None
            modern = {"th": "channels_first", "tf": "channels_last"}.get(ordering)
            edits = []
            if modern is not None and isinstance(call.func, cst.Attribute) and isinstance(arg, cst.Arg) \
                    and isinstance(arg.value, cst.SimpleString) and len(call.args) == 1:
                quote = arg.value.quote
                new_arg = arg.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT,
                                           value=cst.SimpleString(f"{quote}{modern}{quote}"))
                edits = [fixes.Edit(call, call.with_changes(func=call.func.with_changes(attr=cst.Name("set_image_data_format")),
                                                            args=[new_arg]))]
            spelled = f"K.set_image_data_format({modern!r})" if modern else "K.set_image_data_format('channels_first' or 'channels_last')"
            yield Report(
                node=call,
                message=(
                    f"`K.set_image_dim_ordering` was removed after Keras 2.2 (AttributeError on TensorFlow 2 and "
                    f"Keras 3); use {spelled}"
                ),
                fix=f"use {spelled}",
                edits=edits,
                fix_safety=fixes.SAFE if edits else None,
            )

    # -- monitor names of Keras < 2.3 -------------------------------------------------------------
    def _monitors(self, facts: Facts) -> Iterator[Report]:
        """'acc' / 'val_acc' were the names Keras < 2.3 logged for metrics=['accuracy']. TFG302 reports a
        callback passed to a fit whose logged names it knows; this reports the others, when every compile
        that can feed the callback asks for 'accuracy' by known names and none for 'acc'."""
        seen: set = set()
        for callback in facts.callbacks:
            if not isinstance(callback, Callback) or id(callback.node) in seen:
                continue
            seen.add(id(callback.node))
            if not callback.monitors or callback.monitor not in ("acc", "val_acc"):
                continue
            if callback.kind == "ModelCheckpoint" and callback.save_best_only is not True:
                continue
            fits = [c for c in facts.fits() if isinstance(c.callbacks, Seq) and any(i is callback for i in c.callbacks.items)]
            if any(_tfg302_decides(c, callback.monitor) for c in fits):
                continue  # TFG302 knows what this fit logs and reports it
            compiles = [c.compile for c in fits] if fits else list(facts.compiles)
            names = _metric_names(compiles)
            if names is None or "accuracy" not in names or "acc" in names:
                continue
            modern = callback.monitor.replace("acc", "accuracy")
            arg = callback.monitor_node
            edits = []
            if isinstance(arg, cst.Arg) and isinstance(arg.value, cst.SimpleString):
                quote = arg.value.quote
                edits = [fixes.set_value(arg, cst.SimpleString(f"{quote}{modern}{quote}"))]
            yield Report(
                node=arg or callback.node,
                message=(
                    f"{callback.kind} monitors {callback.monitor!r}, the name Keras 2.2 and older logged for "
                    f"metrics=['accuracy']; since Keras 2.3 that metric is logged as {modern!r}, so the callback "
                    f"never finds {callback.monitor!r} and never acts (Keras only warns); monitor {modern!r}"
                ),
                evidence=[(c.node, "metrics=['accuracy'] here") for c in compiles if isinstance(c, Compile)][:1],
                fix=f"monitor {modern!r}",
                edits=edits,
                fix_safety=fixes.UNSAFE if edits else None,
                severity=Severity.WARNING,
            )


def _binding_root(func: cst.CSTNode, bindings: dict) -> Optional[str]:
    """The top-level package a call's function is spelled through (`keras`, `tensorflow`, ...)."""
    node = func
    while isinstance(node, cst.Attribute):
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    dotted = bindings.get(node.value)
    return dotted.split(".")[0] if dotted else None
