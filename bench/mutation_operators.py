"""The single-bug mutation operators of bench/bench_mutants.py: each one rewrites one place of a clean
training script the way a real bug looks (a loss swapped for its sparse twin, a `/ 255` forgotten, a
head one unit short), with libcst so the rest of the file keeps its formatting.

An operator is a `Site` finder: given a parsed module (with positions), it yields every place it can
mutate, each with the replacement node. A finder only proposes places where the result is a bug in
any script (a sparse loss on one-hot labels crashes whatever the data), never a guess about one file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Optional, Union

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

REMOVE = cst.RemovalSentinel.REMOVE


@dataclass(frozen=True)
class Site:
    node: cst.CSTNode
    replacement: Union[cst.CSTNode, cst.RemovalSentinel]
    line: int  # first line of `node` in the original file
    end_line: int
    note: str  # what changed, for the list of missed mutants
    statement_line: int = 0  # the statement holding `node`: where a finding about it is "near"
    statement_end: int = 0


@dataclass(frozen=True)
class Operator:
    name: str
    bug: str  # the real bug it imitates
    expected: frozenset  # the codes that report that bug
    find: Callable[["Module"], Iterator[Site]]
    # Where the finding belongs: False, at the mutated statement (a swapped loss, a head one unit
    # short); True, where the mutated value is used (a forgotten `/ 255` shows at the fit, not at a
    # line that no longer exists).
    at_use: bool = False


class Module:
    """A parsed script with positions and the few facts the finders share (how keras is imported)."""

    def __init__(self, text: str):
        self.wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
        self.tree = self.wrapper.module
        self.positions = self.wrapper.resolve(PositionProvider)
        self.nodes = list(_walk(self.tree))
        self.parents = {child: node for node in self.nodes for child in node.children}
        self.keras = _keras_reference(self.tree)

    def site(self, node: cst.CSTNode, replacement, note: str) -> Site:
        """A mutation of `node`, placed at the lines of the statement that holds it."""
        statement = node
        while statement in self.parents and not isinstance(statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            statement = self.parents[statement]
        pos, span = self.positions[node], self.positions[statement]
        return Site(node, replacement, pos.start.line, pos.end.line, note, span.start.line, span.end.line)

    def code(self, node: cst.CSTNode) -> str:
        return " ".join(self.tree.code_for_node(node).split())

    def mutate(self, site: Site) -> str:
        if isinstance(site.replacement, cst.RemovalSentinel):
            return self.tree.deep_remove(site.node).code
        return self.tree.deep_replace(site.node, site.replacement).code

    def calls(self) -> Iterator[cst.Call]:
        return (n for n in self.nodes if isinstance(n, cst.Call))


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    yield node
    for child in node.children:
        yield from _walk(child)


def _keras_reference(tree: cst.Module) -> Optional[str]:
    """How this script can spell `keras` in an inserted expression: `keras` or `tf.keras`."""
    spelled = set()
    for node in _walk(tree):
        if isinstance(node, cst.Import):
            for alias in node.names:
                name = tree.code_for_node(alias.name)
                bound = alias.asname.name.value if alias.asname else name
                if name == "keras" and bound == "keras":
                    spelled.add("keras")
                if name == "tensorflow" and isinstance(bound, str):
                    spelled.add(f"{bound}.keras")
        elif isinstance(node, cst.ImportFrom) and node.module is not None and not isinstance(node.names, cst.ImportStar):
            if tree.code_for_node(node.module) == "tensorflow":
                for alias in node.names:
                    if alias.name.value == "keras" and alias.asname is None:
                        spelled.add("keras")
    return "keras" if "keras" in spelled else min(spelled, default=None)


# --------------------------------------------------------------------------- small helpers
def func_name(call: cst.Call) -> str:
    """The last dotted part of what is called: `Dense` for `layers.Dense(...)`."""
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


def keyword(call: cst.Call, name: str) -> Optional[cst.Arg]:
    return next((a for a in call.args if a.keyword is not None and a.keyword.value == name), None)


def string_value(node: cst.CSTNode) -> Optional[str]:
    return node.evaluated_value if isinstance(node, cst.SimpleString) else None


def number(node: cst.CSTNode) -> Optional[float]:
    if isinstance(node, (cst.Integer, cst.Float)):
        return float(node.evaluated_value)
    return None


def units_arg(call: cst.Call) -> Optional[cst.Arg]:
    positional = [a for a in call.args if a.keyword is None and not a.star]
    return keyword(call, "units") or (positional[0] if positional else None)


def is_head_layer(call: cst.Call, activation: str) -> bool:
    """A `Dense(..., activation=<activation>)` call."""
    act = keyword(call, "activation")
    return func_name(call) == "Dense" and act is not None and string_value(act.value) == activation


def single_unit(call: cst.Call) -> bool:
    units = units_arg(call)
    return units is not None and number(units.value) == 1


def loss_values(mod: Module) -> Iterator[cst.CSTNode]:
    """Every expression given as a loss: `loss=` of any call, or a `loss = ...` variable later used as one."""
    for call in mod.calls():
        arg = keyword(call, "loss")
        if arg is not None:
            yield arg.value
    for node in mod.nodes:  # `loss = "categorical_crossentropy"` then `compile(loss=loss)`
        if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name) \
                and node.targets[0].target.value in {"loss", "loss_fn"}:
            yield node.value


# The loss spellings a mutant can swap, as (string name, class name, function name).
CATEGORICAL = ("categorical_crossentropy", "CategoricalCrossentropy", "categorical_crossentropy")
SPARSE = ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", "sparse_categorical_crossentropy")
BINARY = ("binary_crossentropy", "BinaryCrossentropy", "binary_crossentropy")
REGRESSION = {"mse", "mae", "mean_squared_error", "mean_absolute_error", "MeanSquaredError", "MeanAbsoluteError",
              "huber", "Huber"}


def loss_kind(node: cst.CSTNode) -> Optional[tuple]:
    """Which family a loss expression names, or None: a string, a class call or a function reference."""
    name = string_value(node)
    if name is None:
        target = node.func if isinstance(node, cst.Call) else node
        name = target.attr.value if isinstance(target, cst.Attribute) else None
    for family in (CATEGORICAL, SPARSE, BINARY):
        if name in family:
            return family
    return ("regression",) if name in REGRESSION else None


def renamed_loss(node: cst.CSTNode, to: tuple) -> Optional[cst.CSTNode]:
    """The same loss expression naming the family `to` (same spelling: string, class or function)."""
    if isinstance(node, cst.SimpleString):
        quote = node.value[0]
        return node.with_changes(value=f"{quote}{to[0]}{quote}")
    target = node.func if isinstance(node, cst.Call) else node
    if not isinstance(target, cst.Attribute):
        return None
    new_name = to[1] if isinstance(node, cst.Call) else to[2]
    renamed = target.with_changes(attr=cst.Name(new_name))
    return node.with_changes(func=renamed) if isinstance(node, cst.Call) else renamed


def _swap_loss(mod: Module, source: tuple, target: tuple) -> Iterator[Site]:
    for value in loss_values(mod):
        if loss_kind(value) == source:
            new = renamed_loss(value, target)
            if new is not None:
                yield mod.site(value, new, f"{mod.code(value)} -> {target[0]}")


# --------------------------------------------------------------------------- loss operators
def sparse_twin(mod: Module) -> Iterator[Site]:
    yield from _swap_loss(mod, CATEGORICAL, SPARSE)
    yield from _swap_loss(mod, SPARSE, CATEGORICAL)


def binary_on_multiclass(mod: Module) -> Iterator[Site]:
    yield from _swap_loss(mod, CATEGORICAL, BINARY)


def categorical_on_binary_head(mod: Module) -> Iterator[Site]:
    """binary_crossentropy -> categorical_crossentropy, in a script whose sigmoid head has one unit."""
    if any(is_head_layer(c, "sigmoid") and single_unit(c) for c in mod.calls()):
        yield from _swap_loss(mod, BINARY, CATEGORICAL)


def mse_on_classifier(mod: Module) -> Iterator[Site]:
    """A (sparse) categorical loss -> mse, in a script whose head is a softmax (mse on logits is another bug)."""
    if not any(is_head_layer(c, "softmax") and not single_unit(c) for c in mod.calls()):
        return
    for value in loss_values(mod):
        if loss_kind(value) in (CATEGORICAL, SPARSE):
            yield mod.site(value, cst.SimpleString('"mse"'), f"{mod.code(value)} -> mse")


def crossentropy_on_regression(mod: Module) -> Iterator[Site]:
    """mse/mae -> categorical_crossentropy, in a script with no softmax/sigmoid head (a regressor)."""
    if any(is_head_layer(c, a) for c in mod.calls() for a in ("softmax", "sigmoid")):
        return
    for value in loss_values(mod):
        if loss_kind(value) == ("regression",):
            yield mod.site(value, cst.SimpleString('"categorical_crossentropy"'),
                           f"{mod.code(value)} -> categorical_crossentropy")


def from_logits_on_probabilities(mod: Module) -> Iterator[Site]:
    """A cross-entropy loss gets `from_logits=True` in a script whose head is softmax or sigmoid."""
    if not any(is_head_layer(c, a) for c in mod.calls() for a in ("softmax", "sigmoid")):
        return
    for value in loss_values(mod):
        family = loss_kind(value)
        if family not in (CATEGORICAL, SPARSE, BINARY):
            continue
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
            if keyword(value, "from_logits") is None:
                new = value.with_changes(args=[*value.args, _kwarg("from_logits", cst.Name("True"))])
                yield mod.site(value, new, f"{mod.code(value)} + from_logits=True")
        elif isinstance(value, cst.SimpleString) and mod.keras is not None:
            new = cst.parse_expression(f"{mod.keras}.losses.{family[1]}(from_logits=True)")
            yield mod.site(value, new, f"{mod.code(value)} -> {family[1]}(from_logits=True)")


def drop_from_logits(mod: Module) -> Iterator[Site]:
    for call in mod.calls():
        arg = keyword(call, "from_logits")
        if arg is not None and isinstance(arg.value, cst.Name) and arg.value.value == "True" \
                and loss_kind(call) in (CATEGORICAL, SPARSE, BINARY):
            yield mod.site(arg, REMOVE, f"{mod.code(call)}: from_logits=True removed")


def _kwarg(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(value=value, keyword=cst.Name(name),
                   equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                         whitespace_after=cst.SimpleWhitespace("")))


# --------------------------------------------------------------------------- labels
def drop_to_categorical(mod: Module) -> Iterator[Site]:
    for call in mod.calls():
        if func_name(call) == "to_categorical" and call.args and call.args[0].keyword is None:
            yield mod.site(call, call.args[0].value.with_changes(), f"{mod.code(call)} -> its labels")


# --------------------------------------------------------------------------- output head
def softmax_to_sigmoid(mod: Module) -> Iterator[Site]:
    for call in mod.calls():
        if is_head_layer(call, "softmax") and not single_unit(call):
            act = keyword(call, "activation")
            quote = act.value.value[0]
            yield mod.site(act.value, cst.SimpleString(f"{quote}sigmoid{quote}"), f"{mod.code(call)}: sigmoid")


def softmax_to_linear(mod: Module) -> Iterator[Site]:
    for call in mod.calls():
        if is_head_layer(call, "softmax") and not single_unit(call):
            yield mod.site(keyword(call, "activation"), REMOVE, f"{mod.code(call)}: activation removed")


def sigmoid_to_softmax_single_unit(mod: Module) -> Iterator[Site]:
    for call in mod.calls():
        if is_head_layer(call, "sigmoid") and single_unit(call):
            act = keyword(call, "activation")
            quote = act.value.value[0]
            yield mod.site(act.value, cst.SimpleString(f"{quote}softmax{quote}"), f"{mod.code(call)}: softmax")


def head_one_unit_short(mod: Module) -> Iterator[Site]:
    for call in mod.calls():
        if is_head_layer(call, "softmax") and not single_unit(call):
            units = units_arg(call)
            if units is None:
                continue
            value = units.value
            if isinstance(value, cst.Integer):
                new = cst.Integer(str(int(value.evaluated_value) - 1))
            else:
                new = cst.BinaryOperation(left=value, operator=cst.Subtract(), right=cst.Integer("1"))
            yield mod.site(value, new, f"{mod.code(call)}: units - 1")


# --------------------------------------------------------------------------- input scaling
def _is_255(node: cst.CSTNode) -> bool:
    if number(node) == 255.0:
        return True
    return isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide) \
        and number(node.left) == 1.0 and number(node.right) == 255.0


def drop_pixel_scaling(mod: Module) -> Iterator[Site]:
    """`x / 255` -> `x`, `x /= 255` -> `x = x`, a `Rescaling(1/255)` layer or `rescale=1/255` removed."""
    for node in mod.nodes:
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide) and _is_255(node.right) \
                and number(node.left) is None:  # `1.0 / 255` is a scale factor: its layer or keyword is removed
            yield mod.site(node, node.left.with_changes(lpar=(), rpar=()), f"{mod.code(node)} -> unscaled")
        elif isinstance(node, cst.AugAssign) and isinstance(node.operator, cst.DivideAssign) and _is_255(node.value):
            yield mod.site(node, cst.Assign(targets=[cst.AssignTarget(node.target)], value=node.target),
                           f"{mod.code(node)} removed")
    for call in mod.calls():
        if func_name(call) == "Rescaling" and call.args and _is_255(call.args[0].value):
            yield from _drop_layer(mod, call)
        rescale = keyword(call, "rescale")
        if rescale is not None and _is_255(rescale.value):
            yield mod.site(rescale, REMOVE, f"{mod.code(call)}: rescale removed")


def _drop_layer(mod: Module, layer: cst.Call) -> Iterator[Site]:
    """Remove a layer however it is placed: a Sequential list element, `.add(layer)`, or `x = layer(x)`."""
    for node in mod.nodes:
        if isinstance(node, (cst.List, cst.Tuple)) and any(e.value is layer for e in node.elements):
            element = next(e for e in node.elements if e.value is layer)
            yield mod.site(element, REMOVE, f"{mod.code(layer)} removed from the layer list")
            return
        if isinstance(node, cst.Call) and node.func is layer and len(node.args) == 1:
            yield mod.site(node, node.args[0].value.with_changes(), f"{mod.code(layer)} removed from the graph")
            return
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "add" \
                and len(node.args) == 1 and node.args[0].value is layer:
            yield mod.site(node, cst.Name("None"), f"{mod.code(layer)} removed (model.add)")
            return


def drop_flatten(mod: Module) -> Iterator[Site]:
    """Remove the Flatten / global pooling between a feature map and the dense head."""
    for call in mod.calls():
        if func_name(call) in {"Flatten", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "GlobalAveragePooling1D",
                               "GlobalMaxPooling1D"}:
            yield from _drop_layer(mod, call)


# --------------------------------------------------------------------------- shapes
def _shape_tuples(mod: Module) -> Iterator[tuple]:
    """The literal input shapes a script declares: `Input(shape=...)`, any layer's `input_shape=`."""
    for call in mod.calls():
        for name in ("shape", "input_shape"):
            if name == "shape" and func_name(call) not in {"Input", "InputLayer"}:
                continue
            arg = keyword(call, name)
            if arg is not None and isinstance(arg.value, cst.Tuple) and arg.value.elements:
                yield call, arg.value


def input_dim_changed(mod: Module) -> Iterator[Site]:
    """The last literal size of a declared input shape is off by one: `(28, 28, 1)` -> `(28, 28, 2)`."""
    for call, shape in _shape_tuples(mod):
        last = shape.elements[-1].value
        if isinstance(last, cst.Integer):
            new = cst.Integer(str(int(last.evaluated_value) + 1))
            yield mod.site(last, new, f"{mod.code(call)}: last input size + 1")


def input_rank_dropped(mod: Module) -> Iterator[Site]:
    """A declared input shape loses its last axis: `(28, 28, 1)` -> `(28, 28)`."""
    for call, shape in _shape_tuples(mod):
        if len(shape.elements) >= 2 and not any(isinstance(e, cst.StarredElement) for e in shape.elements):
            kept = [e.with_changes(comma=cst.MaybeSentinel.DEFAULT) for e in shape.elements[:-1]]
            if len(kept) == 1:
                kept = [kept[0].with_changes(comma=cst.Comma())]
            yield mod.site(shape, shape.with_changes(elements=kept), f"{mod.code(call)}: last input axis dropped")


# --------------------------------------------------------------------------- training
def drop_validation(mod: Module) -> Iterator[Site]:
    for call in mod.calls():
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in {"fit", "fit_generator"}:
            for name in ("validation_data", "validation_split"):
                arg = keyword(call, name)
                if arg is not None:
                    yield mod.site(arg, REMOVE, f"{name} removed from {mod.code(call.func)}")


def validation_is_training(mod: Module) -> Iterator[Site]:
    """`validation_data=(x_val, y_val)` -> the fit's own `(x, y)`."""
    for call in mod.calls():
        if not (isinstance(call.func, cst.Attribute) and call.func.attr.value == "fit"):
            continue
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        x = keyword(call, "x").value if keyword(call, "x") else (positional[0] if positional else None)
        y = keyword(call, "y").value if keyword(call, "y") else (positional[1] if len(positional) > 1 else None)
        val = keyword(call, "validation_data")
        if x is None or val is None:
            continue
        same = x if y is None else cst.Tuple([cst.Element(x.with_changes()), cst.Element(y.with_changes())])
        yield mod.site(val.value, same, f"validation_data -> {mod.code(same)}")


def learning_rate_x1000(mod: Module) -> Iterator[Site]:
    optimizers = {"Adam", "AdamW", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam"}
    for call in mod.calls():
        if func_name(call) not in optimizers:
            continue
        arg = keyword(call, "learning_rate") or keyword(call, "lr")
        positional = [a for a in call.args if a.keyword is None and not a.star]
        arg = arg or (positional[0] if positional else None)
        if arg is not None and number(arg.value) is not None:
            new = cst.Float(repr(number(arg.value) * 1000))
            yield mod.site(arg.value, new, f"{mod.code(call)}: learning rate x1000")


OPERATORS = (
    Operator("loss-sparse-twin", "categorical_crossentropy and sparse_categorical_crossentropy swapped",
             frozenset({"TFG101", "TFG102", "TFG502", "TFG109"}), sparse_twin),
    Operator("drop-to-categorical", "labels left as class ids (to_categorical forgotten)",
             frozenset({"TFG102", "TFG502", "TFG109"}), drop_to_categorical, at_use=True),
    Operator("binary-loss-multiclass", "binary_crossentropy on a multi-class one-hot problem",
             frozenset({"TFG104"}), binary_on_multiclass),
    Operator("categorical-loss-binary-head", "categorical_crossentropy on a single sigmoid unit",
             frozenset({"TFG206", "TFG204", "TFG203"}), categorical_on_binary_head),
    Operator("mse-on-classifier", "mse on a softmax classifier", frozenset({"TFG107", "TFG502"}), mse_on_classifier),
    Operator("crossentropy-on-regression", "cross-entropy on a regression target",
             frozenset({"TFG103", "TFG206"}), crossentropy_on_regression),
    Operator("from-logits-on-probabilities", "from_logits=True on a softmax/sigmoid output",
             frozenset({"TFG105"}), from_logits_on_probabilities),
    Operator("drop-from-logits", "a linear head whose loss lost from_logits=True",
             frozenset({"TFG106"}), drop_from_logits),
    Operator("softmax-to-sigmoid", "sigmoid on a multi-class (softmax) head",
             frozenset({"TFG204"}), softmax_to_sigmoid),
    Operator("softmax-to-linear", "the softmax of the head forgotten", frozenset({"TFG106"}), softmax_to_linear),
    Operator("sigmoid-to-softmax-1-unit", "softmax over the single unit of a binary head",
             frozenset({"TFG201"}), sigmoid_to_softmax_single_unit),
    Operator("head-units-minus-one", "output layer one unit short of the classes",
             frozenset({"TFG203", "TFG502"}), head_one_unit_short),
    Operator("drop-pixel-scaling", "the / 255 (or Rescaling) of raw pixels forgotten",
             frozenset({"TFG401", "TFG403"}), drop_pixel_scaling, at_use=True),
    Operator("drop-flatten", "Flatten / global pooling before the dense head forgotten",
             frozenset({"TFG502", "TFG503"}), drop_flatten, at_use=True),
    Operator("input-dim-plus-one", "declared input size differs from the data",
             frozenset({"TFG501", "TFG503"}), input_dim_changed),
    Operator("input-rank-dropped", "declared input shape misses an axis of the data",
             frozenset({"TFG501", "TFG503"}), input_rank_dropped),
    Operator("drop-validation", "fit without validation data", frozenset({"TFG301", "TFG302"}), drop_validation),
    Operator("validation-is-training", "validating on the training data", frozenset({"TFG304"}),
             validation_is_training),
    Operator("learning-rate-x1000", "learning rate a thousand times too high", frozenset({"TFG601"}),
             learning_rate_x1000),
)
