"""Reuse a frozen backbone's output while the dry run feeds it the same batch again.

Worker side (imports TensorFlow and Keras when called). Transfer learning freezes a large pretrained
model (`base.trainable = False`) under a small trainable head. The dry run calls that model on one
batch many times: the probe forward pass, every training step, the checks. A frozen nested model
made only of layers whose output is a function of their input alone (convolutions, pooling, merges,
reshapes, activations, a BatchNormalization that is not trainable and so always uses its moving
statistics) gives the same output for the same input, so its output is computed once per input and
reused (a 224x224 MobileNetV2 costs ~0.15 s a call eagerly, the head a few milliseconds). The same
holds for a backbone frozen layer by layer inside the model's own graph (`Model(base.input, head)`),
layer by layer.

Reused only where nothing can differ: every layer inside is frozen and of an allowed Keras class
(no Dropout, noise or random augmentation, which act in training mode even under a frozen model
called with `training=False`, no Lambda or user layer, no activity regularizer, which adds a loss
during the call; an `Activation` is taken to be the function it names), the call gets a tensor (or a
merge's tensors) and no mask, it runs eagerly, and no gradient tape watches its input (a trainable
layer before the backbone needs the backpropagation through it).
"""

from __future__ import annotations

# Keras modules whose layers compute their output from their input and their weights only.
_PURE_MODULES = ("keras.src.layers.convolutional.", "keras.src.layers.pooling.", "keras.src.layers.merging.",
                 "keras.src.layers.reshaping.", "keras.src.layers.activations.")
# ... and these classes of other modules (BatchNormalization: pure once frozen, checked per layer).
_PURE_CLASSES = {"Dense", "EinsumDense", "Embedding", "Identity", "InputLayer", "BatchNormalization",
                 "LayerNormalization", "GroupNormalization", "UnitNormalization", "RMSNormalization", "Rescaling",
                 "Normalization", "Resizing", "CenterCrop", "Functional", "Sequential"}
_KEEP = 2  # inputs remembered per backbone: the script's batch and one check's rescaled batch


def is_pure_frozen(model) -> bool:
    """Is `model` a frozen nested model whose every layer is a pure, allowed Keras layer?"""
    try:
        layers = [model, *model._flatten_layers(include_self=False, recursive=True)]
    except Exception:  # noqa: BLE001
        return False
    if len(layers) < 2 or model.trainable_weights:
        return False
    return all(_pure(layer) for layer in layers)


def _pure(layer) -> bool:
    cls = type(layer)
    if not cls.__module__.startswith("keras.src."):
        return False  # a user's subclass may do anything in its call
    if not (cls.__module__.startswith(_PURE_MODULES) or cls.__name__ in _PURE_CLASSES):
        return False
    return not layer.trainable and getattr(layer, "activity_regularizer", None) is None


class FrozenCallCache:
    """Wraps the `call` of each outermost pure frozen model nested in `model`, reused for an equal input,
    and of every other pure frozen layer, reused for the very tensor it was fed before (see the module
    docstring).

    `first_layer` (a measure.FirstKernelInput) is kept right: a call that measured the first kernel's
    input remembers the measurement, and a reuse while that measurement is wanted replays it.
    """

    def __init__(self, model, first_layer=None) -> None:
        import keras

        self.first_layer = first_layer
        self.wrapped = []
        self.hits = 0
        covered: set = set()
        layers = list(model._flatten_layers(include_self=False, recursive=True))
        for layer in layers:
            if id(layer) in covered or not isinstance(layer, keras.Model) or not is_pure_frozen(layer):
                continue
            covered.update(id(sub) for sub in layer._flatten_layers(include_self=True, recursive=True))
            self._wrap(layer, keep=_KEEP, by_value=True)
        # A backbone whose layers were frozen one by one inside the model's own graph
        # (`Model(base.input, head)`): each frozen layer fed the very tensor it was fed before returns
        # its output again, so the next one is fed that very tensor too, down the whole chain.
        for layer in layers:
            if id(layer) not in covered and not isinstance(layer, keras.Model) and _pure(layer):
                self._wrap(layer, keep=1, by_value=False)

    def _wrap(self, layer, keep: int, by_value: bool) -> None:
        original = layer.call
        # [(input, output, measured, stats)], newest last: `measured` when the call ran while the first
        # kernel's input was wanted, `stats` what it measured then (None: no kernel inside the backbone).
        entries: list = []

        def call(*args, __original=original, __entries=entries, **kwargs):
            key = _reusable_input(args, kwargs)
            measuring = self.first_layer is not None and self.first_layer.active and self.first_layer.stats is None
            if key is not None:
                for entry in __entries:
                    if _same(entry[0], key, by_value) and (entry[2] or not measuring):
                        if measuring:
                            self.first_layer.stats = entry[3]
                        self.hits += 1
                        return entry[1]
            result = __original(*args, **kwargs)
            if key is not None and _is_tensor(result):
                entry = (key, result, measuring, self.first_layer.stats if measuring else None)
                older = [e for e in __entries if not _same(e[0], key, False)][1 - keep:] if keep > 1 else []
                __entries[:] = older + [entry]
            return result

        try:
            object.__setattr__(layer, "call", call)
            self.wrapped.append(layer)
        except Exception:  # noqa: BLE001
            pass

    def remove(self) -> None:
        for layer in self.wrapped:
            try:
                object.__delattr__(layer, "call")
            except Exception:  # noqa: BLE001
                pass


def _is_tensor(value) -> bool:
    import tensorflow as tf

    return isinstance(value, tf.Tensor) and hasattr(value, "numpy")  # an eager tensor


def _reusable_input(args, kwargs):
    """The call's input (a tensor, or a tuple of tensors for a merge) when its output may be reused, else None."""
    import tensorflow as tf
    from tensorflow.python.eager import record

    if len(args) != 1 or kwargs.get("mask") is not None or set(kwargs) - {"training", "mask"}:
        return None
    inputs = args[0]
    tensors = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if not tf.executing_eagerly() or not tensors or not all(_is_tensor(t) for t in tensors):
        return None
    if record.should_record_backprop(tensors):
        return None  # a tape watches something upstream: the gradient must flow through these layers
    return tuple(tensors) if isinstance(inputs, (list, tuple)) else inputs


def _same(a, b, by_value: bool) -> bool:
    """The same input: the very same tensor objects, or (`by_value`) equal shapes, dtypes and values."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b)
                and all(_same(x, y, by_value) for x, y in zip(a, b)))
    if a is b:
        return True
    if not by_value or a.shape != b.shape or a.dtype != b.dtype:
        return False
    import tensorflow as tf

    return bool(tf.reduce_all(tf.equal(a, b)))
