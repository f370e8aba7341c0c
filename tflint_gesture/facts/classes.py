"""Classes of the script and of its project modules: which are Keras models, layers or data sequences,
and what making and using one does.

Whether a class is a Keras `Model` / `Layer` / `Sequence` is decided from its bases in the same walk:
an imported base through `facts/hierarchy.py` (its canonical name, or an installed library's source), a
base defined in the project by inheriting that base's flags and methods, so any depth of hierarchy works
(docs/architecture.md says why this is not astroid).

- a `keras.Model` subclass runs `__init__` with the call's arguments, then `call` on a symbolic input;
  `super().__init__(inputs=..., outputs=...)` (or a subclass without `__init__` made with
  `MyModel(inputs, outputs)`) makes it a functional model of that graph;
- a custom `keras.layers.Layer` runs `__init__` (the sub-layers it stores on self), and each time it is
  applied to tensors its `call` runs on them, so the functional graph goes on through the block with
  the layers it really applies; a body the analysis cannot follow gives an opaque tensor, never a guess;
- a `keras.utils.Sequence` / `PyDataset` yields what `__getitem__` returns;
- `super()` reaches the next class of the hierarchy that defines the method, or Keras' own.

The interpreter calls these functions with itself as `interp`; this module never imports it.
"""

from __future__ import annotations

from typing import Any, Optional

import libcst as cst

from tflint_gesture.facts.hierarchy import class_kind
from tflint_gesture.facts.names import canonical
from tflint_gesture.facts.values import (
    UNKNOWN,
    UNKNOWN_LAYER,
    Args,
    BoundMethod,
    ClassValue,
    Const,
    Data,
    Dataset,
    Function,
    Instance,
    Layer,
    Mapping,
    ModelValue,
    Origin,
    Ref,
    Seq,
    Super,
    Tensor,
)

SEQUENTIAL = ("keras.Sequential", "keras.models.Sequential", "keras.engine.sequential.Sequential")


def define_class(interp, node: cst.ClassDef, scope) -> ClassValue:
    cls = ClassValue(node=node, scope=scope)
    for base in node.bases:
        if base.keyword is not None:  # `metaclass=...`
            continue
        value = interp.eval(base.value, scope)
        if isinstance(value, Ref):
            kind = class_kind(value.qualname, interp.apis.LAYER_LIBRARIES)
            cls.sequential = cls.sequential or canonical(value.qualname) in SEQUENTIAL
            cls.keras_model = cls.keras_model or kind == "model"
            cls.keras_layer = cls.keras_layer or kind == "layer"
            cls.keras_sequence = cls.keras_sequence or kind == "sequence"
        elif isinstance(value, ClassValue):  # a class of the script (or of an imported project module)
            cls.bases.append(value)
            cls.sequential = cls.sequential or value.sequential
            cls.keras_model = cls.keras_model or value.keras_model
            cls.keras_layer = cls.keras_layer or value.keras_layer
            cls.keras_sequence = cls.keras_sequence or value.keras_sequence
            cls.custom_train_step = cls.custom_train_step or value.custom_train_step
    if cls.keras_model:
        cls.keras_layer = False  # a Model is a Layer too: the model reading wins
    for base in reversed(cls.bases):  # the first base wins, as in Python's method resolution
        cls.methods.update(base.methods)
        cls.owners.update(base.owners)
    for stmt in node.body.body:
        if isinstance(stmt, cst.FunctionDef):
            cls.methods[stmt.name.value] = stmt
            cls.owners[stmt.name.value] = cls
    if "train_step" in cls.methods:
        cls.custom_train_step = True
    if not (cls.keras_model or cls.keras_layer or cls.keras_sequence):
        for name, method in cls.methods.items():
            if name.startswith("__") and name != "__init__":
                continue
            kind = decorated(method)
            owner = None if kind == "staticmethod" else cls if kind == "classmethod" else Instance(cls)
            interp.defined_functions.append((method_function(cls, name), owner))
    return cls


def decorated(method: cst.FunctionDef) -> str:
    """'staticmethod' or 'classmethod' when the method is one, else ''."""
    for decorator in method.decorators:
        name = decorator.decorator
        if isinstance(name, cst.Name) and name.value in ("staticmethod", "classmethod"):
            return name.value
    return ""


def class_attribute(cls: ClassValue, name: str, node: cst.CSTNode) -> Any:
    """`Cls.name`: a static or plain method as a function (`Base.__init__(self, ...)` passes self itself),
    a classmethod bound to the class; anything else is unknown."""
    function = method_function(cls, name)
    if function is None:
        return UNKNOWN
    if decorated(function.node) == "classmethod":
        return BoundMethod(cls, name, node)
    return function


def method_function(cls: ClassValue, name: str) -> Optional[Function]:
    """The method `name` of `cls` as a function of the scope its own class was defined in."""
    method = cls.methods.get(name)
    if method is None:
        return None
    owner = cls.owners.get(name, cls)
    return Function(method, owner.scope)


def instantiate(interp, cls: ClassValue, args: Args, node: cst.Call) -> Any:
    if cls.keras_model:
        model = ModelValue(kind="sequential" if cls.sequential else "subclassed", node=node,
                           custom_train_step=cls.custom_train_step, name=cls.node.name.value, cls=cls)
        model.created_depth = interp.uncertain
        interp.facts.models.append(model)
        interpret_subclassed(interp, cls, model, args, node)
        return model
    if cls.keras_layer:
        return make_custom_layer(interp, cls, args, node)
    if cls.keras_sequence:
        return sequence_batches(interp, cls, args, node)
    instance = Instance(cls)
    init = method_function(cls, "__init__")
    if init is not None:
        interp.call_function(init, args, node, self_value=instance)
    return instance


def interpret_subclassed(interp, cls: ClassValue, model: ModelValue, args: Args, node: cst.Call) -> None:
    """Run `__init__` with the call's arguments (layers stored on self become the model's attributes,
    a `self.compile(...)` in it compiles the model), then `call` on a symbolic input: when it returns a
    tensor of those layers, that is the model's output and its head is known. Without an `__init__` of
    the project, Keras' own takes the arguments: `MyModel(inputs, outputs)` is a functional model."""
    init = method_function(cls, "__init__")
    if init is not None:
        interp.call_function(init, args, node, self_value=model)
    else:
        keras_model_init(interp, model, args)
    forward = method_function(cls, "call")
    if forward is None:
        return
    if model.kind in ("functional", "sequential"):  # its own `call` replaces the graph given to Keras
        model.kind, model.output, model.layers = "subclassed", UNKNOWN, []
    if len(forward.node.params.params) < 2:
        return
    build = method_function(cls, "build")
    if build is not None:  # Keras builds the model on its first call: layers made there are used by `call`
        interp.call_function(build, Args(pos=[(UNKNOWN, None)]), node, self_value=model)
    probe = Tensor(Layer(kind="Input", node=forward.node, args={"shape": UNKNOWN}), (), forward.node)
    extra = [(UNKNOWN, None)] * (len(forward.node.params.params) - 2)
    probe_args = training_mode(forward, Args(pos=[(probe, None)] + extra))
    output = interp.call_function(forward, probe_args, forward.node, self_value=model)
    if output is not probe and _of_graph(output, (probe,)):  # a tensor, or a list / dict of them (outputs)
        model.output = output
        model.inputs = probe


def keras_model_init(interp, model: ModelValue, args: Args) -> bool:
    """`keras.Model.__init__(inputs, outputs)` reached from a subclass: the model is that functional graph;
    `keras.Sequential.__init__(layers)` of a Sequential subclass: those are its first layers."""
    if model.kind == "sequential":
        layers = args.value("layers", 0)
        if isinstance(layers, Seq):
            model.layers = [UNKNOWN_LAYER if i in layers.maybe else interp.apis.as_layer(item, model.node)
                            for i, item in enumerate(layers.items)]
        elif layers is not None and not (isinstance(layers, Const) and layers.value is None):
            model.layers = [UNKNOWN_LAYER]
        return True
    (inputs, inputs_arg), (outputs, outputs_arg) = args.get("inputs", 0), args.get("outputs", 1)
    if inputs_arg is None or outputs_arg is None:  # both written out (not `**kwargs`): Keras needs both
        return False
    model.kind = "functional"
    model.inputs = inputs
    model.output = outputs
    return True


def sequence_batches(interp, cls: ClassValue, args: Args, node: cst.Call) -> Any:
    """A `keras.utils.Sequence` / `PyDataset`: its `__getitem__` (with an unknown index) says what one
    batch is, `(x, y)` or `x`; the instance is the dataset `fit` reads."""
    instance = Instance(cls)
    init = method_function(cls, "__init__")
    if init is not None:
        interp.call_function(init, args, node, self_value=instance)
    getitem = method_function(cls, "__getitem__")
    if getitem is None:
        return instance
    batch = interp.call_function(getitem, Args(pos=[(UNKNOWN, None)]), node, self_value=instance)
    origin = Origin(node, f"batches of {cls.node.name.value}.__getitem__")
    if isinstance(batch, Seq) and len(batch.items) in (2, 3) and not batch.grown:
        x, y = (interp.apis.as_data(item) for item in batch.items[:2])
        return Dataset(x=x, y=interp.apis.element_labels(y, node), origin=origin, batches=1)
    if isinstance(batch, Data):
        return Dataset(x=batch, y=None, origin=origin, batches=1)
    return Dataset(origin=origin)


# ------------------------------------------------------------------ custom layers
def make_custom_layer(interp, cls: ClassValue, args: Args, node: cst.Call) -> Layer:
    """A custom layer: an unknown layer (kind "?") that carries its class and what `__init__` stored on
    self. Its `call` is also run once on a symbolic input, so that used as a whole (the last layer of a
    Sequential) the block's own output head is known: `layer.model` is that small functional graph."""
    layer = Layer(kind="?", node=node, call_args=args, args={"api": cls.node.name.value}, cls=cls)
    start = len(interp.facts.models)
    init = method_function(cls, "__init__")
    if init is not None:
        interp.call_function(init, args, node, self_value=layer)
    forward = method_function(cls, "call")
    if forward is not None and len(forward.node.params.params) >= 2:
        probe = Tensor(Layer(kind="Input", node=node, args={"shape": UNKNOWN}), (), node)
        output = _run_call(interp, layer, Args(pos=[(probe, None)]), node)
        if isinstance(output, Tensor) and output is not probe and _reaches(output, (probe,)):
            layer.model = ModelValue(kind="functional", node=node, inputs=probe, output=output,
                                     name=cls.node.name.value)
    _mark_parts(interp, layer, start)
    return layer


def _mark_parts(interp, layer: Layer, start: int) -> None:
    """Models made by a custom layer's own code are parts of it (`self.ffn = keras.Sequential([...])`):
    their last layer is not a network's output."""
    for model in interp.facts.models[start:]:
        if model.part_of is None:
            model.part_of = layer


def apply_custom_layer(interp, layer: Layer, args: Args, node: cst.Call) -> Any:
    """`block(x)`: the tensors `call` returns when run on these arguments, while they are of this graph;
    an opaque tensor of the inputs when the body cannot be followed. Applied to inputs the analysis lost
    (a dict of Inputs filled in a loop), a block whose `call` is known on a symbolic input still makes a
    tensor of its own, whose head `layer.model` tells; None when not applied to tensors."""
    parents = interp.apis.tensors_in(args)
    if not parents:
        first = args.value("inputs", 0)
        if layer.model is not None and (first is UNKNOWN or (isinstance(first, (Mapping, Seq)) and (
                getattr(first, "opaque", False) or getattr(first, "grown", False)))):
            return Tensor(layer, (), node)
        return None
    start = len(interp.facts.models)
    output = _run_call(interp, layer, args, node)
    _mark_parts(interp, layer, start)
    if isinstance(output, Tensor) and _of_graph(output, parents):
        return Tensor(output.layer, output.parents, output.node, via=layer)  # Keras names the output after the block
    if _of_graph(output, parents):
        return output
    return interp.apis.opaque_tensor(node, parents, layer.cls.node.name.value)


def _run_call(interp, layer: Layer, args: Args, node: cst.Call) -> Any:
    forward = method_function(layer.cls, "call")
    if forward is None:
        return UNKNOWN
    build = method_function(layer.cls, "build")
    if build is not None and not layer.attrs.get("__built__"):
        layer.attrs["__built__"] = True  # Keras builds a layer once, on its first call
        interp.call_function(build, Args(pos=[(UNKNOWN, None)]), node, self_value=layer)
    return interp.call_function(forward, training_mode(forward, args), node, self_value=layer)


def training_mode(forward: Function, args: Args) -> Args:
    """The arguments `fit` calls `call` with: Keras passes `training=True` to a `call` that takes a
    `training` argument, and the loss sees that output (a `call` that applies softmax only when not
    training gives logits to the loss)."""
    params = list(forward.node.params.params) + list(forward.node.params.kwonly_params)
    names = [p.name.value for p in params]
    if "training" not in names or "training" in args.kw or args.starred:
        return args
    index = [p.name.value for p in forward.node.params.params].index("training") - 1 \
        if "training" in [p.name.value for p in forward.node.params.params] else None
    if index is not None and index < len(args.pos):
        if args.pos[index][0] is not UNKNOWN:
            return args  # given by the caller
        pos = list(args.pos)
        pos[index] = (Const(True), None)
        return Args(pos=pos, kw=dict(args.kw), starred=args.starred, scope=args.scope)
    return Args(pos=list(args.pos), kw={**args.kw, "training": (Const(True), None)}, starred=args.starred,
                scope=args.scope)


def _of_graph(output: Any, parents: tuple) -> bool:
    """True when `output` (a tensor, or a list / dict literal of them) is computed from `parents`."""
    if isinstance(output, Tensor):
        return _reaches(output, parents)
    items = output.items if isinstance(output, Seq) and not output.grown else (
        list(output.items.values()) if isinstance(output, Mapping) and not output.opaque else None)
    return bool(items) and all(isinstance(t, Tensor) and _reaches(t, parents) for t in items)


def _reaches(tensor: Tensor, parents: tuple, limit: int = 2000) -> bool:
    wanted = {id(p) for p in parents}
    stack, seen = [tensor], set()
    while stack and len(seen) < limit:
        current = stack.pop()
        if id(current) in wanted:
            return True
        if id(current) in seen or not isinstance(current, Tensor):
            continue
        seen.add(id(current))
        stack.extend(current.parents)
    return False


# ------------------------------------------------------------------ methods and super()
def own_method(obj: Any, name: str) -> Optional[Function]:
    """The project's method `name` of a subclassed model, a custom layer or an instance, if it has one."""
    cls = getattr(obj, "cls", None)
    if isinstance(cls, ClassValue) and name in cls.methods:
        return method_function(cls, name)
    return None


def make_super(interp, args: Args, scope) -> Any:
    """`super()` / `super(Cls, self)` inside a method: a `Super` of the class defining that method."""
    if len(args.pos) >= 2:
        cls, obj = args.pos[0][0], args.pos[1][0]
        return Super(cls, obj) if isinstance(cls, ClassValue) else UNKNOWN
    if not interp.active or not isinstance(interp.active[-1], cst.FunctionDef):
        return UNKNOWN
    fnode = interp.active[-1]
    params = list(fnode.params.posonly_params) + list(fnode.params.params)
    if not params:
        return UNKNOWN
    obj = scope.lookup(params[0].name.value)
    cls = getattr(obj, "cls", None)
    defining = _defining_class(cls, fnode) if isinstance(cls, ClassValue) else None
    return Super(defining, obj) if defining is not None else UNKNOWN


def _defining_class(cls: ClassValue, fnode: cst.FunctionDef, depth: int = 0) -> Optional[ClassValue]:
    if depth > 20:
        return None
    if any(stmt is fnode for stmt in cls.node.body.body):
        return cls
    for base in cls.bases:
        found = _defining_class(base, fnode, depth + 1)
        if found is not None:
            return found
    return None


def super_method(sup: Super, name: str) -> Optional[Function]:
    """The method `name` of the first base of `sup.cls` (in order) that has it, if one of the project does."""
    for base in sup.cls.bases:
        if name in base.methods:
            return method_function(base, name)
    return None


def call_super(interp, sup: Super, name: str, args: Args, node: cst.Call) -> Any:
    """`super().name(...)`: the project's base method, else Keras' own (only `Model.__init__` with
    `inputs`/`outputs` is modelled: it makes the model functional)."""
    function = super_method(sup, name)
    if function is not None:
        return interp.call_function(function, args, node, self_value=sup.obj)
    if name == "__init__" and isinstance(sup.obj, ModelValue):
        keras_model_init(interp, sup.obj, args)
    return UNKNOWN


__all__ = ["define_class", "instantiate", "apply_custom_layer", "own_method", "make_super",
           "call_super", "keras_model_init", "method_function"]
