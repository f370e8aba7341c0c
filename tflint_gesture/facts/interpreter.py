"""One ordered walk over a module that executes it abstractly.

Statements run in program order over `Scope`s of abstract values; calls into functions defined in
the script are interpreted with the call site's arguments; branches whose condition is unknown are
both run and their results joined (a variable that differs between branches becomes UNKNOWN);
calls into known APIs (numpy, sklearn, keras, tf.data, ...) are modelled in the `apis` package, which the
interpreter is given (`build.py` wires them): the API models call back into the interpreter, so it
must not import them. Nothing is imported and nothing of the user's code is executed. `frames.py` holds
the scopes it runs in, `expressions.py` the evaluation of expressions (a mixin), `classes.py` classes.
"""

from __future__ import annotations

from typing import Any, Optional

import libcst as cst

import tflint_gesture.facts.classes as classes
import tflint_gesture.facts.custom_steps as custom_steps
import tflint_gesture.facts.loss_calls as loss_calls
from tflint_gesture.facts.expressions import ExpressionEvaluator
from tflint_gesture.facts.frame_columns import changes_frame, forget_columns, stored_columns
from tflint_gesture.facts.frames import (
    MAX_CALL_DEPTH,
    MAX_UNROLL,
    STAR,
    Frame,
    Scope,
    const_value,
    has_break,
    join,
    widen_counters,
)
from tflint_gesture.facts.indicators import one_hot_store
from tflint_gesture.facts.names import canonical, dotted_name, target_names
from tflint_gesture.facts.store import Facts
from tflint_gesture.facts.symbols import ParamSources, forget_attribute, size_alias
from tflint_gesture.facts.values import (
    UNKNOWN,
    Args,
    BoundMethod,
    ClassNames,
    ClassValue,
    Const,
    Data,
    Dataset,
    Function,
    ImageGenerator,
    Instance,
    LabelEncoding,
    Layer,
    Loss,
    Mapping,
    ModelValue,
    Origin,
    Ref,
    Super,
    Tape,
    Tensor,
    ValueRange,
)


# Methods of keras.Model a subclass may override but that the analysis models itself.
_KERAS_MODEL_METHODS = {"compile", "fit", "evaluate", "predict", "add", "train_step", "test_step", "call", "build",
                        "get_config", "summary", "save"}


class Interpreter(ExpressionEvaluator):
    """Executes a module abstractly and records training facts into a `Facts`."""

    def __init__(self, module: cst.Module, apis, path=None, loader=None, library: bool = False,
                 source: Optional[str] = None) -> None:
        self.module = module
        self.apis = apis  # what known library calls do: the `facts.apis` module
        self.path = path  # the file on disk, when there is one: imports of project modules are followed
        self.loader = loader
        self.library = library  # analysing an imported module: only its top-level names matter
        self.facts = Facts(module=module, source=source)
        self.uncertain = 0
        self.frames: list[Frame] = []
        self.active: list[Any] = []
        self.loops: list[set[str]] = []
        self.called: set[int] = set()
        self.blocks: list[list] = []  # [statement list, index of the running statement], innermost last
        self.loop_nodes: list[cst.CSTNode] = []  # enclosing For/While statements, innermost last
        self.tapes: list = []  # GradientTape blocks being executed, innermost last
        self.defined_functions: list[tuple[Function, Optional[Instance]]] = []
        self.order = 0
        self.call_sites: list[cst.CSTNode] = []  # the call node of each function in `active`
        self.derived_roots: dict = {}  # (parent root, key) -> root of a subset such as `ds.filter(pred)`
        self.bind_counts: dict[str, int] = {}  # how often each name was bound so far (facts.symbols)
        self.param_sources: list = []  # per active call: facts.symbols.ParamSources of its parameters
        self.size_aliases: dict = {}  # (name, id of its scope, bind count) -> the Sym it was assigned (facts.symbols)
        self.predictions: dict = {}  # id of a model call's result -> facts.loss_calls.Prediction
        self.steps_run: set = set()  # (model, step, compile) whose own train_step / test_step ran (custom_steps)

    # ----------------------------------------------------------------- entry
    def run_module_scope(self) -> "Scope":
        """Execute the top level of an imported module and return its global scope."""
        scope = Scope()
        self.exec_block(self.module.body, scope)
        return scope

    def run(self) -> Facts:
        scope = Scope()
        self.exec_block(self.module.body, scope)
        # Functions nobody called still hold training code: run them with unknown arguments.
        for function, owner in list(self.defined_functions) if not self.library else ():
            if id(function.node) not in self.called:
                self.call_function(function, Args(starred=True), function.node, self_value=owner, unknown_args=True)
        return self.facts

    def next_order(self) -> int:
        self.order += 1
        return self.order

    # ------------------------------------------------------------ statements
    def exec_block(self, body, scope: Scope) -> bool:
        """Run statements in order; True when the block ended in a return (the rest is dead)."""
        frame = [body, 0]
        self.blocks.append(frame)
        try:
            for index, stmt in enumerate(body):
                frame[1] = index
                if self.exec_stmt(stmt, scope):
                    return True
            return False
        finally:
            self.blocks.pop()

    def exec_stmt(self, stmt: cst.CSTNode, scope: Scope) -> bool:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if self.exec_small(small, scope):
                    return True
            return False
        if isinstance(stmt, cst.FunctionDef):
            function = Function(stmt, scope)
            scope.vars[stmt.name.value] = function
            if self._is_plain_function(stmt):
                self.defined_functions.append((function, None))
            return False
        if isinstance(stmt, cst.ClassDef):
            scope.vars[stmt.name.value] = classes.define_class(self, stmt, scope)
            return False
        if isinstance(stmt, cst.If):
            return self.exec_if(stmt, scope)
        if isinstance(stmt, cst.For):
            self.loop_nodes.append(stmt)
            try:
                self.exec_for(stmt, scope)
            finally:
                self.loop_nodes.pop()
            return False
        if isinstance(stmt, cst.While):
            self.loop_nodes.append(stmt)
            widen_counters(stmt.body, scope)
            try:
                self.exec_branches([stmt.body.body], scope, exhaustive=False, loop_targets=set())
            finally:
                self.loop_nodes.pop()
            if stmt.orelse is not None:
                self.exec_branches([stmt.orelse.body.body], scope, exhaustive=False)
            return False
        if isinstance(stmt, cst.With):
            tapes = []
            for item in stmt.items:
                value = self.eval(item.item, scope)
                if item.asname is not None:
                    self.bind(item.asname.name, value, scope)
                if isinstance(value, Tape):
                    tapes.append(self.facts.tape_block(value, stmt, self))
            self.tapes.extend(tapes)
            try:
                return self.exec_block(stmt.body.body, scope)
            finally:
                del self.tapes[len(self.tapes) - len(tapes):]
        if isinstance(stmt, cst.Try) or type(stmt).__name__ == "TryStar":
            ended = self.exec_block(stmt.body.body, scope)
            branches = [h.body.body for h in stmt.handlers]
            if branches:
                self.exec_branches(branches, scope, exhaustive=False)
            if stmt.orelse is not None and not ended:
                self.exec_block(stmt.orelse.body.body, scope)
            if stmt.finalbody is not None:
                self.exec_block(stmt.finalbody.body.body, scope)
            return False
        if isinstance(stmt, cst.Match):
            self.exec_branches([case.body.body for case in stmt.cases], scope, exhaustive=False)
            return False
        return False

    def exec_small(self, small: cst.CSTNode, scope: Scope) -> bool:
        if isinstance(small, cst.Expr):
            self.eval(small.value, scope)
        elif isinstance(small, cst.Assign):
            value = self.eval(small.value, scope)
            alias = size_alias(self, small, value, scope)
            for target in small.targets:
                self.bind(target.target, value, scope)
            if alias is not None:
                alias.remember(self, scope)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                self.bind(small.target, self.eval(small.value, scope), scope)
        elif isinstance(small, cst.AugAssign):
            left = self.eval(small.target, scope)
            right = self.eval(small.value, scope)
            op = type(small.operator).__name__.replace("Assign", "")
            self.bind(small.target, self.apis.binary_op(self, op, left, right, small), scope)
        elif isinstance(small, cst.Return):
            value = self.eval(small.value, scope) if small.value is not None else Const(None)
            if self.frames:
                self.frames[-1].returns.append(value)
            return True
        elif isinstance(small, cst.Import):
            for alias in small.names:
                dotted = dotted_name(alias.name)
                local = self.project_module(dotted, 0)
                if local is not None:
                    self.bind(alias.asname.name if alias.asname is not None else cst.Name(dotted.split(".")[0]),
                              local if alias.asname is not None or "." not in dotted else UNKNOWN, scope)
                    continue
                if alias.asname is not None:
                    self.bind(alias.asname.name, Ref(dotted), scope)
                else:
                    top = dotted.split(".")[0]
                    scope.vars[top] = Ref(top)
                self._note_framework(dotted, small)
        elif isinstance(small, cst.ImportFrom):
            level = len(small.relative)
            dotted_module = dotted_name(small.module) if small.module is not None else ""
            local = self.project_module(dotted_module, level) if (level or small.module is not None) else None
            if local is not None or small.module is None or small.relative:
                names = small.names
                if not isinstance(names, cst.ImportStar):
                    for alias in names:
                        target = alias.asname.name if alias.asname is not None else alias.name
                        value = UNKNOWN
                        if local is not None:
                            value = local.scope.lookup(dotted_name(alias.name))
                            if value is UNKNOWN and level:
                                sub = self.project_module(
                                    (dotted_module + "." if dotted_module else "") + dotted_name(alias.name), level)
                                value = sub if sub is not None else UNKNOWN
                        self.bind(target, value, scope)
                return False
            base = dotted_name(small.module)
            self._note_framework(base, small)
            if isinstance(small.names, cst.ImportStar):
                scope.vars[STAR] = tuple(scope.vars.get(STAR, ())) + (base,)
                return False
            for alias in small.names:
                name = dotted_name(alias.name)
                target = alias.asname.name if alias.asname is not None else alias.name
                self.bind(target, Ref(f"{base}.{name}"), scope)
        elif isinstance(small, cst.Del):
            pass
        return False

    def _note_framework(self, dotted: str, node: Optional[cst.CSTNode] = None) -> None:
        top = dotted.split(".")[0]
        if top in ("torch", "tensorflow", "keras", "tf_keras"):
            framework = "torch" if top == "torch" else "keras"
            self.facts.frameworks.add(framework)
            if node is not None:
                self.facts.framework_nodes.setdefault(framework, node)

    def exec_if(self, stmt: cst.If, scope: Scope) -> bool:
        truth = self.truth(stmt.test, scope)
        if truth is True:
            return self.exec_block(stmt.body.body, scope)
        if truth is False:
            if isinstance(stmt.orelse, cst.If):
                return self.exec_if(stmt.orelse, scope)
            if isinstance(stmt.orelse, cst.Else):
                return self.exec_block(stmt.orelse.body.body, scope)
            return False
        branches = [stmt.body.body]
        orelse = stmt.orelse
        exhaustive = False
        while orelse is not None:
            if isinstance(orelse, cst.If):
                self.eval(orelse.test, scope)
                branches.append(orelse.body.body)
                orelse = orelse.orelse
            else:
                branches.append(orelse.body.body)
                exhaustive = True
                orelse = None
        self.exec_branches(branches, scope, exhaustive=exhaustive)
        return False

    def truth(self, test: cst.BaseExpression, scope: Scope) -> Optional[bool]:
        """Truth of a condition when certain: `__name__ == "__main__"` and literal constants."""
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            left, comp = test.left, test.comparisons[0]
            if isinstance(comp.operator, cst.Equal):
                names = {_source_name(left), _source_name(comp.comparator)}
                if "__name__" in names and any(
                    isinstance(n, cst.SimpleString) and n.evaluated_value == "__main__" for n in (left, comp.comparator)
                ):
                    return True
        value = self.eval(test, scope)
        if isinstance(value, Const) and isinstance(value.value, (bool, int, float, str, type(None))):
            return bool(value.value)
        return None

    def exec_for(self, stmt: cst.For, scope: Scope) -> None:
        iterable = self.eval(stmt.iter, scope)
        targets = target_names(stmt.target)
        items = self.apis.unrollable(iterable)
        if items is not None and len(items) <= MAX_UNROLL and not has_break(stmt.body):
            self.loops.append(targets)
            try:
                for item in items:
                    self.bind(stmt.target, item, scope)
                    self.exec_block(stmt.body.body, scope)
            finally:
                self.loops.pop()
            return
        self.bind(stmt.target, self.apis.iteration_element(self, iterable, stmt), scope)
        widen_counters(stmt.body, scope)
        self.exec_branches([stmt.body.body], scope, exhaustive=False, loop_targets=targets)
        if stmt.orelse is not None:
            self.exec_block(stmt.orelse.body.body, scope)

    def exec_branches(self, branches: list, scope: Scope, exhaustive: bool, loop_targets: Optional[set] = None) -> None:
        before = dict(scope.vars)
        results = []
        self.uncertain += 1
        if loop_targets is not None:
            self.loops.append(loop_targets)
        try:
            for body in branches:
                scope.vars = dict(before)
                self.exec_block(body, scope)
                results.append(scope.vars)
        finally:
            self.uncertain -= 1
            if loop_targets is not None:
                self.loops.pop()
        if not exhaustive:
            results.append(before)
        merged = {}
        for name in {k for r in results for k in r}:
            values = [r[name] for r in results if name in r]
            merged[name] = join(values)
        scope.vars = merged

    def bind(self, target: cst.CSTNode, value: Any, scope: Scope) -> None:
        if isinstance(target, cst.Name):
            self.bind_counts[target.value] = self.bind_counts.get(target.value, 0) + 1
            scope.vars[target.value] = value
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = [e for e in target.elements]
            items = self.apis.unpack(value, len(elements))
            if items is None and isinstance(value, Tensor):  # `left, right = inputs` in a model's `call`
                items = [self.apis.opaque_tensor(e, (value,), "unpack") for e in elements]
            for i, element in enumerate(elements):
                if isinstance(element, cst.StarredElement):
                    self.bind(element.value, UNKNOWN, scope)
                else:
                    self.bind(element.value, items[i] if items is not None else UNKNOWN, scope)
        elif isinstance(target, cst.Attribute):
            root = target.value
            while isinstance(root, cst.Attribute):
                root = root.value
            if isinstance(root, cst.Name):  # `args.n = 5` changes what `args.n` names
                self.bind_counts[root.value] = self.bind_counts.get(root.value, 0) + 1
            owner = self.eval(target.value, scope)
            if isinstance(owner, (Instance, ModelValue)) or (isinstance(owner, Layer) and owner.cls is not None):
                owner.attrs[target.attr.value] = value
                forget_attribute(self, owner, target.attr.value)
            elif isinstance(owner, ImageGenerator):  # `datagen.featurewise_center = True`: its scaling is unknown
                owner.rescale = owner.preprocessing = UNKNOWN
        elif isinstance(target, cst.Subscript):
            owner = self.eval(target.value, scope)
            if isinstance(owner, Mapping):
                key = None
                if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
                    key = self.eval(target.slice[0].slice.value, scope)
                if not (isinstance(key, Const) and isinstance(key.value, (str, int))):
                    owner.opaque = True
                else:
                    owner.items[key.value] = value if self.uncertain <= owner.created_depth else UNKNOWN
            elif isinstance(owner, Data) and isinstance(target.value, cst.Name):
                columns = stored_columns(self, target, owner, value, scope)
                self._store_items(target.value.value, owner, value, scope, one_hot_store(self, target, owner, value),
                                  columns)
            else:
                forget_columns(target, scope)  # `df.loc[rows, "label"] = 0` changes a stored column
        if isinstance(target, cst.Attribute):
            forget_columns(target, scope)  # `df.label = ...`

    @staticmethod
    def _store_items(name: str, data: Data, value: Any, scope: Scope, stored: Optional[Data] = None,
                     columns: tuple = ()) -> None:
        """`y[i, c] = 1`: numpy changes the array in place, so what was known of its values (a range, an
        encoding, constant bounds such as np.zeros' (0, 0)) no longer holds; its shape and identity do."""
        low_high = (float(value.value),) * 2 if isinstance(value, Const) and isinstance(value.value, (int, float)) \
            and not isinstance(value.value, bool) else None
        bounds = None
        if data.bounds is not None and low_high is not None:
            bounds = (min(data.bounds[0], low_high[0]), max(data.bounds[1], low_high[1]))
        changed = stored or data.derive(bounds=bounds, encoding=LabelEncoding.UNKNOWN, num_classes=None,
                                        classes_sym=None, vrange=ValueRange.UNKNOWN, binary_if_two=False, hot_store=None,
                                        columns=columns)
        holder: Optional[Scope] = scope
        while holder is not None and name not in holder.vars:
            holder = holder.parent
        if holder is not None:
            holder.vars[name] = changed

    def project_module(self, dotted: str, level: int):
        """The analysed project module that `dotted` (with `level` leading dots) names, or None."""
        if self.path is None or self.loader is None:
            return None
        target = self.loader.resolve(self.path, dotted, level)
        if target is None:
            return None
        loaded = self.loader.load(target)
        if loaded is not None and not self.library:
            self.facts.add_foreign(loaded)
        return loaded

    # --------------------------------------------------------------- calls
    def call_function(self, function: Function, args: Args, node: cst.CSTNode, self_value: Any = None,
                      unknown_args: bool = False) -> Any:
        fnode = function.node
        self.called.add(id(fnode))
        if len(self.active) >= MAX_CALL_DEPTH or any(a is fnode for a in self.active):
            return UNKNOWN
        local = Scope(parent=function.scope)
        params = fnode.params
        positional = list(params.posonly_params) + list(params.params)
        offset = 0
        if self_value is not None and positional:
            local.vars[positional[0].name.value] = self_value
            positional = positional[1:]
        sources = ParamSources(local)
        for i, param in enumerate(positional):
            name = param.name.value
            if unknown_args:
                local.vars[name] = UNKNOWN
                continue
            value, arg = args.get(name, i + offset, default=None)
            sources.note(self, name, value, arg, args.scope, param.default, function.scope)
            if value is None:
                value = self.eval(param.default, function.scope) if param.default is not None else UNKNOWN
            local.vars[name] = value
        for param in params.kwonly_params:
            name = param.name.value
            if unknown_args:
                local.vars[name] = UNKNOWN
                continue
            value, arg = args.get(name, None, default=None)
            sources.note(self, name, value, arg, args.scope, param.default, function.scope)
            if value is None:
                value = self.eval(param.default, function.scope) if param.default is not None else UNKNOWN
            local.vars[name] = value
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                local.vars[star.name.value] = UNKNOWN
        self.active.append(fnode)
        self.call_sites.append(node)
        self.param_sources.append(sources)
        try:
            if isinstance(fnode, cst.Lambda):
                return self.eval(fnode.body, local)
            frame = Frame()
            self.frames.append(frame)
            try:
                body = fnode.body.body if isinstance(fnode.body, cst.IndentedBlock) else fnode.body.body
                if isinstance(fnode.body, cst.SimpleStatementSuite):
                    for small in fnode.body.body:
                        if self.exec_small(small, local):
                            break
                else:
                    self.exec_block(body, local)
            finally:
                self.frames.pop()
            if not frame.returns:
                return Const(None)
            return join(frame.returns)
        finally:
            self.active.pop()
            self.call_sites.pop()
            self.param_sources.pop()

    def eval_args(self, node: cst.Call, scope: Scope) -> Args:
        args = Args(scope=scope)
        for arg in node.args:
            value = self.eval(arg.value, scope)
            if arg.star:
                args.starred = True
            elif arg.keyword is not None:
                args.kw[arg.keyword.value] = (value, arg)
            else:
                args.pos.append((value, arg))
        return args

    def call(self, node: cst.Call, scope: Scope) -> Any:
        func = self.eval(node.func, scope)
        args = self.eval_args(node, scope)
        if func is UNKNOWN and isinstance(node.func, cst.Name) and node.func.value == "super":
            return classes.make_super(self, args, scope)
        if isinstance(func, (Loss, Ref)):
            loss_calls.note_loss_call(self, func, args, node)
        elif isinstance(func, BoundMethod) and func.name == "update_state":
            loss_calls.note_metric_update(self, func, args, node)
        result = self._call_value(func, args, node)
        if result is UNKNOWN and not isinstance(func, (Layer, ModelValue)):
            # An unmodelled step on symbolic tensors (a keras_hub layer, `tf.*` / `keras.ops.*`, a custom
            # block) still yields a tensor of the same graph, so the layers after it stay known.
            parents = self.apis.tensors_in(args) + ((func,) if isinstance(func, Tensor) else ())
            if parents:  # named by the function's canonical name when known (`self.act = tf.nn.relu`)
                what = canonical(func.qualname) if isinstance(func, Ref) else (dotted_name(node.func) or "call")
                return self.apis.opaque_tensor(node, parents, what)
        return result

    def _call_value(self, func: Any, args: Args, node: cst.Call) -> Any:
        if isinstance(func, Ref):
            return self.apis.call_api(self, canonical(func.qualname), args, node)
        if isinstance(func, Function):
            return self.call_function(func, args, node)
        if isinstance(func, ClassValue):
            return classes.instantiate(self, func, args, node)
        if isinstance(func, BoundMethod):
            if isinstance(func.obj, Super):
                return classes.call_super(self, func.obj, func.name, args, node)
            if isinstance(func.obj, ClassValue):  # a classmethod: `cls` is the class
                return self.call_function(classes.method_function(func.obj, func.name), args, node,
                                          self_value=func.obj)
            keras_owned = isinstance(func.obj, (ModelValue, Layer)) and func.name in _KERAS_MODEL_METHODS
            method = None if keras_owned else classes.own_method(func.obj, func.name)
            if method is not None:
                static = classes.decorated(method.node) == "staticmethod"
                return self.call_function(method, args, node, self_value=None if static else func.obj)
            if isinstance(func.obj, Instance):
                return UNKNOWN
            if isinstance(func.obj, Data) and changes_frame(func.obj, func.name, args) \
                    and isinstance(node.func, cst.Attribute) and args.scope is not None:
                forget_columns(node.func.value, args.scope)
            result = self.apis.call_method(self, func.obj, func.name, args, node)
            if keras_owned and isinstance(func.obj, ModelValue):
                custom_steps.after_model_method(self, func.obj, func.name, args, node)
            return result
        if isinstance(func, Layer):
            if func.cls is not None:
                applied = classes.apply_custom_layer(self, func, args, node)
                if applied is not None:
                    return applied
            return self.apis.apply_layer(self, func, args, node)
        if isinstance(func, ModelValue):
            result = self.apis.apply_model(self, func, args, node)
            loss_calls.note_prediction(self, func, result, args, node)
            if args.pos or args.kw:  # `create_mlp(...)(features)`: a block of another model (or run for inference)
                self.facts.graph_blocks.add(id(func))
            return result
        return UNKNOWN

    # ------------------------------------------------------------- helpers
    def origin(self, node: cst.CSTNode, note: str) -> Origin:
        return Origin(node, note)

    def in_class_loop(self, name: str, blocks: bool = False) -> bool:
        """True when `name` is the target of a loop that encloses another loop (a per-class outer loop),
        or of any enclosing loop when a whole block of labels is added at once (`[label] * n`)."""
        loops = self.loops if blocks else self.loops[:-1]
        return any(name in targets for targets in loops)

    @staticmethod
    def _is_plain_function(node: cst.FunctionDef) -> bool:
        return True


def _source_name(node: cst.CSTNode) -> Optional[str]:
    return node.value if isinstance(node, cst.Name) else None


__all__ = ["Interpreter", "Scope", "Args", "join", "const_value", "Data", "Dataset", "ClassNames",
           "Tensor"]
