"""Keras data utilities and datasets: `to_categorical`, `keras.datasets`, `*_dataset_from_directory`,
`ImageDataGenerator`, tfds.
"""

from __future__ import annotations

import math
from typing import Any, Optional

import libcst as cst

from tflint_gesture.facts.apis.arithmetic import is_255, scale_pixels
from tflint_gesture.facts.apis.common import api, as_data, const_int, const_value, num, shape_of
from tflint_gesture.facts.apis.keras_objects import apply_preprocess_input, unknown_size
from tflint_gesture.facts.names import canonical, last
from tflint_gesture.facts.values import (
    UNKNOWN,
    ClassNames,
    Const,
    Data,
    Dataset,
    ImageGenerator,
    LabelEncoding,
    Origin,
    Ref,
    Seq,
    ValueRange,
    new_root,
)


@api("keras.utils.to_categorical")
def _to_categorical(interp, args, node):
    labels = as_data(args.kw["y"][0] if "y" in args.kw else args.value("x", 0))  # tf.keras names it `y`
    n_value, n_arg = args.get("num_classes", 1)
    n = const_int(n_value)
    classes_origin = Origin(n_arg, f"to_categorical(..., {n})") if n is not None and n_arg is not None else None
    if n is None and n_value is None and isinstance(labels, Data) and labels.num_classes is not None:
        n = labels.num_classes
        classes_origin = labels.classes_origin
    labels_d = labels if isinstance(labels, Data) else Data()
    rows = labels_d.shape[0] if labels_d.shape else None
    onehot = Data(origin=Origin(node, "one-hot encoded by to_categorical"), encoding=LabelEncoding.ONE_HOT, num_classes=n,
                  classes_origin=classes_origin, dtype="float", shape=(rows, n), root=labels_d.root, roles=labels_d.roles,
                  ordered=labels_d.ordered,
                  classes_sym=unknown_size(interp, args, "num_classes", 1) if n is None else None)
    if n is None and onehot.classes_sym is None and n_value is None:  # as many columns as the largest id + 1
        from tflint_gesture.facts.symbols import Sym, id_floors, label_count

        width = labels_d.classes_sym or label_count(labels_d, "the number of one-hot columns")
        floors = id_floors(labels_d) if isinstance(labels, Data) else ()  # at least the distinct ids
        shown = "the number of one-hot columns" if width.described else width.shown
        onehot = onehot.derive(classes_sym=Sym(width.base, width.offset, shown, width.described, width.floors + floors))
    return onehot


@api("tensorflow.one_hot")
def _tf_one_hot(interp, args, node):
    labels = args.value("indices", 0)
    n_value, n_arg = args.get("depth", 1)
    n = const_int(n_value)
    labels_d = labels if isinstance(labels, Data) else Data()
    classes_sym = unknown_size(interp, args, "depth", 1) if n is None else None
    return Data(origin=Origin(node, "one-hot encoded by tf.one_hot"), encoding=LabelEncoding.ONE_HOT, num_classes=n,
                classes_origin=Origin(n_arg, f"tf.one_hot(..., {n})") if n is not None else None, dtype="float",
                root=labels_d.root, roles=labels_d.roles, classes_sym=classes_sym,
                shape=tuple(labels_d.shape) + (n,) if labels_d.shape is not None and n is not None else None)


_KERAS_DATASETS = {
    "mnist": ((28, 28), 10, True),
    "fashion_mnist": ((28, 28), 10, True),
    "cifar10": ((32, 32, 3), 10, True),
    "cifar100": ((32, 32, 3), 100, True),
    "imdb": (None, 2, False),
    "reuters": (None, 46, False),
}


def load_keras_dataset(name: str, node: cst.Call) -> Any:
    if name in ("boston_housing", "california_housing"):
        parts = []
        for role in ("train", "test"):
            x = Data(origin=Origin(node, f"keras.datasets.{name} features"), dtype="float", roles=frozenset({role}))
            y = Data(origin=Origin(node, f"keras.datasets.{name} prices"), encoding=LabelEncoding.CONTINUOUS, dtype="float",
                     roles=frozenset({role}), bounds=(0.0, math.inf))
            parts.append(Seq([x, y], True))
        return Seq(parts, True)
    spec = _KERAS_DATASETS.get(name)
    if spec is None:
        return UNKNOWN
    shape, classes, image = spec
    parts = []
    for role in ("train", "test"):
        origin = Origin(node, f"keras.datasets.{name}.load_data()")
        x = Data(origin=Origin(node, f"keras.datasets.{name} images (uint8 0..255)") if image else origin,
                 shape=((None,) + shape) if shape else None, dtype="uint8" if image else "int",
                 vrange=ValueRange.RAW_PIXELS if image else ValueRange.UNKNOWN, is_image=image,
                 bounds=(0, 255) if image else None, roles=frozenset({role}))
        label_shape = (None, 1) if name.startswith("cifar") else (None,)
        y = Data(origin=Origin(node, f"keras.datasets.{name} labels (class ids)"), encoding=LabelEncoding.CLASS_IDS,
                 num_classes=classes, classes_origin=Origin(node, f"keras.datasets.{name} has {classes} classes"),
                 dtype="int", shape=label_shape, bounds=(0, classes - 1), roles=frozenset({role}))
        parts.append(Seq([x, y], True))
    return Seq(parts, True)


def _labels_for_mode(mode: Any, node, classes: Optional[int], default: str) -> Any:
    mode_name = const_value(mode, default) if mode is not None else default
    if mode is not None and not isinstance(mode, Const):
        return UNKNOWN
    origin = Origin(node, f"labels of mode {mode_name!r}")
    if mode_name in ("int", "sparse"):
        return Data(origin=origin, encoding=LabelEncoding.CLASS_IDS, num_classes=classes, dtype="int", shape=(None,),
                    classes_origin=origin if classes else None)
    if mode_name == "categorical":
        return Data(origin=origin, encoding=LabelEncoding.ONE_HOT, num_classes=classes, dtype="float",
                    shape=(None, classes), classes_origin=origin if classes else None)
    if mode_name == "binary":
        return Data(origin=origin, encoding=LabelEncoding.BINARY, num_classes=2, dtype="float", shape=(None, 1))
    if mode_name is None or mode_name == "input":
        return None
    return UNKNOWN


def _counted_by_folders(y: Any, node: cst.Call) -> Any:
    """Labels inferred from class folders whose number is unknown: their class count is the symbol
    `len(ds.class_names)` also names (facts.symbols), so `Dense(len(ds.class_names) - 1)` is one short."""
    from tflint_gesture.facts.symbols import class_names

    if isinstance(y, Data) and y.num_classes is None and y.encoding in (LabelEncoding.ONE_HOT, LabelEncoding.CLASS_IDS):
        return y.derive(classes_sym=class_names(node))
    return y


def _image_size(value: Any, default: tuple) -> Optional[tuple]:
    if value is None:
        return default
    shape = shape_of(value)
    return shape if shape and len(shape) == 2 else None


def _channels(color_mode: Any) -> Optional[int]:
    mode = const_value(color_mode, "rgb") if color_mode is not None else "rgb"
    return {"rgb": 3, "grayscale": 1, "rgba": 4}.get(mode)


def _roles_for_subset(subset: Any) -> frozenset:
    name = const_value(subset)
    if name == "validation":
        return frozenset({"validation"})
    if name == "training":
        return frozenset({"train"})
    return frozenset()


@api("keras.utils.image_dataset_from_directory")
def _image_dataset(interp, args, node):
    labels_arg = args.value("labels", 1, Const("inferred"))
    classes = args.value("class_names", 3)
    n = len(classes.items) if isinstance(classes, Seq) else None
    mode = args.value("label_mode", 2)
    if isinstance(labels_arg, Const) and labels_arg.value is None:
        y = None
    elif isinstance(labels_arg, Const) and labels_arg.value == "inferred":
        y = _labels_for_mode(mode, node, n, "int")
    else:
        y = UNKNOWN
    y = _counted_by_folders(y, node)
    size = _image_size(args.value("image_size", 6), (256, 256))
    channels = _channels(args.value("color_mode", 4))
    shape = (None,) + size + (channels,) if size and channels else None
    batch_size = args.value("batch_size", 5, Const(32))
    batches = 0 if isinstance(batch_size, Const) and batch_size.value is None else (1 if isinstance(batch_size, Const) else None)
    folders = ClassNames(n, Origin(node, "class folders"))  # both subsets read the same folders

    def make(roles):
        x = Data(origin=Origin(node, "images loaded as float32 0..255"), vrange=ValueRange.RAW_PIXELS, is_image=True,
                 dtype="float", shape=shape, bounds=(0, 255), roles=roles)
        return Dataset(x=x, y=y, origin=Origin(node, "image_dataset_from_directory"), roles=roles, batches=batches,
                       class_names=folders)

    subset = args.value("subset", None)
    if const_value(subset) == "both":
        return Seq([make(frozenset({"train"})), make(frozenset({"validation"}))], True)
    return make(_roles_for_subset(subset))


@api("keras.utils.text_dataset_from_directory", "keras.utils.audio_dataset_from_directory")
def _other_dataset(interp, args, node):
    mode = args.value("label_mode", None)
    y = _labels_for_mode(mode, node, None, "int")
    subset = args.value("subset", None)
    batch_size = args.value("batch_size", 4, Const(32))  # both signatures: (directory, labels, label_mode, class_names, batch_size, ...)
    batches = 0 if isinstance(batch_size, Const) and batch_size.value is None else (1 if isinstance(batch_size, Const) else None)
    if const_value(subset) == "both":
        return Seq([Dataset(x=Data(origin=Origin(node, "files")), y=y, roles=frozenset({"train"}), batches=batches),
                    Dataset(x=Data(origin=Origin(node, "files")), y=y, roles=frozenset({"validation"}), batches=batches)],
                   True)
    return Dataset(x=Data(origin=Origin(node, "files")), y=y, origin=Origin(node, "dataset from directory"),
                   roles=_roles_for_subset(subset), batches=batches)


@api("keras.utils.timeseries_dataset_from_array")
def _timeseries(interp, args, node):
    data = as_data(args.value("data", 0))
    targets = as_data(args.value("targets", 1))
    x = Data(origin=data.origin, vrange=data.vrange, scalings=data.scalings, root=data.root) if isinstance(data, Data) else UNKNOWN
    if isinstance(targets, Const) and targets.value is None:
        y = None
    else:
        y = targets if isinstance(targets, Data) else UNKNOWN
    return Dataset(x=x, y=y, origin=Origin(node, "timeseries_dataset_from_array"))


@api("keras.preprocessing.image.ImageDataGenerator")
def _image_data_generator(interp, args, node):
    rescale, rescale_arg = args.get("rescale", None)
    preprocessing = args.value("preprocessing_function", None)
    if isinstance(preprocessing, Const) and preprocessing.value is None:  # the default spelled out: no function
        preprocessing = None
    generator = ImageGenerator(node=node, rescale=rescale, rescale_node=rescale_arg, preprocessing=preprocessing)
    for index, flag in enumerate(("featurewise_center", "samplewise_center", "featurewise_std_normalization",
                                  "samplewise_std_normalization", "zca_whitening")):
        value = args.value(flag, index)
        if value is not None and not (isinstance(value, Const) and value.value is False):
            generator.preprocessing = UNKNOWN if generator.preprocessing is None else generator.preprocessing
    if args.starred:
        generator.rescale = UNKNOWN
    return generator


def _generator_scaling(interp, generator: ImageGenerator, x: Data, node) -> Data:
    """What the generator does to the pixel range of `x`."""
    if generator.preprocessing is not None:
        if isinstance(generator.preprocessing, Ref) and last(canonical(generator.preprocessing.qualname)) == "preprocess_input":
            x = apply_preprocess_input(interp, x, generator.node)
        else:
            return x.derive(vrange=ValueRange.UNKNOWN)
    if generator.rescale is None or (isinstance(generator.rescale, Const) and generator.rescale.value is None):
        return x
    factor = num(generator.rescale)
    if factor is None:
        return x.derive(vrange=ValueRange.UNKNOWN)
    if factor and is_255(1 / factor):
        return scale_pixels(interp, x, generator.rescale_node or generator.node, ValueRange.UNIT, "rescale=1/255")
    return x.derive(vrange=ValueRange.SCALED, scalings=x.scalings + (Origin(generator.rescale_node, "rescale"),))


def generator_flow_from(interp, generator: ImageGenerator, args, node, default_size=(256, 256)):
    size = _image_size(args.value("target_size", 1), default_size)
    channels = _channels(args.value("color_mode", 2))
    classes = args.value("classes", 3)
    n = len(classes.items) if isinstance(classes, Seq) else None
    mode = args.value("class_mode", None)
    y = _counted_by_folders(_labels_for_mode(mode, node, n, "categorical"), node)
    if mode is not None and const_value(mode) == "raw":
        y = UNKNOWN
    roles = _roles_for_subset(args.value("subset", None))
    x = Data(origin=Origin(node, "images loaded as 0..255 pixels"), vrange=ValueRange.RAW_PIXELS, is_image=True,
             dtype="float", shape=(None,) + size + (channels,) if size and channels else None, bounds=(0, 255), roles=roles)
    x = _generator_scaling(interp, generator, x, node)
    return Dataset(x=x, y=y, origin=Origin(node, "flow_from_directory"), roles=roles, batches=1,
                   class_names=ClassNames(n, Origin(node, "class folders")))


def generator_flow(interp, generator: ImageGenerator, args, node):
    x = as_data(args.value("x", 0))
    y = as_data(args.value("y", 1))
    if isinstance(y, Const) and y.value is None:
        y = None
    if isinstance(x, Data):
        x = _generator_scaling(interp, generator, x, node)
    roles = _roles_for_subset(args.value("subset", None))
    return Dataset(x=x, y=y if (isinstance(y, Data) or y is None) else UNKNOWN, origin=Origin(node, "flow"), batches=1,
                   root=x.root if isinstance(x, Data) else new_root(), roles=roles)


_TFDS_IMAGE_SETS = {
    "mnist": 10, "fashion_mnist": 10, "cifar10": 10, "cifar100": 100, "rock_paper_scissors": 3, "tf_flowers": 5,
    "horses_or_humans": 2, "cats_vs_dogs": 2, "beans": 3, "food101": 101, "kmnist": 10, "svhn_cropped": 10,
    "stanford_dogs": 120, "oxford_flowers102": 102, "eurosat": 10, "emnist": None, "imagenette": 10,
    "oxford_iiit_pet": 37, "caltech101": 102, "deep_weeds": 9, "colorectal_histology": 8, "malaria": 2,
}


@api("tensorflow_datasets.load")
def _tfds_load(interp, args, node):
    name = const_value(args.value("name", 0))
    supervised = const_value(args.value("as_supervised", None, Const(False)))
    with_info = const_value(args.value("with_info", None, Const(False)))
    split = args.value("split", 1)
    base = name.split("/")[0].split(":")[0] if isinstance(name, str) else None

    def make(split_name):
        roles = frozenset()
        if isinstance(split_name, str):
            if split_name.startswith("test"):
                roles = frozenset({"test"})
            elif split_name.startswith(("validation", "val")):
                roles = frozenset({"validation"})
            elif split_name.startswith("train") and "[" not in split_name:
                roles = frozenset({"train"})
        if supervised is True and base in _TFDS_IMAGE_SETS:
            n = _TFDS_IMAGE_SETS[base]
            origin = Origin(node, f"tfds {base} labels (class ids)")
            x = Data(origin=Origin(node, f"tfds {base} images (uint8 0..255)"), vrange=ValueRange.RAW_PIXELS,
                     is_image=True, dtype="uint8", bounds=(0, 255), roles=roles)
            y = Data(origin=origin, encoding=LabelEncoding.CLASS_IDS, num_classes=n, classes_origin=origin if n else None,
                     dtype="int", shape=(), roles=roles)
            return Dataset(x=x, y=y, origin=Origin(node, "tfds.load"), roles=roles)
        return Dataset(origin=Origin(node, "tfds.load"), roles=roles)

    if isinstance(split, Seq):
        result = Seq([make(const_value(s)) for s in split.items], True)
    else:
        result = make(const_value(split))
    if with_info is True:
        return Seq([result, UNKNOWN], True)
    if with_info is None or not isinstance(with_info, bool):
        return UNKNOWN
    return result
