"""TFG503 layer-input-rank-mismatch: a rule of the shapes family."""

from __future__ import annotations

from typing import Iterator

import libcst as cst


from tflint_gesture.facts import Facts
from tflint_gesture.facts.queries import REGRESSION, known_loss
from tflint_gesture.facts.shapes import declared_input, fmt, model_trace
from tflint_gesture.facts.shapes.tail import tail_trace
from tflint_gesture.facts.walk import iter_nodes
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid
from tflint_gesture.rules.shapes.common import (
    _dense_head_problem,
    _labels_name,
    _layer_name,
    _model_start,
    _where,
    call_inputs,
    call_labels,
)


def _rank_problems(facts: Facts):
    """(problem, model, data Data or None) for every layer that cannot take the rank it receives, once per layer."""
    seen = set()
    candidates = [(model, None, None) for model in facts.models]
    for model in facts.models:
        if model.kind in ("sequential", "functional") and declared_input(model) is None:
            start = _model_start(facts, model)
            if start is not None:
                first = next(call for call in facts.calls if call.model is model)
                candidates.append((model, start, call_inputs(first)))
    for model, start, data in candidates:
        if model.kind not in ("sequential", "functional"):
            continue
        result = model_trace(facts, model, start)
        if result.input is None:
            continue
        for problem in result.problems:
            if id(problem.layer.node) in seen:
                continue
            seen.add(id(problem.layer.node))
            yield problem, model, data


_SET_FORMAT = ("set_image_data_format", "set_image_dim_ordering")


def _sets_data_format(facts: Facts) -> bool:
    """The script sets Keras' global image data format (`K.set_image_data_format(...)`, Keras 1's
    `set_image_dim_ordering("th")`), whatever the value: the layers' default axes are then not known."""
    if facts.source is not None and not any(name in facts.source for name in _SET_FORMAT):
        return False
    for node in iter_nodes(facts.module):
        if isinstance(node, cst.Call):
            func = node.func
            name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
            if name in _SET_FORMAT:
                return True
    return False


class LayerInputRank(Rule):
    """A layer receives a tensor of a rank it cannot take."""

    code = "TFG503"
    name = "layer-input-rank-mismatch"
    severity = Severity.ERROR
    summary = "a layer receives a tensor of a rank it cannot take (e.g. Conv3D output into an LSTM)"
    family = "shapes"

    explanation = """
        A layer receives a tensor with a number of axes it cannot take, such as the 5-D output of a Conv3D fed straight into an LSTM.
        """

    what_it_does = """
        Follows the shape of each sample through the model, layer by layer, from the declared input (or,
        when the model declares none, from the shape of the data passed to `fit`/`evaluate`/`predict`), and
        reports the first layer that cannot take the rank it receives:

        | layer | needs (with the batch axis) |
        |---|---|
        | `SimpleRNN`, `LSTM`, `GRU`, `Bidirectional(...)` | 3-D `(batch, timesteps, features)` |
        | `Conv1D` / `Conv2D` / `Conv3D` (also separable, depthwise, transposed) | at least 3-D / 4-D / 5-D, channels included |
        | `MaxPooling*`, `AveragePooling*`, `GlobalAveragePooling*`, `GlobalMaxPooling*`, `UpSampling*`, `ZeroPadding*`, `Cropping*` | exactly 3-D / 4-D / 5-D |
        | `ConvLSTM1D` / `ConvLSTM2D` / `ConvLSTM3D` | exactly 4-D / 5-D / 6-D `(batch, time, ..., channels)` |
        | `RepeatVector` | 2-D |
        | `TimeDistributed(...)` | at least 3-D, and the wrapped layer must take one time step |
        | `Permute(dims)` | one axis per entry of `dims`, plus the batch |
        | `Concatenate` | inputs of one rank |
        | `Conv*`, `MaxPooling*`, `AveragePooling*` with `padding="valid"` | a spatial size at least as large as the kernel or pool window along every axis |

        It also reports a `Dense` head that works on a sequence or a feature map while the labels have no
        such axes: a `Dense` applies to the last axis only, so after a `Conv2D`, a base network without
        pooling or an `LSTM(return_sequences=True)` it outputs one prediction per position. This is reported
        when the model is trained on labels of known shape with a cross-entropy loss, or with a regression
        loss whose targets stay of lower rank than the outputs after Keras squeezes a trailing axis of 1
        (`(batch, 3)` targets against `(batch, 64, 3)` outputs raise `Incompatible shapes`; `(batch,)`
        targets against `(batch, 64, 1)` outputs broadcast every output against every target of the batch),
        on the first `Dense` where a `Flatten`, a global pooling or `return_sequences=False` belongs. When
        the layers before the head are unknown (a custom block, data of unknown shape for a model without
        an `Input`), the rank comes from the last layer whose output rank is its own (a `Conv2D`, an `LSTM`,
        `Flatten`, a literal `Reshape`, the model's `Input`).

        The shapes come from the layers' constructor arguments (kernel sizes, strides, padding, dilation,
        `return_sequences`, `merge_mode`, ...) as Keras computes them; the message names the layer, the
        shape it receives, where that shape comes from and what it needs.
        """

    why_is_this_bad = """
        Keras refuses the model when it builds it, before any training:

        ```text
        ValueError: Input 0 with name 'None' of layer 'lstm' is incompatible with the layer:
        expected ndim=3, found ndim=5. Full shape received: (None, 7, 31, 31, 8)
        ```

        A `Conv2D` on grayscale images loaded as `(28, 28)` fails the same way (`expected min_ndim=4, found
        ndim=3`): the channels axis is missing. Theano-ordered images, `input_shape=(1, 28, 28)`, on a
        channels_last model (the default) make a 3x3 kernel slide over a height of 1, and Keras 3.15 stops at
        build with `ValueError: Computed output size would be zero or negative` (a pool window larger than
        what is left after a few poolings fails the same way). A `Dense` head on a feature map builds, but the first batch
        fails on the loss (`Argument output must have rank (ndim) target.ndim - 1`).
        """

    INVALID = [
        Invalid(
            """
            import numpy as np
            from tensorflow import keras
            from tensorflow.keras import layers

            # 200 clips of 16 frames, 64x64 RGB, normalised to 0..1; 10 signs
            clips = np.random.rand(200, 16, 64, 64, 3).astype("float32")
            labels = np.random.randint(0, 10, size=(200,))

            model = keras.Sequential([
                keras.Input(shape=(16, 64, 64, 3)),
                layers.Conv3D(32, 3, activation="relu"),
                layers.MaxPooling3D(2),
                layers.LSTM(64),
                layers.Dense(10, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(clips, labels, epochs=10, validation_split=0.2)
            """,
            expect="TFG503",
        ),
    ]

    use_instead_intro = """
        Process each frame with `TimeDistributed` layers and give the LSTM one feature vector per frame:
        """

    VALID = [
        Valid(
            """
            import numpy as np
            from tensorflow import keras
            from tensorflow.keras import layers

            # 200 clips of 16 frames, 64x64 RGB, normalised to 0..1; 10 signs
            clips = np.random.rand(200, 16, 64, 64, 3).astype("float32")
            labels = np.random.randint(0, 10, size=(200,))

            model = keras.Sequential([
                keras.Input(shape=(16, 64, 64, 3)),
                layers.TimeDistributed(layers.Conv2D(32, 3, activation="relu")),
                layers.TimeDistributed(layers.MaxPooling2D(2)),
                layers.TimeDistributed(layers.GlobalAveragePooling2D()),
                layers.LSTM(64),
                layers.Dense(10, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(clips, labels, epochs=10, validation_split=0.2)
            """,
        ),
    ]

    use_instead_notes = """
        A `Reshape((7, 31 * 31 * 32))` between the 3-D convolution and the LSTM works too, as does a
        `ConvLSTM2D` in place of both.
        """

    when_it_stays_silent = """
        - A shape on the way is unknown: a layer the analysis does not know (custom layers, `Lambda`,
          attention blocks, `TextVectorization`), an argument that is not a literal, `**kwargs`, a
          subclassed or loaded model; the model declares no input and the data's shape is unknown.
        - More axes than a convolution needs (`Conv2D` on 5-D input): tf.keras 2 treats the extra axes as
          batch axes, so only a missing axis is reported for convolutions.
        - A `Dense` on a sequence or a feature map whose labels have the same axes (sequence labelling,
          per-pixel outputs), or whose loss is a regression or unknown loss.
        - 1-D data (a single feature per sample) into a model that declares no input.
        - A window larger than its input when the script sets the image data format globally
          (`K.set_image_data_format(...)`, Keras 1's `K.set_image_dim_ordering("th")`), or when the
          layer's padding is `"same"`; a `~/.keras/keras.json` that says channels_first is not visible.
        """

    severity_reason = """
        **error.** A layer that receives a tensor of a rank it cannot take fails when the model is
        built (the layer's input spec raises), before any training.
        """

    references = """
        - [Keras: LSTM layer (input: 3-D tensor)](https://keras.io/api/layers/recurrent_layers/lstm/)
        - [Keras: Conv2D layer (input: 4-D tensor)](https://keras.io/api/layers/convolution_layers/convolution2d/)
        - [Keras: TimeDistributed layer](https://keras.io/api/layers/recurrent_layers/time_distributed/)
        - [Keras: Flatten layer](https://keras.io/api/layers/reshaping_layers/flatten/)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        for problem, model, data in _rank_problems(facts):
            if problem.window and _sets_data_format(facts):
                continue  # a global channels_first changes which axes the window slides over
            yield self._rank_report(facts, problem, model, data)
        seen = set()
        for call in facts.fits():
            found = _head_on_feature_map(facts, call)
            if found is None:
                continue
            report, node = found
            if id(node) not in seen:
                seen.add(id(node))
                yield report

    @staticmethod
    def _rank_report(facts: Facts, problem, model, data) -> Report:
        layer = problem.layer
        evidence = []
        if problem.source is not None:
            origin = f"from {_layer_name(facts, problem.source)}"
            evidence.append((problem.source.node, f"{_layer_name(facts, problem.source)} outputs {fmt(problem.incoming)}"))
        elif data is not None and declared_input(model) is None:
            origin = f"from the data{_where(facts, data)}, which sets the model input"
            if data.origin is not None:
                evidence.append((data.origin.node, f"data: {data.origin.note}"))
        else:
            declared = declared_input(model)
            origin = "from the model input"
            if declared is not None:
                origin += f" declared at line {facts.line(declared[1])}" if facts.line(declared[1]) else ""
                evidence.append((declared[1], f"declared input {fmt(declared[0], batch=False)}"))
        return Report(
            node=layer.node,
            message=(
                f"{layer.kind} receives a tensor of shape {fmt(problem.incoming)} {origin}, but it needs "
                f"{problem.needs}; Keras refuses it with a ValueError when it builds the model, before any "
                f"training; {problem.hint}"
            ),
            evidence=evidence,
            fix=problem.hint,
        )


def _effect(loss: str) -> str:
    if loss in REGRESSION:
        return ("the loss then lines the targets' batch axis up with an axis of the outputs: Keras raises when the "
                "sizes clash, and otherwise compares outputs with the targets of other samples")
    return "Keras raises a ValueError about the target and output shapes on the first batch"


def _head_on_feature_map(facts: Facts, call):
    known = known_loss(call)
    labels = call_labels(call)
    if known is None or labels is None:
        return None
    model = call.model
    if model.kind not in ("sequential", "functional"):
        return None
    start = _model_start(facts, model) if declared_input(model) is None else None
    result = model_trace(facts, model, start)
    if result.output is None and not result.problems:
        result = tail_trace(model) or result  # the head's input rank, when the layers before it are unknown
    found = _dense_head_problem(model, result, known[1].name, labels)
    if found is None:
        return None
    step, source = found
    incoming = step.inputs[0]
    sequence = len(incoming) == 2
    if source is not None and source.kind in ("LSTM", "GRU", "SimpleRNN", "Bidirectional", "ConvLSTM1D"):
        fix = f"set return_sequences=False on the last {source.kind}, or add GlobalAveragePooling1D() before the Dense"
    elif sequence:
        fix = "add GlobalAveragePooling1D() or Flatten() before the Dense layer"
    else:
        pool = f"GlobalAveragePooling{len(incoming) - 1}D()"
        fix = f"insert Flatten() or {pool} before the Dense layer"
    produced = f" from {_layer_name(facts, source)}" if source is not None else ""
    evidence = [(call.node, "trained here")]
    if source is not None:
        evidence.insert(0, (source.node, f"{_layer_name(facts, source)} outputs {fmt(incoming)}"))
    if labels.origin is not None:
        evidence.append((labels.origin.node, f"labels: {labels.origin.note}"))
    report = Report(
        node=step.layer.node,
        message=(
            f"Dense (line {facts.line(step.layer.node)}) receives the {'sequence' if sequence else 'feature map'} "
            f"{fmt(incoming)}{produced} and works on its last axis only, so the model outputs "
            f"{fmt(result.output)} while the labels {_labels_name(facts, call)} are shaped "
            f"{fmt(tuple(labels.shape[1:]))} for "
            f"{known[1].name}; {_effect(known[1].name)}; {fix}"
        ),
        evidence=evidence,
        fix=fix,
    )
    return report, step.layer.node
