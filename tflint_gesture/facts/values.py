"""Abstract values: what the analysis knows about each variable of a training script.

Unknown is a first-class value (`UNKNOWN`): every rule that needs a fact stays silent when the
fact is unknown. Values remember the node they came from so findings can cite it as evidence.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Optional

import libcst as cst

_ids = itertools.count(1)


def new_root() -> int:
    """A fresh identity for a distinct piece of data (two values with one root are the same data)."""
    return next(_ids)


class Unknown:
    """What the analysis cannot see. A singleton; falsy so `value or default` reads naturally."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = Unknown()


class LabelEncoding(str, Enum):
    CLASS_IDS = "class ids"
    ONE_HOT = "one-hot"
    MULTI_HOT = "multi-hot"
    BINARY = "binary 0/1"
    CONTINUOUS = "continuous"
    UNKNOWN = "unknown"


class ValueRange(str, Enum):
    RAW_PIXELS = "raw 0..255 pixels"
    UNIT = "scaled to 0..1"
    SYMMETRIC = "scaled to -1..1"
    STANDARDISED = "standardised"
    PREPROCESSED = "preprocessed for a pretrained network"
    SCALED = "scaled"
    UNKNOWN = "unknown"

    @property
    def is_scaled(self) -> bool:
        return self not in (ValueRange.RAW_PIXELS, ValueRange.UNKNOWN)


@dataclass(frozen=True)
class Origin:
    """Where a fact comes from: a node (for its line) and a short note for the evidence list."""

    node: cst.CSTNode = field(repr=False)
    note: str = ""


@dataclass
class Const:
    """A literal Python value (number, string, bool, None)."""

    value: Any


@dataclass
class Seq:
    """A literal list or tuple of abstract values."""

    items: list
    is_tuple: bool = False
    grown: bool = False  # appended to at run time: its length and items are not all known
    created_depth: int = 0  # how many unknown branches deep the literal was written
    maybe: set = field(default_factory=set)  # indices of items appended under an unknown branch or loop
    ordered: Optional[Origin] = None  # labels appended class by class


@dataclass
class Mapping:
    """A dict literal with constant keys (`{"token_ids": Input(...), ...}`): a structure of values.

    A store under an unknown key, a mutating method or a store under a branch the literal was not
    written in makes the affected entries (or all of them) unknown.
    """

    items: dict
    created_depth: int = 0
    opaque: bool = False  # mutated in a way the analysis cannot follow: every lookup is unknown

    def lookup(self, key: Any) -> Any:
        if self.opaque or key not in self.items:
            return UNKNOWN
        return self.items[key]


@dataclass
class Ref:
    """A reference to an imported module attribute, by canonical dotted name."""

    qualname: str


@dataclass
class Data:
    """An array-like value: features or labels.

    `shape` includes the sample axis when known (None entries for unknown sizes); `bounds` are
    numeric (low, high) bounds of the values when known.
    """

    origin: Optional[Origin] = None
    encoding: LabelEncoding = LabelEncoding.UNKNOWN
    num_classes: Optional[int] = None
    classes_origin: Optional[Origin] = None
    classes_sym: Any = None  # facts.symbols.Sym of an unknown class count (`to_categorical(y, num_classes)`)
    shape: Optional[tuple] = None
    dtype: Optional[str] = None  # "int", "float", "uint8", "bool"
    vrange: ValueRange = ValueRange.UNKNOWN
    bounds: Optional[tuple] = None
    is_image: bool = False
    scalings: tuple = ()  # Origins of the scaling steps applied, in order
    root: int = field(default_factory=new_root)
    roles: frozenset = frozenset()  # "train", "test", "validation"
    ordered: Optional[Origin] = None  # evidence that the samples are in class order
    binary_if_two: bool = False  # LabelBinarizer: one column when there are two classes
    centred: bool = False  # a mean was subtracted: dividing by a spread standardises it
    hot_store: Any = field(default=None, repr=False)  # the `y[i, c] = 1` statement that made it one-hot (facts.indicators)
    columns: tuple = field(default=(), repr=False)  # ((name, Data), ...) stored by `df["label"] = ...` into this frame
    max_rank: Optional[int] = None  # the most axes it can have when `shape` is unknown (`np.loadtxt`: a table, 2)
    # The numbers it holds: equal in two values that hold the same numbers, or some of one's samples (a
    # slice, a split, a reshape, a cast), so a count taken of one (`len(np.unique(y))`) bounds the other.
    values_id: int = field(default_factory=new_root, repr=False)

    def derive(self, **changes) -> "Data":
        """A transformed copy that is still the same data (same root). Stored columns stay only where a
        change says so: a split, a shuffle or a filter of the frame no longer holds them row for row; and
        its numbers are new unless the change keeps them (`same_values`)."""
        return replace(self, **{"columns": (), "values_id": new_root(), "max_rank": None, **changes})

    def same_values(self, **changes) -> "Data":
        """`derive` for a change that keeps the numbers or some of the samples whole: a slice, a split, a
        shuffle, a reshape, an integer cast (facts.symbols: counts of the labels still hold)."""
        return self.derive(values_id=self.values_id, **changes)

    def cast(self, dtype: Optional[str]) -> "Data":
        """`y.astype(dtype)`: the same numbers, unless floats that may have fractions become integers."""
        dtype = dtype or self.dtype
        truncates = dtype in ("int", "uint8", "bool") and self.dtype not in ("int", "uint8", "bool")
        return self.derive(dtype=dtype) if truncates else self.same_values(dtype=dtype)

    def column(self, name: str) -> Any:
        """The data stored as column `name` of this frame, or None."""
        for key, value in self.columns:
            if key == name:
                return value
        return None


def join_data(values: list) -> Any:
    """The data that is true whichever branch ran, when every branch holds the same data (one root)
    transformed differently: what all branches agree on survives (a range, an encoding, the axes of
    equal size), everything else is unknown. Different data joins to UNKNOWN."""
    first = values[0]
    if not all(isinstance(v, Data) and v.root == first.root for v in values):
        return UNKNOWN
    stored = [v for v in values if v.hot_store is not None]
    if stored and all(v.hot_store is stored[0].hot_store or v.bounds == (0.0, 0.0) for v in values):
        return stored[0]  # a loop of one-hot stores that may not have run: its zeros are still no other encoding

    def agreed(name: str, unknown: Any) -> Any:
        value = getattr(first, name)
        return value if all(getattr(v, name) == value for v in values) else unknown

    shapes = [v.shape for v in values]
    shape = None
    if all(s is not None and len(s) == len(shapes[0]) for s in shapes):
        shape = tuple(d if all(s[i] == d for s in shapes) else None for i, d in enumerate(shapes[0]))
    encoding = agreed("encoding", LabelEncoding.UNKNOWN)
    same_labels = encoding != LabelEncoding.UNKNOWN  # a class count only means something with its encoding
    num_classes = agreed("num_classes", None) if same_labels else None
    return replace(
        first, encoding=encoding, num_classes=num_classes,
        classes_origin=first.classes_origin if num_classes is not None else None,
        classes_sym=agreed("classes_sym", None) if same_labels else None, shape=shape, dtype=agreed("dtype", None),
        vrange=agreed("vrange", ValueRange.UNKNOWN), bounds=agreed("bounds", None),
        is_image=all(v.is_image for v in values), scalings=agreed("scalings", ()), roles=agreed("roles", frozenset()),
        ordered=first.ordered if all(v.ordered is not None for v in values) else None,
        binary_if_two=agreed("binary_if_two", False), centred=agreed("centred", False), max_rank=agreed("max_rank", None),
        columns=first.columns if all(v.columns is first.columns for v in values) else (),
        values_id=agreed("values_id", new_root()))


@dataclass
class Dataset:
    """A tf.data pipeline, a generator or a Keras iterator yielding (x, y) or x only."""

    x: Any = UNKNOWN
    y: Any = UNKNOWN  # UNKNOWN when not known; None when it yields no labels
    origin: Optional[Origin] = None
    root: int = field(default_factory=new_root)
    roles: frozenset = frozenset()
    class_names: Any = UNKNOWN
    batches: Optional[int] = None  # batch axes added on top of the arrays' sample axis (0: slices; None: unknown)


@dataclass
class ClassNames:
    """A list of class names whose length may be known."""

    count: Optional[int]
    origin: Optional[Origin] = None
    sym: Any = None  # facts.symbols.Sym naming an unknown count, when not "the number of class folders"


@dataclass
class Eye:
    """`np.eye(n)` / `np.identity(n)`: indexing it by labels makes one-hot rows."""

    n: Optional[int]
    origin: Origin


@dataclass
class Layer:
    """A Keras layer instance (not yet called), with the constructor arguments we understand."""

    kind: str  # class name: "Dense", "Dropout", ... or "?" when unknown
    node: cst.CSTNode = field(repr=False)
    units: Any = UNKNOWN
    activation: Any = UNKNOWN  # activation name, "linear" for none, UNKNOWN when unknown
    activation_node: Optional[cst.CSTNode] = field(default=None, repr=False)
    args: dict = field(default_factory=dict)
    model: Any = None  # a nested ModelValue when the layer is a model
    call_args: Any = field(default=None, repr=False)  # the evaluated constructor `Args` (for shapes etc.)
    cls: Any = None  # a custom layer: the script's ClassValue (its `call` is interpreted where it is applied)
    attrs: dict = field(default_factory=dict, repr=False)  # a custom layer: what `__init__` stored on self

    @property
    def known(self) -> bool:
        return self.kind != "?"


@dataclass
class Tensor:
    """A symbolic tensor of the functional API: produced by `layer` from `parents`."""

    layer: Optional[Layer]
    parents: tuple = ()
    node: Optional[cst.CSTNode] = None
    via: Optional[Layer] = field(default=None, repr=False)  # the custom layer whose `call` returned it


@dataclass
class Compile:
    node: cst.Call
    loss: Any = UNKNOWN  # Loss, or UNKNOWN
    loss_node: Optional[cst.CSTNode] = None
    metrics: Any = UNKNOWN  # list of (name or UNKNOWN, node), or UNKNOWN
    metric_kinds: list = field(default_factory=list)  # (canonical metric function name, node) of each known metric
    optimizer: Any = UNKNOWN
    conditional: bool = False
    loss_value: Any = UNKNOWN  # the `loss=` argument as given: a list or dict of losses for several outputs
    metrics_value: Any = UNKNOWN  # the `metrics=` argument as given (one entry per output, or a dict)
    # Optimizers handed to a subclass's own `compile(d_optimizer=..., g_optimizer=...)` (a GAN): it keeps them
    # to train its sub-models in its `train_step`, so they train this model's weights.
    custom_optimizers: tuple = ()


@dataclass
class ModelValue:
    """A Keras model: Sequential, functional, subclassed, a keras.applications network, or unknown."""

    kind: str  # "sequential", "functional", "subclassed", "application", "loaded", "unknown"
    node: cst.CSTNode
    layers: list = field(default_factory=list)  # Sequential: Layer list; UNKNOWN_LAYER marks gaps
    output: Any = None  # functional: Tensor, Seq of tensors, or UNKNOWN
    inputs: Any = None
    custom_train_step: bool = False
    name: str = ""
    compile: Any = None  # the Compile in force now (None: never compiled; UNKNOWN: ambiguous)
    application: str = ""  # e.g. "MobileNetV2"
    include_top: bool = False
    app_classes: Any = 1000
    app_activation: Any = "softmax"
    app_pooling: Any = UNKNOWN  # keras.applications `pooling=`: None, "avg", "max"; UNKNOWN when not a literal
    created_depth: int = 0  # how many unknown branches deep the model was created
    attrs: dict = field(default_factory=dict)  # subclassed: what `__init__` stored on self
    cls: Any = None  # subclassed: the script's ClassValue (its methods)
    part_of: Any = None  # the custom Layer whose `__init__` / `call` built it (a block's feed-forward part)


@dataclass
class Loss:
    name: str  # canonical function name: "sparse_categorical_crossentropy", "mse", ...
    node: cst.CSTNode
    from_logits: Any = False  # bool, or UNKNOWN
    from_logits_node: Optional[cst.CSTNode] = None


@dataclass
class Metric:
    name: Any  # logged name, or UNKNOWN
    kind: str = ""  # canonical function name ("sparse_categorical_accuracy"), whatever `name=` says


@dataclass
class Callback:
    kind: str  # "EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau", other
    node: cst.Call
    monitor: Any = "val_loss"
    monitor_node: Optional[cst.CSTNode] = None
    save_best_only: Any = False

    @property
    def monitors(self) -> bool:
        """It acts on a logged quantity (`monitor=`): what TFG302 and TFG602's `acc` check read."""
        return self.kind in ("EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint")


@dataclass
class Scaler:
    """A scaler/normaliser object (sklearn scalers, the Normalization layer)."""

    kind: str
    node: cst.CSTNode
    produces: ValueRange = ValueRange.SCALED


@dataclass
class Encoder:
    """A label encoder object (LabelEncoder, OneHotEncoder, LabelBinarizer, MultiLabelBinarizer)."""

    kind: str
    node: cst.CSTNode


@dataclass
class ImageGenerator:
    """`ImageDataGenerator(...)`: its `rescale` / `preprocessing_function` decide the pixel range."""

    node: cst.Call
    rescale: Any = None  # None when absent; a number when literal; UNKNOWN otherwise
    rescale_node: Optional[cst.CSTNode] = None
    preprocessing: Any = None


@dataclass
class Function:
    """A function defined in the script (or a lambda), interpreted at its call sites."""

    node: Any  # cst.FunctionDef or cst.Lambda
    scope: Any  # the defining Scope


@dataclass
class ClassValue:
    """A class defined in the script."""

    node: cst.ClassDef
    scope: Any
    keras_model: bool = False
    keras_layer: bool = False
    keras_sequence: bool = False  # keras.utils.Sequence / PyDataset: batches come from __getitem__
    sequential: bool = False  # a keras.Sequential subclass: `super().__init__([...])` / `self.add` give its layers
    custom_train_step: bool = False
    methods: dict = field(default_factory=dict)  # name -> FunctionDef, inherited ones included
    owners: dict = field(default_factory=dict)  # name -> the ClassValue whose body defines that method
    bases: list = field(default_factory=list)  # the ClassValues among its bases, in order (for `super()`)


@dataclass
class Super:
    """`super()` inside a method of `cls`: attribute lookups start after `cls` in the hierarchy of `obj`."""

    cls: ClassValue
    obj: Any


@dataclass
class Instance:
    """An instance of a script-defined (non-Keras) class; attributes are tracked."""

    cls: ClassValue
    attrs: dict = field(default_factory=dict)


@dataclass
class Args:
    """Evaluated call arguments with their nodes (for evidence)."""

    pos: list = field(default_factory=list)  # [(value, node)]
    kw: dict = field(default_factory=dict)  # name -> (value, node)
    starred: bool = False
    scope: Any = None  # the caller's scope (to name unknown sizes: facts.symbols)

    def get(self, name: Optional[str], index: Optional[int] = None, default: Any = None):
        """(value, node) of a parameter given by keyword `name` or at position `index`."""
        if name is not None and name in self.kw:
            return self.kw[name]
        if index is not None and index < len(self.pos):
            return self.pos[index]
        if self.starred:
            return (UNKNOWN, None)
        return (default, None)

    def value(self, name: Optional[str], index: Optional[int] = None, default: Any = None) -> Any:
        return self.get(name, index, default)[0]


@dataclass
class BoundMethod:
    obj: Any
    name: str
    node: Optional[cst.CSTNode] = None


UNKNOWN_LAYER = Layer(kind="?", node=cst.Name("_"))


@dataclass
class Tape:
    """A `tf.GradientTape()` object."""

    node: cst.CSTNode = field(repr=False)
