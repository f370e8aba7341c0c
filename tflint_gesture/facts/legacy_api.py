"""Keras 1/2 spellings that Keras 3 rejects or reads differently, and what each became.

One table, read by the static rules (TFG602 and the removed-method records of facts/legacy.py) and
by the dry run, which translates a sliced model with it before building it; so the linter and the
dry run never disagree about what is a Keras 2 spelling. Plain data, no imports: it sits low in the
stack. The keyword conversions are those of Keras 2's own `keras/legacy/interfaces.py` (which
accepted the Keras 1 spellings with a warning); each entry was checked against Keras 3, which
rejects it (`Unrecognized keyword arguments passed to Dense: {'init': ...}`) or, where noted,
silently reads it otherwise.
"""

from __future__ import annotations

# --------------------------------------------------------------------------------------- modules
# Keras 2 submodules Keras 3 removed; their public names live in the parent package now.
MODULE_RENAMES = {
    "keras.layers.core": "keras.layers",
    "keras.layers.convolutional": "keras.layers",
    "keras.layers.convolutional_recurrent": "keras.layers",
    "keras.layers.recurrent": "keras.layers",
    "keras.layers.pooling": "keras.layers",
    "keras.layers.normalization": "keras.layers",
    "keras.layers.embeddings": "keras.layers",
    "keras.layers.merge": "keras.layers",
    "keras.layers.advanced_activations": "keras.layers",
    "keras.layers.noise": "keras.layers",
    "keras.layers.wrappers": "keras.layers",
    "keras.utils.np_utils": "keras.utils",
    "keras.engine.topology": "keras.layers",  # Input, Layer
    "keras.engine.training": "keras.models",  # Model
}

# ----------------------------------------------------------------------------------------- layers
# Keras 1 class names Keras 3 no longer has (Convolution1D/2D/3D still exist there as aliases).
CLASS_RENAMES = {
    "Deconvolution2D": "Conv2DTranspose",
    "Deconvolution3D": "Conv3DTranspose",
    "AtrousConvolution1D": "Conv1D",
    "AtrousConvolution2D": "Conv2D",
}

_WEIGHTS = {"init": "kernel_initializer", "W_regularizer": "kernel_regularizer", "b_regularizer": "bias_regularizer",
            "W_constraint": "kernel_constraint", "b_constraint": "bias_constraint", "bias": "use_bias"}
_CONV = {**_WEIGHTS, "nb_filter": "filters", "subsample": "strides", "border_mode": "padding",
         "dim_ordering": "data_format"}
_RECURRENT = {"output_dim": "units", "init": "kernel_initializer", "inner_init": "recurrent_initializer",
              "inner_activation": "recurrent_activation", "W_regularizer": "kernel_regularizer",
              "b_regularizer": "bias_regularizer", "U_regularizer": "recurrent_regularizer", "dropout_W": "dropout",
              "dropout_U": "recurrent_dropout"}
# Keyword renames per family of layers (Keras 2's legacy_*_support conversions).
KEYWORD_RENAMES = {
    "dense": {"output_dim": "units", **_WEIGHTS},
    "conv1d": {**_CONV, "filter_length": "kernel_size", "subsample_length": "strides"},
    "conv": _CONV,
    "convlstm": {**_CONV, **{k: v for k, v in _RECURRENT.items() if k != "output_dim"}},
    "separable": {k: v for k, v in _CONV.items() if k not in ("init", "W_regularizer", "W_constraint")},
    "recurrent": _RECURRENT,
    "simple_rnn": {k: v for k, v in _RECURRENT.items() if k != "inner_activation"},  # it has no gate
    "embedding": {"init": "embeddings_initializer", "W_regularizer": "embeddings_regularizer",
                  "W_constraint": "embeddings_constraint"},
    "pooling1d": {"pool_length": "pool_size", "stride": "strides", "border_mode": "padding"},
    "pooling": {"border_mode": "padding", "dim_ordering": "data_format"},
    "spatial": {"dim_ordering": "data_format"},  # ZeroPadding, Cropping, UpSampling, global pooling
    "dropout": {"p": "rate"},
    "spatial_dropout": {"p": "rate", "dim_ordering": "data_format"},
    "gaussian_noise": {"sigma": "stddev"},
    "gaussian_dropout": {"p": "rate"},
    "batchnorm": {"beta_init": "beta_initializer", "gamma_init": "gamma_initializer"},
    "prelu": {"init": "alpha_initializer"},
    "model": {"input": "inputs", "output": "outputs"},
    "input": {"input_dtype": "dtype"},
}
# One Keras 1 keyword that Keras 2 gave to several (its separable_conv2d_args_preprocessor: `init` set both).
KEYWORD_SPLITS = {"separable": {"init": ("depthwise_initializer", "pointwise_initializer")}}
# Keyword values Keras 2 converted along with the keyword.
VALUE_RENAMES = {"data_format": {"th": "channels_first", "tf": "channels_last", "default": None}}
# Keywords Keras 3 rejects that had no effect in the Keras 1 default (`BatchNormalization(mode=0)`).
DROPPED_KEYWORDS = {"batchnorm": {"mode": 0}}
# Keywords Keras 2 still accepted and ignored whatever their value (Embedding's `dropout`, with a warning to use
# SpatialDropout1D instead), or that only chose how Keras 1 computed the same numbers (`consume_less`).
IGNORED_KEYWORDS = {"embedding": frozenset({"dropout"}), "recurrent": frozenset({"consume_less"}),
                    "simple_rnn": frozenset({"consume_less"})}
# Layers whose `input_dim=` (and `input_length=`) meant a sequence input: (input_length, input_dim).
SEQUENCE_INPUT_FAMILIES = frozenset({"recurrent", "simple_rnn", "conv1d"})

_FAMILY_CLASSES = {
    "dense": ("Dense",),
    "conv1d": ("Conv1D", "Convolution1D", "AtrousConvolution1D"),
    "conv": ("Conv2D", "Convolution2D", "Conv3D", "Convolution3D", "Conv2DTranspose", "Conv3DTranspose",
             "Deconvolution2D", "Deconvolution3D", "AtrousConvolution2D", "LocallyConnected2D"),
    "separable": ("SeparableConv2D", "SeparableConvolution2D"),
    "convlstm": ("ConvLSTM2D",),
    "recurrent": ("LSTM", "GRU"),
    "simple_rnn": ("SimpleRNN",),
    "embedding": ("Embedding",),
    "pooling1d": ("MaxPooling1D", "AveragePooling1D", "MaxPool1D", "AvgPool1D"),
    "pooling": ("MaxPooling2D", "AveragePooling2D", "MaxPooling3D", "AveragePooling3D", "MaxPool2D", "AvgPool2D"),
    "spatial": ("ZeroPadding2D", "ZeroPadding3D", "Cropping2D", "Cropping3D", "UpSampling2D", "UpSampling3D",
                "GlobalMaxPooling2D", "GlobalAveragePooling2D"),
    "dropout": ("Dropout",),
    "spatial_dropout": ("SpatialDropout2D", "SpatialDropout3D"),
    "gaussian_noise": ("GaussianNoise",),
    "gaussian_dropout": ("GaussianDropout",),
    "batchnorm": ("BatchNormalization",),
    "prelu": ("PReLU",),
    "model": ("Model",),
    "input": ("Input",),
}
LAYER_FAMILIES = {f"keras.layers.{cls}": family for family, classes in _FAMILY_CLASSES.items() for cls in classes
                  if family not in ("model",)}
LAYER_FAMILIES["keras.Model"] = "model"
LAYER_FAMILIES["keras.layers.Input"] = "input"

# Keras 1's functional `merge(inputs, mode="sum", concat_axis=-1, dot_axes=-1, output_shape=None, ..., name=None)`
# (`from keras.layers import merge`), removed in Keras 2: the Keras 3 merge function of each mode ("cos" and a
# callable mode have none), and the keywords a mode reads, with their Keras 3 names.
MERGE_FUNCTION = "keras.layers.merge"
MERGE_DEFAULT_MODE = "sum"
MERGE_MODES = {"sum": "add", "mul": "multiply", "concat": "concatenate", "ave": "average", "max": "maximum",
               "dot": "dot"}
MERGE_KEYWORDS = {"concatenate": {"concat_axis": "axis"}, "dot": {"dot_axes": "axes"}}
MERGE_UNUSED_KEYWORDS = frozenset({"concat_axis", "dot_axes"})  # ignored by the other modes
MERGE_NONE_KEYWORDS = frozenset({"output_shape", "output_mask", "arguments"})  # only None translates

# Conv layers whose Keras 1 signature spelled the kernel as separate positional integers:
# `Convolution2D(32, 3, 3)` is kernel (3, 3) in Keras 1/2, but filters=32, kernel_size=3, strides=3 in Keras 3.
KERNEL_DIMS = {"Convolution2D": 2, "Conv2D": 2, "Deconvolution2D": 2, "Conv2DTranspose": 2, "AtrousConvolution2D": 2,
               "SeparableConv2D": 2, "SeparableConvolution2D": 2, "Convolution3D": 3, "Conv3D": 3}
# Keras 2 refused the positional kernel when one of these was also given.
KERNEL_DIMS_EXCLUSIVE = ("padding", "strides", "data_format")

# ------------------------------------------------------------------------------------- optimizers
OPTIMIZER_KEYWORD_RENAMES = {"lr": "learning_rate"}
# keras.optimizers.legacy.X: tf.keras 2.11-2.15 only; Keras 3 raises ImportError on it.
OPTIMIZER_MODULE_RENAMES = {"keras.optimizers.legacy": "keras.optimizers"}
LEARNING_RATE_ALIAS = "lr"
# Keras 3 stores epsilon=None and the first step fails; None meant K.epsilon() (1e-7, the default).
OPTIMIZER_NONE_KEYWORDS = frozenset({"epsilon"})

# ------------------------------------------------------------------------------------ model methods
# Methods removed from the model, and what replaced each.
REMOVED_METHODS = {
    "fit_generator": "fit",
    "evaluate_generator": "evaluate",
    "predict_generator": "predict",
    "predict_proba": "predict",
    "predict_classes": None,  # argmax / threshold of predict(): depends on the head
}
# Keras 1 keywords of fit / the generator methods.
FIT_KEYWORD_RENAMES = {"nb_epoch": "epochs", "samples_per_epoch": "steps_per_epoch", "nb_val_samples":
                       "validation_steps", "val_samples": "steps", "nb_worker": "workers",
                       "pickle_safe": "use_multiprocessing", "max_q_size": "max_queue_size"}
# compile() keywords Keras 3 rejects that do nothing without sample weights.
COMPILE_DROPPED_KEYWORDS = frozenset({"sample_weight_mode"})

# Layer.add_weight's positional order in Keras 2 (standalone and tf.keras): `add_weight('kernel', shape, ...)`.
# Keras 3 takes (shape, initializer, dtype) positionally and refuses a positional name.
ADD_WEIGHT_KERAS2_ORDER = ("name", "shape", "dtype", "initializer", "regularizer", "trainable", "constraint")

# keras.backend functions of Keras 1/2.2 and what they became.
BACKEND_RENAMES = {"set_image_dim_ordering": "set_image_data_format", "image_dim_ordering": "image_data_format"}
DIM_ORDERING = {"th": "channels_first", "tf": "channels_last"}


def layer_family(canonical_name: str) -> "str | None":
    """The KEYWORD_RENAMES family of a canonical layer/model name (`keras.layers.Dense` -> "dense")."""
    return LAYER_FAMILIES.get(canonical_name)


__all__ = ["MODULE_RENAMES", "CLASS_RENAMES", "KEYWORD_RENAMES", "KEYWORD_SPLITS", "VALUE_RENAMES", "DROPPED_KEYWORDS",
           "IGNORED_KEYWORDS",
           "MERGE_FUNCTION", "MERGE_DEFAULT_MODE", "MERGE_MODES", "MERGE_KEYWORDS", "MERGE_UNUSED_KEYWORDS",
           "MERGE_NONE_KEYWORDS",
           "SEQUENCE_INPUT_FAMILIES", "LAYER_FAMILIES", "KERNEL_DIMS", "KERNEL_DIMS_EXCLUSIVE",
           "OPTIMIZER_KEYWORD_RENAMES", "OPTIMIZER_MODULE_RENAMES", "LEARNING_RATE_ALIAS", "OPTIMIZER_NONE_KEYWORDS",
           "REMOVED_METHODS",
           "FIT_KEYWORD_RENAMES", "COMPILE_DROPPED_KEYWORDS", "ADD_WEIGHT_KERAS2_ORDER", "BACKEND_RENAMES",
           "DIM_ORDERING", "layer_family"]
