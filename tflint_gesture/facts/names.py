"""Canonical API names: `tf.keras.layers.Dense`, `keras.layers.Dense` and
`from tensorflow.keras.layers import Dense as D` all become `keras.layers.Dense`."""

from __future__ import annotations

import re

import libcst as cst

from tflint_gesture.facts.legacy_api import MODULE_RENAMES

_KERAS_PREFIXES = (
    "tensorflow.python.keras.",
    "tensorflow.keras.",
    "tensorflow.compat.v2.keras.",
    "tensorflow.compat.v1.keras.",
    "tf_keras.",
    "keras_core.",
    "keras.src.",
    "keras.api._v2.keras.",
)

_NOISE_SEGMENTS = re.compile(
    r"\.(?:experimental\.preprocessing|experimental|preprocessing(?=\.(?:Rescaling|Normalization|Resizing|Random))"
    r"|core|convolutional|recurrent|pooling|normalization|merge|advanced_activations|np_utils|regularization"
    r"|reshaping|activation|attention|rnn)(?=\.)"
)

_ALIASES = {
    "keras.models.Sequential": "keras.Sequential",
    "keras.models.Model": "keras.Model",
    "keras.engine.training.Model": "keras.Model",
    "keras.engine.sequential.Sequential": "keras.Sequential",
    "keras.preprocessing.image_dataset_from_directory": "keras.utils.image_dataset_from_directory",
    "keras.preprocessing.text_dataset_from_directory": "keras.utils.text_dataset_from_directory",
    "keras.preprocessing.timeseries_dataset_from_array": "keras.utils.timeseries_dataset_from_array",
    "keras.preprocessing.image.load_img": "keras.utils.load_img",
    "keras.preprocessing.image.img_to_array": "keras.utils.img_to_array",
    "keras.models.load_model": "keras.models.load_model",
    "keras.saving.load_model": "keras.models.load_model",
    "keras.layers.InputLayer": "keras.layers.InputLayer",
    "keras.Input": "keras.layers.Input",
    "keras.input": "keras.layers.Input",
}


def canonical(qualname: str) -> str:
    """Map a fully qualified dotted name onto one spelling per API."""
    if qualname.startswith("tf."):
        qualname = "tensorflow." + qualname[3:]
    for prefix in _KERAS_PREFIXES:
        if qualname.startswith(prefix):
            qualname = "keras." + qualname[len(prefix):]
            break
    if qualname == "tensorflow.keras":
        qualname = "keras"
    if qualname.startswith("keras."):
        module, _, name = qualname.rpartition(".")
        if module in MODULE_RENAMES:  # `keras.layers.embeddings.Embedding`: a Keras 2 module Keras 3 removed
            qualname = f"{MODULE_RENAMES[module]}.{name}"
        qualname = _NOISE_SEGMENTS.sub("", qualname)
    return _ALIASES.get(qualname, qualname)


def last(qualname: str) -> str:
    return qualname.rsplit(".", 1)[-1]


def under(qualname: str, *prefixes: str) -> bool:
    """True if `qualname` is one of `prefixes` or lies below one of them."""
    return any(qualname == p or qualname.startswith(p + ".") for p in prefixes)


def dotted_name(node: cst.CSTNode) -> str:
    """`tf.keras.layers` for the expression `tf.keras.layers`; "" for anything but names and attributes."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return dotted_name(node.value) + "." + node.attr.value
    return ""


def target_names(target: cst.CSTNode) -> set[str]:
    """Names bound by an assignment target (`a`, `a, (b, *c)`); attribute/subscript targets bind none."""
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        found: set[str] = set()
        for element in target.elements:
            found |= target_names(element.value)
        return found
    if isinstance(target, cst.StarredElement):
        return target_names(target.value)
    return set()


# What `from <module> import *` binds, for the Keras modules scripts star-import (Keras 3.15's
# exports plus the Keras 2 names old scripts use). Names outside these tables stay unresolved.
_STAR_LAYERS = frozenset("""
    Activation ActivityRegularization AdaptiveAveragePooling1D AdaptiveAveragePooling2D
    AdaptiveAveragePooling3D AdaptiveMaxPooling1D AdaptiveMaxPooling2D AdaptiveMaxPooling3D Add
    AdditiveAttention AlphaDropout Attention AugMix AutoContrast Average AveragePooling1D
    AveragePooling2D AveragePooling3D AvgPool1D AvgPool2D AvgPool3D BatchNormalization Bidirectional
    CategoryEncoding CenterCrop Concatenate ContrastLimitedAdaptiveHistogramEqualization Conv1D
    Conv1DTranspose Conv2D Conv2DTranspose Conv3D Conv3DTranspose ConvLSTM1D ConvLSTM2D ConvLSTM3D
    Convolution1D Convolution1DTranspose Convolution2D Convolution2DTranspose Convolution3D
    Convolution3DTranspose Cropping1D Cropping2D Cropping3D CuDNNGRU CuDNNLSTM CutMix Dense
    DepthwiseConv1D DepthwiseConv2D Discretization Dot Dropout ELU EinsumDense Embedding
    Equalization Flatten FlaxLayer GRU GRUCell GaussianDropout GaussianNoise GlobalAveragePooling1D
    GlobalAveragePooling2D GlobalAveragePooling3D GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D
    GlobalMaxPool1D GlobalMaxPool2D GlobalMaxPool3D GlobalMaxPooling1D GlobalMaxPooling2D
    GlobalMaxPooling3D GroupNormalization GroupQueryAttention HashedCrossing Hashing Identity Input
    InputLayer InputSpec IntegerLookup JaxLayer LSTM LSTMCell Lambda Layer LayerNormalization
    LeakyReLU LocallyConnected1D LocallyConnected2D Masking MaxNumBoundingBoxes MaxPool1D MaxPool2D
    MaxPool3D MaxPooling1D MaxPooling2D MaxPooling3D Maximum MelSpectrogram Minimum MixUp
    MultiHeadAttention Multiply Normalization PReLU Permute Pipeline RMSNormalization RNN
    RandAugment RandomBrightness RandomColorDegeneration RandomColorJitter RandomContrast RandomCrop
    RandomElasticTransform RandomErasing RandomFlip RandomGaussianBlur RandomGrayscale RandomHue
    RandomInvert RandomPerspective RandomPosterization RandomRotation RandomSaturation
    RandomSharpness RandomShear RandomTranslation RandomZoom ReLU RepeatVector Rescaling Reshape
    Resizing ReversibleEmbedding STFTSpectrogram SeparableConv1D SeparableConv2D
    SeparableConvolution1D SeparableConvolution2D SimpleRNN SimpleRNNCell Softmax Solarization
    SpatialDropout1D SpatialDropout2D SpatialDropout3D SpectralNormalization StackedRNNCells
    StringLookup Subtract TFSMLayer TextVectorization ThresholdedReLU TimeDistributed
    TorchModuleWrapper UnitNormalization UpSampling1D UpSampling2D UpSampling3D Wrapper
    ZeroPadding1D ZeroPadding2D ZeroPadding3D add average concatenate dot maximum minimum multiply
    subtract
""".split())
_STAR_EXPORTS = {
    "keras.layers": _STAR_LAYERS,
    "keras.models": frozenset({"Sequential", "Model", "load_model", "model_from_json", "clone_model", "save_model"}),
    "keras.callbacks": frozenset({"EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau", "TensorBoard", "CSVLogger",
                                  "LearningRateScheduler", "Callback", "TerminateOnNaN", "BackupAndRestore"}),
    "keras.optimizers": frozenset({"Adam", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "AdamW", "Ftrl",
                                   "Lion"}),
    "keras.utils": frozenset({"to_categorical", "image_dataset_from_directory", "timeseries_dataset_from_array",
                              "pad_sequences", "load_img", "img_to_array", "plot_model", "Sequence", "PyDataset"}),
}


def star_member(module: str, name: str):
    """The canonical name `from module import *` binds to `name`, or None when the module's exports are not known."""
    exports = _STAR_EXPORTS.get(canonical(module))
    if exports is not None and name in exports:
        return canonical(module) + "." + name
    return None
