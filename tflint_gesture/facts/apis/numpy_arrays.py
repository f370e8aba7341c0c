"""numpy (and the keras.ops / tf functions that mirror it): random data, shapes, one-hot tables."""

from __future__ import annotations

import math
from typing import Any, Optional

import libcst as cst

from tflint_gesture.facts.apis.arithmetic import binary_op
from tflint_gesture.facts.apis.common import (
    HANDLERS,
    Handler,
    api,
    array_from_seq,
    as_data,
    bool_flag,
    call_name,
    const_int,
    const_value,
    dtype_name,
    num,
    shape_of,
)
from tflint_gesture.facts.names import canonical, last
from tflint_gesture.facts.symbols import note_last_axis
from tflint_gesture.facts.values import (
    UNKNOWN,
    Const,
    Data,
    Eye,
    LabelEncoding,
    Origin,
    Ref,
    Seq,
    Tensor,
    ValueRange,
    new_root,
)


def random_data(node, shape, dtype, bounds, note) -> Data:
    encoding = LabelEncoding.CONTINUOUS if dtype == "float" else LabelEncoding.UNKNOWN
    num_classes = None
    if dtype == "int" and bounds is not None and shape is not None and (len(shape) == 1 or (len(shape) == 2 and shape[1] == 1)):
        encoding = LabelEncoding.CLASS_IDS
        if bounds[0] >= 0:
            num_classes = int(bounds[1]) + 1
    vrange = ValueRange.UNKNOWN
    is_image = False
    if dtype == "int" and bounds == (0, 255) and shape is not None and len(shape) >= 3:
        vrange = ValueRange.RAW_PIXELS
        is_image = True
    origin = Origin(node, note)
    return Data(origin=origin, encoding=encoding, num_classes=num_classes, classes_origin=origin if num_classes else None,
                shape=shape, dtype=dtype, bounds=bounds, vrange=vrange, is_image=is_image)


@api("numpy.random.randint", "numpy.random.Generator.integers", "numpy.random.RandomState.randint")
def _randint(interp, args, node):
    low = num(args.value("low", 0))
    high_value = args.value("high", 1)
    high = num(high_value)
    if low is None:
        return Data(origin=Origin(node, "random integers"), dtype="int", shape=shape_of(args.value("size", 2)))
    if high is None:
        if high_value is None or (isinstance(high_value, Const) and high_value.value is None):
            low, high = 0, low
        else:
            return Data(origin=Origin(node, "random integers"), dtype="int", shape=shape_of(args.value("size", 2)))
    size = args.value("size", 2)
    shape = shape_of(size) if size is not None else ()
    endpoint = const_value(args.value("endpoint", None)) is True
    hi = high if endpoint else high - 1
    return random_data(node, shape, "int", (low, hi), f"random integers in [{low:g}, {hi:g}]")


@api("numpy.random.rand")
def _rand(interp, args, node):
    shape = None if args.starred else tuple(const_int(v) for v, _ in args.pos)  # `rand(*dims)`: unknown
    return random_data(node, shape, "float", (0.0, 1.0), "uniform random floats in [0, 1)")


@api("numpy.random.random", "numpy.random.random_sample", "numpy.random.Generator.random", "numpy.random.sample")
def _random(interp, args, node):
    return random_data(node, _size_shape(args, 0), "float", (0.0, 1.0), "uniform random floats in [0, 1)")


def _size_shape(args, index: int) -> Optional[tuple]:
    """The shape a `size=` argument gives: () when absent (one number), None when not a literal."""
    size = args.value("size", index)
    return () if size is None else shape_of(size)


@api("numpy.random.randn", "numpy.random.standard_normal", "numpy.random.Generator.standard_normal")
def _randn(interp, args, node):
    if last(call_name(node)) == "randn":
        shape = None if args.starred else tuple(const_int(v) for v, _ in args.pos)
    else:
        shape = _size_shape(args, 0)
    return random_data(node, shape, "float", (-math.inf, math.inf), "normally distributed random floats")


@api("numpy.random.normal", "numpy.random.Generator.normal")
def _normal(interp, args, node):
    return random_data(node, shape_of(args.value("size", 2)), "float", (-math.inf, math.inf), "normally distributed random floats")


@api("numpy.random.uniform", "numpy.random.Generator.uniform")
def _uniform(interp, args, node):
    low = num(args.value("low", 0, Const(0.0)))
    high = num(args.value("high", 1, Const(1.0)))
    bounds = (low, high) if low is not None and high is not None else None
    note = f"uniform random floats in [{low:g}, {high:g})" if bounds else "uniform random floats"
    return random_data(node, shape_of(args.value("size", 2)), "float", bounds, note)


@api("numpy.random.default_rng", "numpy.random.RandomState")
def _rng(interp, args, node):
    return Ref("numpy.random.Generator")


@api("numpy.random.permutation", "numpy.random.Generator.permutation")
def _permutation(interp, args, node):
    return Data(origin=Origin(node, "a random permutation"), dtype="int")


@api("numpy.random.shuffle", "numpy.random.Generator.shuffle")
def _shuffle_in_place(interp, args, node):
    value = args.value("x", 0)
    if isinstance(value, Data):
        value.ordered = None
    return Const(None)


@api("numpy.arange")
def _arange(interp, args, node):
    """`np.arange(n)`: class ids 0..n-1; `np.arange(start, stop, step, dtype=...)`: a grid, continuous when
    its values are fractions (a float step or start), with its length and bounds."""
    dtype_arg = args.value("dtype", 3) if len(args.pos) >= 3 or "dtype" in args.kw else None
    dtype = dtype_name(dtype_arg) if dtype_arg is not None else None
    if dtype_arg is not None and dtype is None:
        return Data(origin=Origin(node, "a range"))
    positional = [v for v, _ in args.pos[:3]]
    values = [const_int(v) for v in positional]
    if len(positional) == 1 and values[0] is not None and values[0] > 0 and dtype in (None, "int") \
            and isinstance(positional[0].value, int) and not args.starred:
        origin = Origin(node, f"class ids 0..{values[0] - 1}")
        return Data(origin=origin, encoding=LabelEncoding.CLASS_IDS, num_classes=values[0], classes_origin=origin,
                    dtype="int", shape=(values[0],), bounds=(0, values[0] - 1))
    numbers = [num(v) for v in positional]
    extra = set(args.kw) - {"dtype"}
    if 2 <= len(numbers) <= 3 and all(n is not None for n in numbers) and not extra and not args.starred:
        start, stop = numbers[0], numbers[1]
        step = numbers[2] if len(numbers) == 3 else 1
        floats = any(isinstance(v.value, float) for v in positional)
        kind = dtype or ("float" if floats else "int")
        if step and all(float(n).is_integer() for n in numbers):
            r = range(int(start), int(stop), int(step))
            if len(r):
                return Data(origin=Origin(node, f"np.arange({', '.join(f'{n:g}' for n in numbers)})"), dtype=kind,
                            shape=(len(r),), bounds=(min(r[0], r[-1]), max(r[0], r[-1])))
        elif step and (stop - start) / step > 0:
            count = math.ceil((stop - start) / step)
            if count <= 10 ** 9 and kind == "float":
                return Data(origin=Origin(node, "a range of floats"), encoding=LabelEncoding.CONTINUOUS, dtype="float",
                            shape=(count,), bounds=tuple(sorted((start, start + (count - 1) * step))))
    floats = any(isinstance(v, Const) and isinstance(v.value, float) for v in positional)
    return Data(origin=Origin(node, "a range"), dtype=dtype or ("float" if floats else "int"), shape=(None,))  # always 1-D


@api("numpy.linspace")
def _linspace(interp, args, node):
    """`np.linspace(start, stop, num=50)`: evenly spaced floats, continuous, with their count and bounds."""
    start, stop = num(args.value("start", 0)), num(args.value("stop", 1))
    count = const_int(args.value("num", 2, Const(50)))
    if args.starred or bool_flag(args, "retstep", False) is not False or args.value("axis", 6) is not None:
        return UNKNOWN
    dtype = dtype_name(args.value("dtype", 5)) if args.value("dtype", 5) is not None else "float"
    if start is None or stop is None or count is None or count < 2 or start == stop or dtype != "float":
        return Data(origin=Origin(node, "np.linspace"), dtype=dtype)
    return Data(origin=Origin(node, f"np.linspace({start:g}, {stop:g}, {count})"), encoding=LabelEncoding.CONTINUOUS,
                dtype="float", shape=(count,), bounds=(min(start, stop), max(start, stop)))


@api("numpy.repeat")
def _repeat(interp, args, node):
    return repeat_data(args.value("a", 0), node)


def repeat_data(data, node):
    if isinstance(data, Data) and data.encoding == LabelEncoding.CLASS_IDS and data.bounds is not None and data.shape == (
            data.num_classes,):
        origin = Origin(node, "labels repeated class by class")
        return data.derive(root=new_root(), shape=(None,), ordered=origin)
    return UNKNOWN


@api("numpy.zeros", "numpy.ones", "numpy.empty", "numpy.full", "numpy.zeros_like", "numpy.ones_like", "numpy.full_like")
def _filled(interp, args, node):
    name = last(canonical(call_name(node)))
    fill = {"zeros": 0.0, "ones": 1.0, "zeros_like": 0.0, "ones_like": 1.0}.get(name)
    if name in ("full", "full_like"):
        fill = num(args.value("fill_value", 1))
    source = args.value("shape", 0)
    shape = source.shape if isinstance(source, Data) and name.endswith("_like") else shape_of(source)
    dtype = dtype_name(args.value("dtype", None)) or "float"
    bounds = (fill, fill) if fill is not None else None
    label = args.value("fill_value", 1) if name in ("full", "full_like") else None
    if isinstance(label, Data) and label.encoding == LabelEncoding.CLASS_IDS and label.shape == () \
            and dtype_name(args.value("dtype", None)) in (None, "int"):
        # `np.full(len(rows), index)` in `for index, gesture in enumerate(GESTURES)`: one class id per sample
        return Data(origin=Origin(node, f"np.{name} of a class id"), shape=shape, dtype="int",
                    encoding=LabelEncoding.CLASS_IDS, num_classes=label.num_classes, classes_origin=label.classes_origin,
                    classes_sym=label.classes_sym)
    made = Data(origin=Origin(node, f"np.{name}"), shape=shape, dtype=dtype, bounds=bounds)
    if not name.endswith("_like"):
        note_last_axis(interp, made, args.get("shape", 0)[1], args.scope)
    return made


@api("numpy.eye", "numpy.identity")
def _eye(interp, args, node):
    """`np.eye(N)` / `np.eye(N, M)`: rows of M (default N) columns."""
    columns = args.value("M", 1)
    if columns is None or (isinstance(columns, Const) and columns.value is None):
        columns = args.value("N", 0)
    return Eye(const_int(columns), Origin(node, "np.eye"))


@api("numpy.array", "numpy.asarray", "numpy.asanyarray", "tensorflow.convert_to_tensor", "tensorflow.constant",
     "numpy.copy", "numpy.ascontiguousarray")
def _array(interp, args, node):
    value = args.value("object", 0)
    if isinstance(value, Seq):
        value = array_from_seq(value, node)
    dtype = dtype_name(args.value("dtype", 1))
    if isinstance(value, Data) and dtype is not None:
        return value.cast(dtype)
    return value if isinstance(value, Data) else UNKNOWN


@api("numpy.argmax", "tensorflow.argmax", "tensorflow.math.argmax")
def _argmax(interp, args, node):
    value = args.value("a", 0)
    if isinstance(value, Data):
        ids = argmax_of(value, node)
        if ids.num_classes is None and ids.classes_sym is None:
            ids.classes_sym = columns_symbol(interp, args.get("a", 0)[1], value, args.value("axis", 1), args.scope)
        return ids
    return Data(origin=Origin(node, "argmax"), encoding=LabelEncoding.CLASS_IDS, dtype="int")


def argmax_of(value: Data, node) -> Data:
    n = value.num_classes if value.encoding == LabelEncoding.ONE_HOT else None
    return Data(origin=Origin(node, "argmax (class ids)"), encoding=LabelEncoding.CLASS_IDS, num_classes=n,
                classes_origin=value.classes_origin, dtype="int", shape=value.shape[:1] if value.shape else None,
                root=value.root, roles=value.roles,
                classes_sym=value.classes_sym if value.encoding == LabelEncoding.ONE_HOT else None)


def columns_symbol(interp, arg, value: Data, axis, scope):
    """`np.argmax(y, axis=1)` of an array with an unknown number of columns: the ids run below `y.shape[1]`,
    the symbol a `num_classes = y.shape[1]` names (facts.symbols), while `y` is not rebound."""
    from tflint_gesture.facts.symbols import symbol

    k = const_int(axis)
    if k == -1 and value.shape is not None and len(value.shape) == 2:
        k = 1
    if k != 1 or (value.shape is not None and (len(value.shape) < 2 or value.shape[1] is not None)):
        return None
    if isinstance(arg, cst.Arg):
        arg = arg.value
    if not isinstance(arg, cst.Name):
        return None
    columns = cst.Subscript(value=cst.Attribute(value=arg, attr=cst.Name("shape")),
                            slice=[cst.SubscriptElement(slice=cst.Index(value=cst.Integer("1")))])
    return symbol(interp, columns, scope)


@api("numpy.unique")
def _unique(interp, args, node):
    """`np.unique(y)`: the distinct labels, whose length is y's distinct count (facts.symbols); with
    `return_inverse=True` also the ids 0..count-1 of every label (every id occurs)."""
    from tflint_gesture.facts.symbols import distinct_labels, note_distinct

    value = as_data(args.value("ar", 0))
    flags = [bool_flag(args, name, False) for name in ("return_index", "return_inverse", "return_counts")]
    if not isinstance(value, Data) or args.starred or None in flags or args.value("axis", 4) is not None:
        return UNKNOWN
    distinct = Data(origin=Origin(node, "np.unique"), shape=(None,), dtype=value.dtype)
    note_distinct(interp, distinct, value)
    if not any(flags):
        return distinct
    parts = [distinct]
    if flags[0]:
        parts.append(Data(origin=Origin(node, "np.unique indices"), shape=(None,), dtype="int"))
    if flags[1]:
        count = distinct_labels(value)
        parts.append(Data(origin=Origin(node, "np.unique(..., return_inverse=True) (class ids)"),
                          encoding=LabelEncoding.CLASS_IDS, dtype="int", root=value.root, roles=value.roles,
                          shape=value.shape if value.shape is not None and len(value.shape) == 1 else None,
                          bounds=None, classes_sym=count))
    if flags[2]:
        parts.append(Data(origin=Origin(node, "np.unique counts"), shape=(None,), dtype="int"))
    return Seq(parts, is_tuple=True)


@api("numpy.stack")
def _stack(interp, args, node):
    """`np.stack(samples[, axis])`: arrays of one known shape gain an axis as long as the list."""
    parts = args.value("arrays", 0)
    if not isinstance(parts, Seq) or not parts.items:
        return UNKNOWN
    items = [as_data(p) for p in parts.items]
    if not all(isinstance(p, Data) and p.shape is not None for p in items) or len({p.shape for p in items}) != 1:
        return UNKNOWN
    inner = items[0].shape
    axis = const_int(args.value("axis", 1, Const(0)))
    if axis is None or not -len(inner) - 1 <= axis <= len(inner):
        return UNKNOWN
    axis = axis % (len(inner) + 1)
    count = None if parts.grown or parts.maybe else len(items)
    first = items[0]
    return Data(origin=Origin(node, "stacked arrays"), shape=inner[:axis] + (count,) + inner[axis:],
                dtype=first.dtype if all(p.dtype == first.dtype for p in items) else None)


@api("numpy.concatenate", "numpy.vstack", "numpy.hstack", "numpy.append", "numpy.row_stack")
def _concatenate(interp, args, node):
    parts = args.value("arrays", 0)
    if last(canonical(call_name(node))) == "append":
        parts = Seq([args.value("arr", 0), args.value("values", 1)])
    if not isinstance(parts, Seq) or not parts.items:
        return UNKNOWN
    items = [as_data(p) for p in parts.items]
    if not all(isinstance(p, Data) for p in items):
        return UNKNOWN
    consts = [p.bounds[0] if p.bounds and p.bounds[0] == p.bounds[1] else None for p in items]
    if all(c is not None for c in consts) and len(set(consts)) == len(consts) >= 2 and all(
            float(c).is_integer() and c >= 0 for c in consts):
        origin = Origin(node, "labels concatenated class by class")
        return Data(origin=origin, encoding=LabelEncoding.CLASS_IDS, num_classes=int(max(consts)) + 1,
                    classes_origin=origin, dtype="int", shape=(None,), ordered=origin, bounds=(min(consts), max(consts)))
    first = items[0]
    same = lambda attr: all(getattr(p, attr) == getattr(first, attr) for p in items)
    ordered = first.ordered if all(p.ordered is not None for p in items) else None
    return Data(origin=Origin(node, "concatenated arrays"),
                encoding=first.encoding if same("encoding") else LabelEncoding.UNKNOWN,
                num_classes=first.num_classes if same("num_classes") else None,
                vrange=first.vrange if same("vrange") else ValueRange.UNKNOWN,
                is_image=first.is_image and same("is_image"), dtype=first.dtype if same("dtype") else None,
                ordered=ordered, scalings=first.scalings if same("vrange") else ())


@api("tensorflow.reshape", "numpy.float32", "tensorflow.image.resize", "tensorflow.image.random_flip_left_right",
     "numpy.clip", "tensorflow.image.random_brightness", "tensorflow.image.flip_left_right", "numpy.flip",
     "numpy.transpose")
def _same_values(interp, args, node):
    value = as_data(args.value(None, 0))
    if isinstance(value, Data):
        name = last(canonical(call_name(node)))
        if name in ("resize",):
            return value.derive(dtype="float", shape=None)
        if name in ("reshape", "transpose"):
            return value.same_values(shape=None)
        return value.derive(shape=value.shape)  # element-wise: the shape is kept
    return value if isinstance(value, Tensor) else UNKNOWN


def _shape_op(qualname: str) -> Handler:
    def handle(interp, args, node):
        value = as_data(args.value(None, 0))
        if isinstance(value, Data):
            return value.same_values(shape=_moved_shape(qualname, value.shape, args))
        return value if isinstance(value, Tensor) else UNKNOWN

    return handle


for _name in ("numpy.expand_dims", "numpy.squeeze", "numpy.reshape", "tensorflow.expand_dims"):
    HANDLERS[_name] = _shape_op(_name)


def reshaped(shape: Optional[tuple], target: Optional[tuple]) -> Optional[tuple]:
    """The shape `reshape(target)` gives (one -1 resolved when the size is known); None entries unknown."""
    if target is None:
        return None
    if target.count(-1) == 1:
        total = math.prod(shape) if shape is not None and None not in shape else None
        rest = [d for d in target if d != -1]
        known = math.prod(rest) if None not in rest else None
        fill = total // known if total is not None and known and total % known == 0 else None
        return tuple(fill if d == -1 else d for d in target)
    if any(d is not None and d < 0 for d in target):
        return None
    return target


def _moved_shape(qualname: str, shape: Optional[tuple], args) -> Optional[tuple]:
    """Shapes of numpy's expand_dims / squeeze / reshape (and tf.expand_dims at a negative axis).

    tf.reshape and tf.expand_dims at a non-negative axis stay unknown: inside a `Dataset.map` they see
    one element without its sample axis, which the abstract value cannot tell from a whole array.
    """
    if shape is None:
        return None
    name = last(qualname)
    if name == "expand_dims":
        axis = const_int(args.value("axis", 1))
        if axis is None or (axis >= 0 and qualname.startswith("tensorflow")):
            return None
        rank = len(shape) + 1
        if not -rank <= axis < rank:
            return None
        axis = axis % rank
        return shape[:axis] + (1,) + shape[axis:]
    if name == "squeeze" and qualname.startswith("numpy"):
        axis = args.value("axis", 1)
        if axis is None or (isinstance(axis, Const) and axis.value is None):
            return None if None in shape else tuple(d for d in shape if d != 1)
        index = const_int(axis)
        if index is None or not -len(shape) <= index < len(shape) or shape[index] != 1:
            return None
        return shape[:index % len(shape)] + shape[index % len(shape) + 1:]
    if name == "reshape" and qualname.startswith("numpy"):
        target = args.value("newshape", 1)
        if target is None:
            target = args.value("shape", None)
        if not isinstance(target, Seq) and const_int(target) is None:
            return None
        dims = target.items if isinstance(target, Seq) else [target]
        return reshaped(shape, tuple(const_int(d) for d in dims))
    return None


@api("numpy.split", "numpy.array_split")
def _np_split(interp, args, node):
    """`np.split(x, 5)` / `np.split(x, [800, 900])`: that many pieces of the same data, each a new root."""
    value = as_data(args.value("ary", 0))
    sections = args.value("indices_or_sections", 1)
    count = const_int(sections)
    if isinstance(sections, Seq) and not sections.grown:
        count = len(sections.items) + 1
    if not isinstance(value, Data) or count is None or not 0 < count <= 64:
        return UNKNOWN
    if args.value("axis", 2) in (Const(1), Const(-1)) and value.shape is not None and len(value.shape) == 2:
        return _split_columns(value, sections, count)
    if args.value("axis", 2) not in (None, Const(0)):
        return UNKNOWN
    shape = (None,) + tuple(value.shape[1:]) if value.shape else None
    return Seq([value.same_values(root=new_root(), shape=shape, ordered=None if count > 1 else value.ordered)
                for _ in range(count)], is_tuple=False)


def _split_columns(value: Data, sections: Any, count: int) -> Any:
    """`np.split(data, [2], axis=1)`: column blocks of a 2-D array, each keeping what `data[:, a:b]` keeps."""
    width = value.shape[1]
    if isinstance(sections, Seq):
        cuts = [const_int(item) for item in sections.items]
        if width is None or None in cuts or any(not 0 <= c <= width for c in cuts) or cuts != sorted(cuts):
            return UNKNOWN
        edges = [0] + cuts + [width]
        widths = [b - a for a, b in zip(edges, edges[1:])]
    elif width is not None and width % count == 0:
        widths = [width // count] * count
    else:
        return UNKNOWN
    encoding = value.encoding if value.encoding == LabelEncoding.CONTINUOUS else LabelEncoding.UNKNOWN
    return Seq([Data(origin=value.origin, encoding=encoding, dtype=value.dtype, bounds=value.bounds,
                     vrange=value.vrange, scalings=value.scalings, roles=value.roles, centred=value.centred,
                     root=new_root(), shape=(value.shape[0], w)) for w in widths], is_tuple=False)


# Element-wise functions that map continuous values to continuous values, with the range they give.
_CONTINUOUS_UFUNCS = {
    "sin": (-1.0, 1.0), "cos": (-1.0, 1.0), "tanh": (-1.0, 1.0), "sqrt": None, "exp": None, "log": None,
    "log1p": None, "log10": None, "log2": None, "abs": None, "absolute": None, "arctan2": None, "hypot": None,
    "arctan": None, "radians": None, "degrees": None, "deg2rad": None, "rad2deg": None, "square": None,
    "cbrt": None, "sinh": None, "cosh": None, "expm1": None, "power": None, "float_power": None,
}


def _continuous_ufunc(interp, args, node):
    values = [as_data(v) for v, _ in args.pos]
    if not values or not all(isinstance(v, Data) and v.encoding == LabelEncoding.CONTINUOUS for v in values
                             if not isinstance(v, Const)) or not any(isinstance(v, Data) for v in values):
        return UNKNOWN
    name = last(canonical(call_name(node)))
    first = next(v for v in values if isinstance(v, Data))
    return Data(origin=Origin(node, f"np.{name} of continuous values"), encoding=LabelEncoding.CONTINUOUS,
                dtype="float", shape=first.shape, bounds=_CONTINUOUS_UFUNCS.get(name))


for _name in _CONTINUOUS_UFUNCS:
    HANDLERS[f"numpy.{_name}"] = _continuous_ufunc


@api("numpy.linalg.norm")
def _norm(interp, args, node):
    value = as_data(args.value("x", 0))
    if isinstance(value, Data) and value.encoding == LabelEncoding.CONTINUOUS:
        return Data(origin=Origin(node, "a norm of continuous values"), encoding=LabelEncoding.CONTINUOUS,
                    dtype="float")
    return UNKNOWN


@api("numpy.divide", "numpy.multiply", "numpy.subtract", "numpy.add", "numpy.true_divide", "tensorflow.divide",
     "tensorflow.math.divide", "tensorflow.multiply", "tensorflow.math.multiply")
def _np_binary(interp, args, node):
    op = {"divide": "Divide", "true_divide": "Divide", "multiply": "Multiply", "subtract": "Subtract", "add": "Add"}[
        last(canonical(call_name(node)))]
    return binary_op(interp, op, as_data(args.value(None, 0)), as_data(args.value(None, 1)), node)


@api("numpy.load", "numpy.fromfile", "pandas.read_excel", "pandas.read_json", "pandas.read_pickle", "pickle.load",
     "joblib.load", "h5py.File")
def _from_file(interp, args, node):
    return Data(origin=Origin(node, "read from a file"))


@api("numpy.loadtxt", "numpy.genfromtxt")
def _text_table(interp, args, node):
    """A table of numbers from a text file: at most 2-D (a file of one row or one column gives 1-D, unless
    `ndmin` asks for more), so a column `data[:, 0]` of it, which needs two axes, is 1-D."""
    table = not args.starred and "ndmin" not in args.kw
    return Data(origin=Origin(node, "read from a file"), max_rank=2 if table else None)


@api("pandas.read_csv", "pandas.read_table", "pandas.read_parquet", "pandas.read_feather")
def _frame_from_file(interp, args, node):
    """A DataFrame: a table of rows and columns, whatever the file holds, so its columns (`df["label"]`,
    `df.pop("label")`) are 1-D. Not when it reads in chunks (an iterator of frames) or `**options` hide that."""
    if args.starred or any(name in args.kw for name in ("chunksize", "iterator", "squeeze")):
        return Data(origin=Origin(node, "read from a file"))
    return Data(origin=Origin(node, "read from a file"), shape=(None, None))


@api("pandas.get_dummies")
def _get_dummies(interp, args, node):
    value = args.value("data", 0)
    return Data(origin=Origin(node, "pd.get_dummies (one-hot)"), encoding=LabelEncoding.ONE_HOT, dtype="float",
                root=value.root if isinstance(value, Data) else new_root(),
                roles=value.roles if isinstance(value, Data) else frozenset())
