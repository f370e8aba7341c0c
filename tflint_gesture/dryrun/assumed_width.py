"""The class count a slice writes in when a classifier's output width comes from data the dry run does not load.

`Dense(num_classes, activation="softmax")` with `num_classes = int(labels.max()) + 1` cannot be built
without the data. The width then does not matter for most measurements (any count above 2 shows the
same rank and encoding errors), so the slicer builds the model with a count written in: the labels'
class count when the facts know it, else `ASSUMED_CLASSES`; the rules about the width against the
labels (TFG203, TFG502) are then not judged, and the observation says what was assumed.

Unless the facts know the width and the labels' class count as the same unknown count shifted
(`Dense(len(GESTURES) - 1)` against ids from `enumerate(GESTURES)`): the count is then assumed for
the labels, the width is written in with the script's own shift, and the run does judge the two.
The same holds for a width below what the labels are known to be at least (`Dense(n - 1)` with
`n = y.nunique()` against `to_categorical(y)`): the smallest world the facts allow, labels taking
exactly the ids 0..count-1, is assumed, so the labels have the count's classes and the head k fewer.

When the width is a parameter of the builder function the model comes from (`def build(n): ...
Dense(n)` or `Dense(n - 1)` called once as `build(len(encoder.classes_))`, or the `__init__` of a
model subclass that builds its graph there), the count goes into the argument of that call, where
the unloaded data enters the builder, less the builder's own shift.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from tflint_gesture.dryrun.names import iter_calls, param_names, read_names
from tflint_gesture.dryrun.recording import literal_of

ASSUMED_CLASSES = 5
LITERAL_NODES = (cst.Integer, cst.Float, cst.SimpleString, cst.ConcatenatedString, cst.Imaginary)


@dataclass
class WidthAssumption:
    node: cst.BaseExpression  # the expression the count is written into
    count: int
    why: str  # "assumed" or where the count comes from
    where: str  # how the observation names the expression
    label_classes: Optional[int] = None  # the labels' class count, when the width keeps the script's shift from it
    also: list = field(default_factory=list)  # [(expression, value)]: the same count written elsewhere (`Input`)


def class_count_assumption(target, module: cst.Module, values: dict, parent: dict, line) -> Optional[WidthAssumption]:
    """The width to assume for `target`'s output layer, None when its width is not an unknown class count."""
    from tflint_gesture.dryrun import synth
    from tflint_gesture.facts.models import head_of
    from tflint_gesture.facts.queries import labels_of
    from tflint_gesture.facts.values import Loss

    loss = target.compile.loss
    if not isinstance(loss, Loss) or loss.name not in synth.SPARSE | synth.CATEGORICAL:
        return None
    head = head_of(target.model)
    call = head.layer.node if head is not None else None
    if not isinstance(call, cst.Call):
        return None
    units = _units_of(call)
    if units is None or isinstance(units, LITERAL_NODES) or literal_of(values.get(id(units))) is not None:
        return None
    where = f"the output layer's units `{module.code_for_node(units)}` (line {line(units)})"
    parameter, shift = _parameter_and_shift(units)
    offset = 0  # what the function adds to the argument to make the width
    if parameter is not None:
        argument = _builder_argument(parameter, module, parent)
        if argument is not None:
            node, function = argument
            if isinstance(node, LITERAL_NODES) or literal_of(values.get(id(node))) is not None:
                return None
            where += f", from `{module.code_for_node(node)}` passed to `{function}()` (line {line(node)}),"
            units, offset = node, shift
    labels = labels_of(target.fit) if target.fit is not None else None
    shifted = _shifted_width(head, labels, loss.name in synth.SPARSE)
    if shifted is not None:
        count, gap, relation = shifted
        if count + gap - offset < 1:
            return None  # the builder's own shift leaves no argument that makes that width
        also = []
        if parameter is None:  # the count itself elsewhere: `Input(shape=(steps, len(alphabet)))`
            sym = head.layer.args["units_sym"]
            also = [(node, count + gap - sym.offset) for node in same_count_elsewhere(sym, units, module, parent)]
            if also:
                relation += f"; `{sym.base[0]}` is taken as {also[0][1]} wherever the slice reads it again"
        return WidthAssumption(units, count + gap - offset, f"{count} classes assumed for the labels, {relation}",
                               where, label_classes=count, also=also)
    classes = getattr(labels, "num_classes", None)
    if isinstance(classes, int) and not isinstance(classes, bool) and classes > 1:
        return WidthAssumption(units, classes - offset, "the number of classes of the script's labels", where)
    if offset:
        return None  # a shifted parameter against labels of unknown width: no count that means anything
    return WidthAssumption(units, ASSUMED_CLASSES, "assumed", where)


def same_count_elsewhere(sym, units: cst.BaseExpression, module: cst.Module, parent: dict) -> list:
    """The other module-level expressions spelled as the unknown count under the width (`len(alphabet)` of
    `Dense(len(alphabet) - 1)`), when every name the count reads is bound by one module-level statement and
    nowhere else: they read the same number, so the run writes the same assumed value there too."""
    text = sym.base[0] if isinstance(sym.base, tuple) and sym.base and isinstance(sym.base[1], tuple) else None
    if not isinstance(text, str) or not isinstance(units, cst.BaseExpression):
        return []
    try:
        count = cst.parse_expression(text)
    except cst.ParserSyntaxError:
        return []
    names = read_names(count)
    if not names or any(_bindings(name, module) != 1 for name in names):
        return []
    found = []
    for stmt in module.body:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            continue
        for node in _expressions(stmt):
            if not _inside(units, node, parent) and module.code_for_node(node) == text:
                found.append(node)
    return found


def _bindings(name: str, module: cst.Module) -> int:
    """How many statements of the whole module (functions and classes included) bind `name`."""
    from tflint_gesture.dryrun.names import bound_names

    class _Statements(cst.CSTVisitor):
        def __init__(self) -> None:
            self.count = 0

        def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
            self.count += name in bound_names(node)

        def visit_For(self, node: cst.For) -> None:
            self.count += name in bound_names(node.target)

        def visit_With(self, node: cst.With) -> None:
            self.count += any(item.asname is not None and name in bound_names(item.asname) for item in node.items)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            self.count += node.name.value == name or name in param_names(node)

        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            self.count += node.name.value == name

    visitor = _Statements()
    module.visit(visitor)
    return visitor.count


def _expressions(stmt: cst.CSTNode) -> list:
    """The expressions of one statement that a count can be spelled as, outside nested scopes."""
    class _All(cst.CSTVisitor):
        def __init__(self) -> None:
            self.nodes: list = []

        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp,
                                 cst.GeneratorExp)):
                return False  # a scope of its own may rebind the count's names
            if isinstance(node, (cst.Call, cst.Name, cst.Attribute, cst.Subscript, cst.BinaryOperation)):
                self.nodes.append(node)
            return True

    visitor = _All()
    stmt.visit(visitor)
    return visitor.nodes


def _inside(outer: cst.CSTNode, node: cst.CSTNode, parent: dict) -> bool:
    """Is `node` part of `outer` (the width expression itself)?"""
    while node is not None:
        if node is outer:
            return True
        node = parent.get(id(node))
    return False


def _parameter_and_shift(units: cst.BaseExpression) -> tuple:
    """(the name, the integer added to it) for units written `n`, `n + 1` or `n - 1`; (None, 0) otherwise."""
    if isinstance(units, cst.Name):
        return units, 0
    if isinstance(units, cst.BinaryOperation) and isinstance(units.left, cst.Name) \
            and isinstance(units.right, cst.Integer) and isinstance(units.operator, (cst.Add, cst.Subtract)):
        value = int(units.right.value, 0)
        return units.left, value if isinstance(units.operator, cst.Add) else -value
    return None, 0


def _units_of(call: cst.Call) -> Optional[cst.BaseExpression]:
    return next((a.value for a in call.args if (a.keyword is None and not a.star)
                 or (a.keyword is not None and a.keyword.value == "units")), None)


def _shifted_width(head, labels, sparse: bool) -> Optional[tuple]:
    """(the class count to assume, the width's shift from it, how the script writes both) when the facts know the
    width and the labels' class count as the same unknown count shifted. The width is written where the units
    expression is, or into a builder's argument when the units are that bare parameter: the same value."""
    from tflint_gesture.facts.symbols import class_count
    from tflint_gesture.facts.values import Data, LabelEncoding

    units = head.layer.args.get("units_sym") if head is not None else None
    if units is None or not isinstance(labels, Data):
        return None
    if labels.encoding == LabelEncoding.UNKNOWN and sparse:
        labels = labels.same_values(encoding=LabelEncoding.CLASS_IDS)  # what the sparse loss reads them as
    if labels.encoding not in (LabelEncoding.ONE_HOT, LabelEncoding.CLASS_IDS):
        return None
    classes = class_count(labels)  # with what it is at least: class ids run up to their distinct count - 1
    if classes is None:
        return None
    gap = units.minus(classes)
    if gap is None:
        return _short_of_floor(units, classes)
    if not gap or ASSUMED_CLASSES + gap < 1:
        return None
    return ASSUMED_CLASSES, gap, (f"the width keeps the script's `{units.text}` against a class count of "
                                  f"{classes.quoted}, {abs(gap)} {'more' if gap > 0 else 'fewer'} whatever the count")


def _short_of_floor(units, classes) -> Optional[tuple]:
    """The width is a count of the labels' own values less k (`Dense(n - 1)` with `n = y.nunique()`), the labels
    at least that count wide (`to_categorical(y)`): assume the smallest world the facts allow, labels that take
    exactly the ids 0..count-1, so the labels are `ASSUMED_CLASSES` wide and the width k fewer."""
    from tflint_gesture.facts.symbols import Sym

    short = units.short_of(classes)
    if not short or ASSUMED_CLASSES - short < 1:
        return None
    count = Sym(units.base, 0, units.shown, units.described)
    return ASSUMED_CLASSES, -short, (f"the width keeps the script's `{units.text}` against labels of at least "
                                     f"{count.quoted} classes, assumed to take exactly the ids "
                                     f"0..{ASSUMED_CLASSES - 1} (the fewest the script's count allows), "
                                     f"so the width is {short} fewer")


def _builder_argument(name: cst.Name, module: cst.Module, parent: dict) -> Optional[tuple]:
    """(the argument expression, the function's name) when `name` is a parameter of the module-level function
    around it (or of the `__init__` of a module-level class: a model subclass that builds its graph there) and
    that function or class is called exactly once at the module level; the parameter's default when that call
    does not pass it."""
    function = parent.get(id(name))
    while function is not None and not isinstance(function, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
        function = parent.get(id(function))
    if not isinstance(function, cst.FunctionDef):
        return None
    params = function.params
    positional = list(params.posonly_params) + list(params.params)
    callee = function.name.value
    if function not in module.body:
        owner = parent.get(id(parent.get(id(function))))  # def __init__ -> the class body -> the class
        if function.name.value != "__init__" or not isinstance(owner, cst.ClassDef) or owner not in module.body:
            return None
        callee, positional = owner.name.value, positional[1:]  # called as the class, without `self`
    param = next((p for p in positional + list(params.kwonly_params) if p.name.value == name.value), None)
    if param is None:
        return None
    calls = [call for stmt in module.body if not isinstance(stmt, (cst.FunctionDef, cst.ClassDef))
             for call in iter_calls(stmt, into_functions=False)
             if isinstance(call.func, cst.Name) and call.func.value == callee]
    if len(calls) != 1 or any(a.star for a in calls[0].args):
        return None
    args = calls[0].args
    keyword = next((a.value for a in args if a.keyword is not None and a.keyword.value == name.value), None)
    if keyword is not None:
        return keyword, callee
    index = positional.index(param) if param in positional else None
    given = [a for a in args if a.keyword is None]
    if index is not None and index < len(given):
        return given[index].value, callee
    return (param.default, callee) if param.default is not None else None


__all__ = ["ASSUMED_CLASSES", "LITERAL_NODES", "WidthAssumption", "class_count_assumption"]
