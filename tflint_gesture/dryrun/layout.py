"""Run a channels_first model channels_last, where the result does not depend on the layout.

Keras 1/2 scripts written for Theano build their convolutions channels_first (`K.set_image_dim_ordering
("th")`, `input_shape=(1, 28, 28)`). TensorFlow's CPU kernels only run NHWC unless oneDNN rewrites them,
so the same model raises `The Conv2D op currently only supports the NHWC tensor format on the CPU` on
one machine and trains on another: a property of the machine, not of the script. The worker therefore
rebuilds such a model channels_last (every layer that has a data format flips it, a channel-axis
BatchNormalization/Concatenate follows the channels to the end, the inputs are transposed) whenever
each layer that sees a tensor of rank > 2 is one whose result does not depend on where the channels
are. Anything else (Reshape, Permute, Dense on a feature map, a custom layer...) keeps the model as
built, and a CPU that refuses it makes the run `not-run` with the reason.

Worker-side only: imports Keras.
"""

from __future__ import annotations

# Layers that act element by element or merge same-shaped tensors: any layout gives the same numbers.
_ELEMENTWISE = frozenset({
    "InputLayer", "Activation", "ReLU", "LeakyReLU", "ELU", "PReLU", "Softmax", "Dropout", "GaussianNoise",
    "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Rescaling", "Identity", "Add", "Subtract",
    "Multiply", "Average", "Maximum", "Minimum", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
})
# Elementwise only when they do not pick an axis.
_AXIS_FREE = {"PReLU": "shared_axes", "Softmax": "axis", "Dropout": "noise_shape"}
_CHANNEL_AXIS_LAYERS = frozenset({"BatchNormalization", "Concatenate", "LayerNormalization", "GroupNormalization"})


class LayoutDependent(Exception):
    """The model's result depends on where the channels are: it cannot be rebuilt channels_last."""


def channels_first_layers(model) -> list:
    """Names of the layers (nested models included) built with data_format="channels_first"."""
    return [layer.name for layer in model._flatten_layers(include_self=False, recursive=True)
            if getattr(layer, "data_format", None) == "channels_first"]


def to_channels_last(model):
    """(compiled channels_last twin of `model`, note); raises LayoutDependent with the reason."""
    import keras

    from tflint_gesture.dryrun.fresh_optimizer import fresh_optimizer

    if not _is_graph(model, keras):
        raise LayoutDependent("it is a subclassed model, which cannot be rebuilt layer by layer")
    plans = {}
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.Model):
            if not _is_graph(layer, keras):
                raise LayoutDependent(f"the nested model `{layer.name}` is subclassed")
            continue
        plans[id(layer)] = _plan(layer)
    for output in model.outputs:
        if len(output.shape) > 2:
            raise LayoutDependent(f"its output has rank {len(output.shape)}, so the labels depend on the layout")

    def clone(layer):
        config = layer.get_config()
        changes = plans.get(id(layer), {})
        config.update(changes)
        return layer.__class__.from_config(config)

    inputs = [keras.Input(batch_shape=_last(tuple(t.shape)), dtype=t.dtype) for t in model.inputs]
    twin = keras.models.clone_model(model, input_tensors=inputs if len(inputs) > 1 else inputs[0],
                                    clone_function=clone, recursive=True)
    optimizer = fresh_optimizer(model.optimizer, None)
    if optimizer is None:
        raise LayoutDependent("its optimizer could not be rebuilt")
    compile_args = dict(model._compile_config.config)
    compile_args["optimizer"] = optimizer
    twin.compile(**compile_args)
    flipped = channels_first_layers(model)
    shapes = ", ".join(f"{tuple(t.shape[1:])} -> {_last(tuple(t.shape))[1:]}" for t in model.inputs)
    note = (f"run channels_last (TensorFlow's CPU convolutions need NHWC unless oneDNN rewrites them): the "
            f"{len(flipped)} channels_first layers "
            f"({', '.join(flipped[:4])}{', ...' if len(flipped) > 4 else ''}) were rebuilt channels_last and the "
            f"inputs transposed ({shapes}); no layer of this model depends on the layout")
    return twin, note


def transpose_inputs(x):
    """Move the channel axis of synthetic inputs (batch, C, ...) to the end."""
    import numpy as np

    if isinstance(x, list):
        return [transpose_inputs(v) for v in x]
    return np.moveaxis(x, 1, -1) if x.ndim >= 3 else x


def _plan(layer) -> dict:
    """The config changes that make `layer` channels_last, or LayoutDependent."""
    name = type(layer).__name__
    try:
        rank = len(layer.input.shape)
    except Exception:  # noqa: BLE001 - a layer used twice, or never called symbolically
        raise LayoutDependent(f"what layer `{layer.name}` receives is not known") from None
    config = layer.get_config()
    if config.get("data_format") == "channels_first":
        return {"data_format": "channels_last"}
    if rank <= 2:
        return {}
    if "data_format" in config:  # channels_last amid channels_first layers: it reads the channels elsewhere
        raise LayoutDependent(f"layer `{layer.name}` ({name}) is channels_last in a channels_first model")
    if name in _ELEMENTWISE:
        key = _AXIS_FREE.get(name)
        if key is None or config.get(key) in (None, -1 if name != "Softmax" else None):
            return {}
        raise LayoutDependent(f"layer `{layer.name}` ({name}) uses {key}={config.get(key)!r}")
    if name in _CHANNEL_AXIS_LAYERS:
        axis = config.get("axis")
        axes = axis if isinstance(axis, (list, tuple)) else [axis]
        if list(axes) in ([1], [1 - rank]):
            return {"axis": -1 if not isinstance(axis, (list, tuple)) else [-1]}
        raise LayoutDependent(f"layer `{layer.name}` ({name}) works on axis {axis!r} of a {rank}-D tensor, "
                              "which is not the channel axis")
    raise LayoutDependent(f"layer `{layer.name}` ({name}) receives a {rank}-D tensor whose layout matters to it")


def _last(shape: tuple) -> tuple:
    if len(shape) < 3:
        return shape
    return (shape[0], *shape[2:], shape[1])


def _is_graph(model, keras) -> bool:
    from keras.src.models.functional import Functional

    return isinstance(model, (keras.Sequential, Functional))


def is_layout_error(message: str) -> bool:
    """The CPU refused a channels_first kernel (not a bug of the script)."""
    text = message or ""
    return ("NHWC" in text or "NCHW" in text or "NCW" in text.split()) and ("CPU" in text or "format" in text)


__all__ = ["LayoutDependent", "channels_first_layers", "to_channels_last", "transpose_inputs", "is_layout_error"]
