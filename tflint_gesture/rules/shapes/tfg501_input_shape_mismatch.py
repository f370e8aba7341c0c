"""TFG501 input-shape-mismatch: a rule of the shapes family."""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from tflint_gesture.facts import Facts
from tflint_gesture.facts.shapes import declared_input, fmt
from tflint_gesture.facts.values import Data, Seq, Tensor
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid
from tflint_gesture.rules.shapes.common import _compatible, _layer_name, _where, call_inputs


def _input_verdict(data_shape: tuple, declared: tuple, functional: bool) -> Optional[str]:
    """What Keras 3 does with data of `data_shape` fed to a model that declares `declared` per sample.

    None: it fits. 'boundary': the model's own input check raises (certain). 'squeeze' / 'expand':
    Keras drops or adds one trailing axis of size 1 and the result fits. 'layers': the model's input
    check passes but the shapes still differ, so whether it fails is up to the layers reading the input.
    Mirrors keras/src/layers/input_spec.py (a functional model's spec, `allow_last_axis_squeeze=True`)
    and `Functional._adjust_input_rank`; a Sequential model only goes through the latter.
    """
    sample = tuple(data_shape[1:])
    if _compatible(sample, declared):
        return None
    if functional and not _spec_accepts(sample, declared):
        return "boundary"
    if len(sample) == len(declared):
        adjusted, kind = sample, "layers"
    elif len(sample) == len(declared) + 1 and sample[-1] == 1:
        adjusted, kind = sample[:-1], "squeeze"
    elif len(sample) == len(declared) - 1 and declared[-1] == 1:
        if not sample:
            return None  # 1-D data into shape (1,): every Keras version adds that axis itself
        adjusted, kind = sample + (1,), "expand"
    else:
        return "boundary"
    return kind if _compatible(adjusted, declared) else "layers"


def _spec_accepts(sample: tuple, declared: tuple) -> bool:
    """A functional model's InputSpec check: a trailing 1 dropped on each side, then the common axes compared."""
    spec, shape = (None,) + tuple(declared), (None,) + tuple(sample)
    if shape[-1] == 1:
        shape = shape[:-1]
    if spec[-1] == 1:
        spec = spec[:-1]
    return all(a is None or b is None or a == b for a, b in zip(spec, shape))


def _input_read_by_unknown_layer(model) -> bool:
    """A layer the analysis cannot follow (a custom Layer subclass, a Lambda) reads the model's input."""
    return any(_unfollowed(layer) for layer in _input_consumers(model))


# layers whose weights are sized by the last axis of what they read: a different width there cannot be built
_SIZED_BY_LAST_AXIS = {"Dense", "EinsumDense", "Conv1D", "Conv2D", "Conv3D", "SeparableConv1D", "SeparableConv2D",
                       "DepthwiseConv1D", "DepthwiseConv2D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
                       "LSTM", "GRU", "SimpleRNN", "ConvLSTM1D", "ConvLSTM2D", "BatchNormalization",
                       "LayerNormalization"}


def _layers_fail(model, sample: tuple, declared: tuple) -> bool:
    """Past the model's own input check, whether its layers certainly reject `sample` (verdict 'layers').

    Silent past a layer the analysis cannot follow (a custom Layer subclass may read any shape). A layer
    sized by the last axis fails when that axis differs; otherwise a Sequential model of known layers is
    traced from the data's shape (`_runs_anyway` then decides between a warning and an error), anything
    else is left alone.
    """
    if _input_read_by_unknown_layer(model):
        return False
    readers = _input_consumers(model)
    if len(sample) == len(declared) + 1:
        adjusted = sample[:-1]  # squeezed
    elif len(sample) < len(declared):
        adjusted = sample + (1,)  # expanded
    else:
        adjusted = sample
    if any(r.kind in _SIZED_BY_LAST_AXIS for r in readers) and adjusted and declared and None not in (
            adjusted[-1], declared[-1]) and adjusted[-1] != declared[-1]:
        return True
    if model.kind != "sequential" or not readers:
        return False
    return not any(_unfollowed(layer) for layer in model.layers)  # a custom layer further on may reshape it


def _unfollowed(layer) -> bool:
    if not layer.known or layer.kind in ("Lambda", "TFOpLambda"):
        return True
    return layer.kind == "Model" and (layer.model is None or layer.model.kind not in ("sequential", "functional"))


def _input_consumers(model) -> list:
    if model.kind == "sequential":
        rest = [layer for layer in model.layers if layer.kind != "InputLayer"]
        return rest[:1]
    inputs = model.inputs.items if isinstance(model.inputs, Seq) else [model.inputs]
    found, seen = [], set()
    stack = list(model.output.items) if isinstance(model.output, Seq) else [model.output]
    while stack:
        tensor = stack.pop()
        if not isinstance(tensor, Tensor) or id(tensor) in seen:
            continue
        seen.add(id(tensor))
        if tensor.layer is not None and any(p is i for p in tensor.parents for i in inputs):
            found.append(tensor.layer)
        stack.extend(tensor.parents)
    return found


class InputShapeMismatch(Rule):
    """The model's declared input shape differs from the per-sample shape of the data."""

    code = "TFG501"
    name = "input-shape-mismatch"
    severity = Severity.ERROR
    summary = ("the data's per-sample shape differs from the model's declared input (warning for one trailing axis "
               "of size 1, which only Keras 3 and recent tf.keras absorb)")
    family = "shapes"

    explanation = """
        The data passed to `fit`, `evaluate` or `predict` has a different per-sample shape than the input the model declares.
        """

    what_it_does = """
        Compares the input shape a model declares with the shape of each sample of the data it is given.
        The declared shape comes from `keras.Input(shape=...)`, `InputLayer(shape=...)` /
        `InputLayer(input_shape=...)`, or `input_shape=` / `input_dim=` / `batch_input_shape=` on the first
        layer of a `Sequential`. The data's shape is known when the array was built by a call with literal
        sizes (`np.random.rand(2000, 20, 2)`, `np.zeros((n, 63))`, `tf.random.normal(...)`), loaded from
        `keras.datasets`, loaded by `image_dataset_from_directory` / `flow_from_directory` (their
        `image_size` / `target_size`, default `(256, 256)`, and `color_mode`), or derived from such an array by
        `reshape`, `np.expand_dims`, `np.squeeze`, `np.stack`, `x[..., np.newaxis]`, `x[0]`, splitting or
        scaling. Keras reads the first axis of the data as the batch, so the per-sample shape is the rest.

        It models what Keras 3 does with the data (`keras/src/layers/input_spec.py`,
        `Functional._adjust_input_rank`): a functional model first checks its input spec, which drops a
        trailing axis of size 1 on each side (`allow_last_axis_squeeze=True`) and compares the axes both
        then have; every model then squeezes or adds one trailing axis of size 1 to reach the declared rank,
        and fails on any other rank difference. A Sequential model skips the spec check, so a size that
        differs at the same rank is up to the layers that read the input.

        It reports on the data argument of the call, in one of these forms:

        - **error**: the shapes disagree and Keras 3 raises, for example `(20, 2)` samples into a model
          declared for `(40,)`, images loaded at the default 256x256 into a model declared for 180x180 and
          flattened into a Dense layer, or `(60, 63)` clips into a functional model declared for `(30, 63)`;
        - **error**: `predict` on a single sample without its batch axis (`model.predict(x[0])`), which
          Keras reads as a batch of scalars;
        - **warning**: the data has exactly one trailing axis of size 1 more (or less) than the declared
          input, like the common `x.reshape(-1, n_features, 1)` into `input_shape=(n_features,)`. Keras 3
          (`Functional._adjust_input_rank`) and recent tf.keras 2 releases (`_conform_to_reference_input`,
          for a declared input) squeeze (or add) that axis silently and train; older Keras 2 (the
          multi-backend `keras` package, TF 1.x) stops with `Error when checking input: expected dense_input
          to have 2 dimensions`. The script runs by accident of the version, and the reshape usually shows
          that the author meant a different model.
        - **warning**: a Sequential model of layers that take any size up to a global pooling (or an LSTM)
          gets samples of another size at the same rank: Keras 3 trains silently on that size, not the one
          the model was declared for.
        """

    why_is_this_bad = """
        A model built for one input shape cannot take another. Keras 3 stops before the first step:

        ```text
        ValueError: Exception encountered when calling Sequential.call().
        Invalid input shape for input Tensor("data:0", shape=(32, 20, 2), dtype=float32) with name
        'keras_tensor' and path ''. Expected shape (None, 40), but input has incompatible shape (32, 20, 2)
        ```

        The same happens to a single sample passed to `predict`: its first axis becomes the batch, and the
        model receives `(12,)` where it expects `(None, 12)`.
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras

            # 2000 hand poses: 20 landmarks x (x, y), normalised to 0..1; 3 gestures
            x = np.random.rand(2000, 20, 2)
            y = np.random.randint(0, 3, size=(2000,))

            model = keras.Sequential([
                keras.Input(shape=(40,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(3, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
            expect="TFG501",
        ),
    ]

    use_instead_intro = """
        Flatten each sample to the 40 values the model declares:
        """

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras

            # 2000 hand poses: 20 landmarks x (x, y), normalised to 0..1; 3 gestures
            x = np.random.rand(2000, 20, 2)
            x = x.reshape(len(x), -1)
            y = np.random.randint(0, 3, size=(2000,))

            model = keras.Sequential([
                keras.Input(shape=(40,)),
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dense(3, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x, y, epochs=20, validation_split=0.2)
            """,
        ),
    ]

    use_instead_notes = """
        Or keep the data as it is and declare `keras.Input(shape=(20, 2))` followed by `keras.layers.Flatten()`.
        For a single prediction, keep the batch axis: `model.predict(x[np.newaxis])` or `model.predict(x[:1])`.
        """

    when_it_stays_silent = """
        - The data goes through a step the script wrote: a model subclass's own `train_step` for `fit`
          (`test_step` for `evaluate`) takes each batch apart (`anchors, positives = data[:, 0], data[:, 1]`)
          before the model sees it, so the batch's shape is not the model's input.
        - The input passes the model's own check and the layer reading it is one the analysis cannot follow
          (a custom `Layer` subclass, a `Lambda`): a Sequential model declared for 30 frames whose first
          layer, a custom sampler, reads 60-frame clips trains fine in Keras 3.
        - The model declares no input shape (Keras then builds it from the data), or its input comes from
          a model it cannot follow (a subclassed model, `load_model`, a `keras.applications` network).
        - The data's shape is unknown: read from disk, returned by an unknown function, built in a loop, or
          changed by `tf.reshape`, `tf.image.resize` or a `Dataset.map` the analysis cannot follow.
        - A size is unknown on either side: only sizes both sides know are compared.
        - 1-D data into a model declared with `shape=(1,)`: every Keras version adds that axis itself.
        - The model has several inputs.
        """

    severity_reason = """
        **error.** Reported only when the declared input shape and the data's per-sample shape are both
        known and Keras rejects them: the fit stops before the first step.
        """

    references = """
        - [Keras: the Input object](https://keras.io/api/layers/core_layers/input/)
        - [Keras: the Sequential model, specifying the input shape in advance](https://keras.io/guides/sequential_model/#specifying-the-input-shape-in-advance)
        - [Keras 3 source: `Functional._adjust_input_rank`](https://github.com/keras-team/keras/blob/master/keras/src/models/functional.py)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        seen = set()
        for call in facts.calls:
            if call.model.kind not in ("sequential", "functional"):
                continue
            declared = declared_input(call.model)
            data = call_inputs(call)
            if declared is None or data is None or call.x_node is None:
                continue
            shape, declared_node = declared
            verdict = _input_verdict(tuple(data.shape), shape, call.model.kind == "functional")
            if verdict is None or verdict == "layers" and not _layers_fail(call.model, tuple(data.shape[1:]), shape):
                continue
            key = (id(call.model), data.root, verdict)
            if key in seen:
                continue
            seen.add(key)
            yield self._report(facts, call, data, shape, declared_node, verdict)

    @staticmethod
    def _report(facts: Facts, call, data: Data, declared: tuple, declared_node, verdict: str) -> Report:
        name = facts.code(call.x_node)
        sample = tuple(data.shape[1:])
        where = _where(facts, data)
        line = facts.line(declared_node)
        model_says = (f"the model is declared with `{_declaration(facts, declared_node)}`"
                      + (f" at line {line}" if line else "") + f", an input of {fmt(declared)}")
        evidence = [(declared_node, f"declared input {fmt(declared, batch=False)}")]
        if data.origin is not None:
            evidence.append((data.origin.node, f"data: {data.origin.note}"))
        if verdict in ("squeeze", "expand"):
            got = f"array with shape (n, {', '.join(map(_dim, sample))})"
            keras2 = f"expected {len(declared) + 1} dimensions, but got {got}"
            if verdict == "squeeze":
                what = "one trailing axis of size 1 more than the model's input"
                keras3 = "squeezes that axis away"
                fix = (f"drop the trailing axis from the data (undo the reshape, keep {fmt(sample[:-1])}), or, if a "
                       f"Conv1D/LSTM should read each sample as a sequence, declare the input with the axis "
                       f"({fmt(sample, batch=False)}) and use such a layer")
            else:
                what = "one trailing axis of size 1 less than the model's input"
                keras3 = "adds that axis"
                fix = (f"add the axis to the data (`{name}[..., np.newaxis]`), or declare the input as the data is "
                       f"({fmt(sample, batch=False)})")
            return Report(
                node=call.x_node,
                message=(
                    f"`{name}`{where} reaches {call.method} shaped {fmt(sample)}, {what}: {model_says}; Keras 3 "
                    f"(and recent tf.keras 2 releases, for a declared input) silently {keras3} and "
                    f"{_RUNS[call.method]}, while older Keras 2 (multi-backend Keras, TF 1.x) stops with 'Error when "
                    f"checking input: "
                    f"{keras2}', so the script only runs by accident of the version; {fix}"
                ),
                evidence=evidence,
                fix=fix,
                severity=Severity.WARNING,
            )
        if call.method == "predict" and _compatible(tuple(data.shape), declared):
            fix = f"add the batch axis: model.predict({name}[np.newaxis]) (or np.expand_dims({name}, 0))"
            return Report(
                node=call.x_node,
                message=(
                    f"`{name}`{where} is a single sample of shape {fmt(tuple(data.shape), batch=False)} without its "
                    f"batch axis; predict reads its first axis as the batch, so the model, which declares "
                    f"{fmt(declared)}, receives {fmt(sample)} and Keras raises a ValueError about an incompatible "
                    f"input shape; {fix}"
                ),
                evidence=evidence,
                fix=fix,
            )
        if _runs_anyway(call.model, sample, declared):
            fix = _mismatch_fix(name, data, sample, declared)
            return Report(
                node=call.x_node,
                message=(
                    f"`{name}`{where} has per-sample shape {fmt(sample, batch=False)} but {model_says}; a Sequential "
                    f"model only checks the rank of its input and these layers accept any size up to a global "
                    f"pooling, so Keras 3 silently {_RUNS[call.method]} (tf.keras 2 only warns) on "
                    f"{fmt(sample, batch=False)} inputs, not the size the model was designed and declared for "
                    f"(slower, and a mismatch with whatever is fed at inference); {fix}"
                ),
                evidence=evidence,
                fix=fix,
                severity=Severity.WARNING,
            )
        fix = _mismatch_fix(name, data, sample, declared)
        if verdict == "boundary":
            fails = "Keras raises a ValueError about an incompatible input shape before the first step"
        else:
            reader = _input_consumers(call.model)[0]
            fails = (f"Keras 3 lets it past the model's input check, then {_layer_name(facts, reader)} and the layers "
                     f"after it, built for {fmt(declared)}, raise a ValueError before the first step")
        return Report(
            node=call.x_node,
            message=(
                f"`{name}`{where} has per-sample shape {fmt(sample, batch=False)} but {model_says}, so {call.method} "
                f"feeds {fmt(sample)} into a model built for {fmt(declared)}; {fails}; {fix}"
            ),
            evidence=evidence,
            fix=fix,
        )


_RUNS = {"fit": "trains", "train_on_batch": "trains", "evaluate": "evaluates", "predict": "predicts"}


def _runs_anyway(model, sample: tuple, declared: tuple) -> bool:
    """True when a Sequential model traced from the data's shape (not the declared one) meets no rank
    problem and ends in the same output: Keras only warns about the declared shape, then runs
    (a fully convolutional stack up to global pooling takes any image size)."""
    from tflint_gesture.facts.shapes import Trace, trace, trace_sequential

    if model.kind != "sequential" or len(sample) != len(declared) or any(d is None for d in sample):
        return False
    from_data = Trace(input=sample, declared=False)
    trace_sequential(model, sample, from_data, 0)
    from_declared = trace(model)
    if from_data.problems or from_data.output is None or from_data.output != from_declared.output:
        return False
    if len(from_data.steps) != len(from_declared.steps):
        return False
    # weights are sized by the last axis (channels, features): every layer must see the same width there
    for a, b in zip(from_data.steps, from_declared.steps):
        if not a.inputs or not b.inputs or not a.inputs[0] or not b.inputs[0] or a.inputs[0][-1] != b.inputs[0][-1]:
            return False
    return True


def _declaration(facts: Facts, node) -> str:
    """`input_shape=(num_features,)` or `keras.Input(shape=(63,))`: the source that declares the input."""
    if isinstance(node, cst.Arg) and node.keyword is not None:
        return f"{node.keyword.value}={facts.code(node, 50)}"
    return facts.code(node, 60)


def _dim(d) -> str:
    return "?" if d is None else str(d)


def _mismatch_fix(name: str, data: Data, sample: tuple, declared: tuple) -> str:
    known = not any(d is None for d in sample + declared)
    if data.is_image and len(sample) == len(declared) == 3 and sample[-1] == declared[-1]:
        size = f"({_dim(declared[0])}, {_dim(declared[1])})"
        return (f"load the images at the model's size, image_size={size} (target_size= for flow_from_directory; "
                f"both default to (256, 256)), or put layers.Resizing{size} first in the model")
    if known and _size(sample) == _size(declared):
        target = ", ".join(str(d) for d in declared)
        return (f"reshape the data to {fmt(declared, batch=False)} per sample (`{name}.reshape(len({name}), "
                f"{target})`), or declare the input as {fmt(sample, batch=False)} and add a Flatten/Reshape layer "
                f"where the model needs it")
    return (f"declare the input shape the data has, {fmt(sample, batch=False)}, or build the data with "
            f"{fmt(declared, batch=False)} per sample")


def _size(shape: tuple) -> int:
    total = 1
    for d in shape:
        total *= d
    return total
