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
