"""TensorFlow ops and tf.data constructors: casts, image decoding, `from_tensor_slices`, `zip`, tapes."""

from __future__ import annotations

import math
from typing import Any

from tflint_gesture.facts.apis.arithmetic import scale_pixels
from tflint_gesture.facts.apis.common import api, as_data, call_name, dtype_name, num, shape_of
from tflint_gesture.facts.apis.numpy_arrays import random_data
from tflint_gesture.facts.names import canonical, last
from tflint_gesture.facts.values import (
    UNKNOWN,
    Const,
    Data,
    Dataset,
    Mapping,
    Origin,
    Seq,
    Tape,
    Tensor,
    ValueRange,
    new_root,
)


@api("tensorflow.cast", "tensorflow.dtypes.cast")
def _tf_cast(interp, args, node):
    value = as_data(args.value("x", 0))
    dtype = dtype_name(args.value("dtype", 1))
    if isinstance(value, Data):
        return value.cast(dtype)
    return value if isinstance(value, Tensor) else UNKNOWN


@api("tensorflow.image.convert_image_dtype")
def _convert_image_dtype(interp, args, node):
    value = args.value("image", 0)
    if not isinstance(value, Data):
        return UNKNOWN
    if value.dtype in ("uint8", "int"):
        return scale_pixels(interp, value, node, ValueRange.UNIT, "convert_image_dtype (integer to 0..1 float)")
    if value.dtype == "float":
        return value  # a no-op on float input: the pixels keep their range
    return value.derive(vrange=ValueRange.UNKNOWN)


@api("tensorflow.io.decode_jpeg", "tensorflow.io.decode_png", "tensorflow.io.decode_image", "tensorflow.image.decode_jpeg",
     "tensorflow.image.decode_png", "tensorflow.image.decode_image", "cv2.imread", "imageio.imread", "imageio.v2.imread",
     "skimage.io.imread", "PIL.Image.open", "matplotlib.pyplot.imread")
def _decode_image(interp, args, node):
    return Data(origin=Origin(node, "decoded image (uint8 0..255)"), vrange=ValueRange.RAW_PIXELS, is_image=True,
                dtype="uint8", bounds=(0, 255))


@api("keras.utils.load_img")
def _load_img(interp, args, node):
    return Data(origin=Origin(node, "image loaded with load_img (0..255)"), vrange=ValueRange.RAW_PIXELS, is_image=True,
                dtype="uint8", bounds=(0, 255))


@api("keras.utils.img_to_array", "cv2.resize", "cv2.cvtColor", "tensorflow.image.rgb_to_grayscale")
def _image_passthrough(interp, args, node):
    value = args.value(None, 0)
    if isinstance(value, Data):
        name = last(canonical(call_name(node)))
        return value.derive(dtype="float" if name == "img_to_array" else value.dtype, shape=None)
    return UNKNOWN


@api("tensorflow.random.normal", "tensorflow.random.truncated_normal")
def _tf_normal(interp, args, node):
    return random_data(node, shape_of(args.value("shape", 0)), "float", (-math.inf, math.inf),
                        "normally distributed random floats")


@api("tensorflow.random.uniform")
def _tf_uniform(interp, args, node):
    shape = shape_of(args.value("shape", 0))
    low = num(args.value("minval", 1, Const(0)))
    high_value = args.value("maxval", 2, Const(None))
    high = num(high_value)
    dtype = dtype_name(args.value("dtype", 3)) or "float"
    if dtype == "int":
        if low is None or high is None:
            return Data(origin=Origin(node, "random integers"), dtype="int", shape=shape)
        return random_data(node, shape, "int", (low, high - 1), f"random integers in [{low:g}, {high - 1:g}]")
    if high is None:
        high = 1.0 if isinstance(high_value, Const) else None
    bounds = (low, high) if low is not None and high is not None else None
    return random_data(node, shape, "float", bounds, "uniform random floats")


@api("tensorflow.data.Dataset.from_tensor_slices", "tensorflow.data.Dataset.from_tensors")
def _from_tensor_slices(interp, args, node):
    """The element is `(x, y)` for a pair (or `(x, y, sample_weight)`), `x` alone for an array or a dict."""
    value = args.value("tensors", 0)
    origin = Origin(node, "tf.data.Dataset.from_tensor_slices")
    if isinstance(value, Seq) and len(value.items) in (2, 3) and not value.grown:
        x, y = (as_data(i) for i in value.items[:2])
        if isinstance(y, Mapping) or (y is not UNKNOWN and not isinstance(y, Data)):
            y = UNKNOWN
        return Dataset(x=x, y=y if isinstance(y, Data) else element_labels(y, node), origin=origin,
                       root=x.root if isinstance(x, Data) else new_root(), batches=0,
                       roles=x.roles if isinstance(x, Data) else frozenset())
    if isinstance(value, Mapping):  # a dict of feature arrays: Keras reads it as inputs only
        return Dataset(x=value, y=None, origin=origin, batches=0)
    value = as_data(value)
    if isinstance(value, Data):
        return Dataset(x=value, y=None, origin=origin, root=value.root, roles=value.roles, batches=0)
    return Dataset(origin=origin)


def element_labels(y: Any, node) -> Any:
    """The second item of a dataset element: labels of unknown encoding when the value itself is unknown
    (the element is known to be a pair, so the pipeline is supervised)."""
    if isinstance(y, Data) or y is None:
        return y
    if y is UNKNOWN or isinstance(y, Tensor):
        return Data(origin=Origin(node, "labels of a (features, labels) dataset element"))
    return UNKNOWN


@api("tensorflow.data.Dataset.zip")
def _dataset_zip(interp, args, node):
    value = args.value("datasets", 0)
    if len(args.pos) == 2:  # `Dataset.zip(a, b)` (TF 2.13+)
        value = Seq([v for v, _ in args.pos], True)
    if isinstance(value, Seq) and len(value.items) == 2 and all(isinstance(d, Dataset) for d in value.items):
        a, b = value.items
        if a.y is None and b.y is None:
            return Dataset(x=a.x, y=element_labels(b.x, node), origin=Origin(node, "Dataset.zip"), root=a.root,
                           roles=a.roles, batches=a.batches if a.batches == b.batches else None)
    return Dataset(origin=Origin(node, "Dataset.zip"))


@api("tensorflow.data.TextLineDataset", "tensorflow.data.TFRecordDataset", "tensorflow.data.Dataset.list_files",
     "tensorflow.data.FixedLengthRecordDataset", "tensorflow.data.experimental.SqlDataset")
def _file_records(interp, args, node):
    """Lines, serialized records or file names: one unlabelled item per element until a `.map` parses it."""
    name = last(canonical(call_name(node)))
    return Dataset(x=Data(origin=Origin(node, f"{name} records")), y=None, origin=Origin(node, name), batches=0)


@api("tensorflow.GradientTape")
def _gradient_tape(interp, args, node):
    return Tape(node)


@api("keras.preprocessing.sequence.pad_sequences", "keras.utils.pad_sequences")
def _pad_sequences(interp, args, node):
    return Data(origin=Origin(node, "padded token sequences"), dtype="int")
