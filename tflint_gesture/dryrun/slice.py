"""Cut out of a training script the code that builds and compiles one model, and nothing else.

For each compiled model the static facts know (preferably at its first `fit`), the slicer walks
backwards from that point through the enclosing blocks and keeps only the statements the model
needs: imports, constants, local builder functions and classes (whole), the construction, layer
tweaks (`base.trainable = False`) and `compile`. It never keeps `fit`/`evaluate`/`predict`, saving,
plotting, or anything that reads data: a kept statement that reads files, the network or data
arrays makes the model `not-run` with the reason, unless the analysis knows the value the model
needs from it, in which case that value is written as a literal (`num_classes = len(classes)` ->
`5`, `X.shape[1]` -> `63`). Pretrained `keras.applications` weights become `weights=None`.

The slice is ordinary Python source plus a line map (slice line -> line of the user's file) so an
exception in the worker points at the user's line. The pieces: `targets.py` (which models), this
module (which statements), `literals.py` (known values written in), `assumed_width.py` (a class
count from unloaded data), `line_map.py` (the source and its map), `translate.py` (Keras 1/2 -> 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import libcst as cst

from tflint_gesture.dryrun.assumed_width import class_count_assumption
from tflint_gesture.dryrun.cli_defaults import cli_defaults
from tflint_gesture.dryrun.line_map import MODEL_VARIABLE, Slice, assemble
from tflint_gesture.dryrun.literals import write_known_values
from tflint_gesture.dryrun.recording import literal_of
from tflint_gesture.dryrun.names import (
    base_name,
    bound_names,
    dotted_name,
    import_binding,
    iter_calls,
    param_names,
    read_names,
    target_names,
)
from tflint_gesture.dryrun.targets import Target, find_targets
from tflint_gesture.dryrun.translate import Bindings
from tflint_gesture.facts.names import canonical, under
from tflint_gesture.facts.values import (
    Const,
    Data,
    Dataset,
    Encoder,
    ImageGenerator,
    Ref,
    Scaler,
    Seq,
)

# Methods whose call statements are left out: training, inference, saving, inspection.
SKIPPED_METHODS = frozenset({
    "fit", "fit_generator", "train_on_batch", "evaluate", "evaluate_generator", "predict", "predict_generator",
    "predict_on_batch", "test_on_batch", "save", "save_weights", "export", "summary", "count_params",
    "get_weights", "to_json", "get_config", "load_weights", "plot_model",
})
# Method calls that read or write files, or train, wherever they appear in a kept statement.
FORBIDDEN_METHODS = frozenset({
    "fit", "fit_generator", "train_on_batch", "evaluate", "evaluate_generator", "predict", "predict_generator",
    "predict_on_batch", "test_on_batch", "save", "save_weights", "load_weights", "savefig", "to_csv",
    "flow_from_directory", "flow_from_dataframe", "read_csv", "read_text", "read_bytes", "write_text",
    "write_bytes", "iterdir", "glob", "rglob", "adapt",
})
# Canonical API prefixes that touch files, the network, processes, plotting or data sets.
FORBIDDEN_APIS = (
    "numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "numpy.fromfile", "numpy.memmap", "numpy.save",
    "numpy.savez", "numpy.savetxt", "pandas", "builtins.open", "builtins.input", "builtins.exec",
    "builtins.eval", "builtins.compile", "builtins.__import__", "builtins.breakpoint", "os", "shutil",
    "subprocess", "socket", "urllib", "requests", "http", "glob", "pathlib", "pickle", "joblib", "json", "h5py",
    "scipy.io", "cv2", "PIL", "imageio", "skimage.io", "matplotlib", "seaborn", "plotly", "tensorflow.io",
    "tensorflow.data", "tensorflow.saved_model", "tensorflow.summary", "tensorflow_datasets", "keras.datasets",
    "keras.utils.get_file", "keras.utils.image_dataset_from_directory", "keras.utils.text_dataset_from_directory",
    "keras.utils.audio_dataset_from_directory", "keras.utils.timeseries_dataset_from_array",
    "keras.utils.load_img", "keras.models.load_model", "keras.saving", "keras.utils.plot_model",
    "keras.preprocessing.image.ImageDataGenerator", "kagglehub", "gdown", "wandb", "mlflow", "sys.exit",
    "time.sleep", "argparse", "sklearn", "mediapipe", "torch",
)
_DATA_VALUES = (Data, Dataset, Scaler, Encoder, ImageGenerator)
_MISSING = object()


@dataclass
class NotRun:
    """Why a model cannot be dry-run; `line` is the user's line that stops it, when there is one."""

    reason: str
    line: Optional[int] = None


class _Parents(cst.CSTVisitor):
    def __init__(self) -> None:
        self.parent: dict[int, cst.CSTNode] = {}
        self.stack: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.stack:
            self.parent[id(node)] = self.stack[-1]
        self.stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()


@dataclass
class _Level:
    """One enclosing block: its statements, the index of the statement on the path, its owner."""

    statements: list
    index: int
    owner: cst.CSTNode  # Module, FunctionDef, ClassDef, If, For, While, With, Try, ...


class Slicer:
    """Builds slices for the models of one module."""

    def __init__(self, module: cst.Module, facts, values: dict) -> None:
        self.module = module
        self.facts = facts
        self.values = values
        visitor = _Parents()
        module.visit(visitor)
        self.parent = visitor.parent
        self.notes: list = []
        self.bindings = Bindings(module)
        self.receiver_names: set = set()
        self.why: dict = {}  # needed name -> (line of the statement that needed it, [the name it computes])
        self.cli_defaults: dict = {}  # id(`args.NAME`) -> its note, where a command-line default is written in
        for key, (value, note) in cli_defaults(module, self.bindings).items():
            if literal_of(values.get(key)) is None:
                values[key] = Const(value)
                self.cli_defaults[key] = note

    # ------------------------------------------------------------------ positions
    def line(self, node: cst.CSTNode) -> Optional[int]:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)) and node.decorators:
            node = node.decorators[0]
        return self.facts.line(node)

    # ------------------------------------------------------------------ entry
    def build(self, target: Target) -> "Slice | NotRun":
        """The slice of one model; when only the class count of its output layer comes from data the dry run
        does not load, a slice with that count assumed (see assumed_width.py)."""
        result = self._build(target)
        if isinstance(result, Slice):
            return result
        assumption = class_count_assumption(target, self.module, self.values, self.parent, self.facts.line)
        if assumption is None:
            return result
        written = [(assumption.node, assumption.count)] + [
            (node, value) for node, value in assumption.also if self.values.get(id(node), _MISSING) is not _MISSING]
        known = [(node, self.values.get(id(node), _MISSING)) for node, _ in written]
        for node, value in written:  # written in as literals by _rewrite, like any known value
            self.values[id(node)] = Const(value)
        try:
            assumed = self._build(target)
        finally:
            for node, value in known:
                if value is _MISSING:
                    del self.values[id(node)]
                else:
                    self.values[id(node)] = value
        if not isinstance(assumed, Slice):  # say what still stops the model once its width is assumed
            return NotRun(f"{assumed.reason} (even with {assumption.where} assumed)", assumed.line)
        if assumption.label_classes is not None:  # the width keeps the script's shift from the labels' count
            assumed.assumptions.append(f"{assumption.where} come from data the dry run does not load: "
                                       f"`{assumption.count}` written in ({assumption.why})")
            assumed.label_classes = assumption.label_classes
        else:
            assumed.assumptions.append(f"{assumption.where} come from data the dry run does not load: "
                                       f"{assumption.count} classes ({assumption.why})")
        return assumed

    def _build(self, target: Target) -> "Slice | NotRun":
        levels = self._levels(target.anchor)
        if isinstance(levels, NotRun):
            return levels
        self.why = {}
        self.notes = []
        receiver, _ = self._rewrite(target.receiver)
        needed = read_names(receiver)
        self.receiver_names = set(needed)
        provided: set = set()
        chunks: list[list] = []  # per level, innermost first: [(first line, last line, statement)]
        notes: list[str] = []
        for position, level in enumerate(levels):
            upto = level.index + 1 if (position == 0 and target.include_anchor) else level.index
            late: set = set()
            while True:  # a function's globals may be bound after its def: rerun with them needed
                result = self._pass(level.statements[:upto], needed | late, notes)
                if isinstance(result, NotRun):
                    return result
                kept, remaining, bound, wanted_late = result
                if wanted_late <= late:
                    break
                late |= wanted_late
            needed = remaining
            provided |= bound
            chunks.append(kept)
            crossing = self._cross(level, levels[position + 1] if position + 1 < len(levels) else None, needed)
            if isinstance(crossing, NotRun):
                return crossing
        missing = needed - provided - _MODULE_GLOBALS
        stars = star_imports(levels[-1].statements[:levels[-1].index]) if missing else []
        if missing and stars:  # `from keras.layers import *`: the names come from Keras (a NameError says otherwise)
            chunks[-1] = sorted([(self.line(s), self._end_line(s), s) for s in stars] + chunks[-1],
                                key=lambda item: item[0] or 0)
            self.notes.append(f"{', '.join(f'`{n}`' for n in sorted(missing))} taken from "
                              f"{' / '.join(f'`{self.module.code_for_node(s).strip()}`' for s in stars)}")
            missing = set()
        if missing:
            name = sorted(missing)[0]
            return NotRun(f"the model needs `{name}`, which is not defined in this file before the model is used",
                          self.line(target.anchor))
        sliced = assemble(self.module, self.bindings, self.line, chunks, receiver, self.line(target.anchor),
                          list(dict.fromkeys(notes + self.notes)))
        # A model subclass with its own train_step trains through it (custom_step.py). A functional model whose
        # class overrides train_step keeps running the built-in step, as before.
        sliced.custom_train_step = target.model.kind == "subclassed" and bool(target.model.custom_train_step)
        return sliced

    def _pass(self, statements: list, needed: set, notes: list):
        """One backward pass over a block: (kept statements, names still needed, names bound, late names)."""
        needed = set(needed)
        kept: list = []
        bound: set = set()
        late: set = set()
        for stmt in reversed(statements):
            decision = self._consider(stmt, needed, notes)
            if isinstance(decision, NotRun):
                return decision
            if decision is None:
                continue
            new_stmt, reads = decision
            names = bound_names(stmt)
            if _rebinds(stmt):
                needed -= names
            bound |= names
            for name in reads - needed:
                self.why.setdefault(name, (self.line(stmt), sorted(names & self.why.keys() or names)[:1]))
            needed |= reads
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                late |= reads
            kept.append((self.line(stmt), self._end_line(stmt), new_stmt))
        kept.reverse()
        return kept, needed, bound, late

    def _end_line(self, stmt: cst.CSTNode) -> Optional[int]:
        pos = self.facts.positions.of(stmt)
        return pos.end.line if pos is not None else None

    # ------------------------------------------------------------------ the path to the anchor
    def _levels(self, anchor: cst.CSTNode) -> "list[_Level] | NotRun":
        levels: list[_Level] = []
        node = anchor
        while True:
            parent = self.parent.get(id(node))
            if parent is None:
                break
            if isinstance(parent, (cst.Module, cst.IndentedBlock)) and isinstance(node, cst.BaseStatement):
                statements = list(parent.body)
                index = next(i for i, s in enumerate(statements) if s is node)
                owner = parent if isinstance(parent, cst.Module) else self._owner(parent)
                levels.append(_Level(statements, index, owner))
                if isinstance(parent, cst.Module):
                    break
                node = owner
                continue
            if isinstance(parent, cst.SimpleStatementSuite):  # `if x: model.compile(...)` on one line
                owner = self._owner(parent)
                levels.append(_Level([cst.SimpleStatementLine(body=list(parent.body))], 0, owner))
                node = owner
                continue
            if isinstance(parent, cst.Lambda):
                return NotRun("the model is used inside a lambda", self.line(anchor))
            node = parent
        if not levels or not isinstance(levels[-1].owner, cst.Module):
            return NotRun("the model's code could not be located in the module", self.line(anchor))
        for level in levels:
            if isinstance(level.owner, cst.ClassDef):
                return NotRun(f"the model is built inside class `{level.owner.name.value}`; the dry run only "
                              "runs module-level code and plain functions", self.line(anchor))
        return levels

    def _owner(self, block: cst.CSTNode) -> cst.CSTNode:
        """The statement that owns an indented block (the If of an Else, the Try of a handler)."""
        node = self.parent[id(block)]
        while not isinstance(node, cst.BaseCompoundStatement) or isinstance(self.parent.get(id(node)), cst.If):
            if isinstance(node, cst.BaseCompoundStatement) and isinstance(self.parent.get(id(node)), cst.If):
                node = self.parent[id(node)]  # an elif: go to the outer If
                continue
            node = self.parent[id(node)]
        return node

    def _cross(self, level: _Level, outer: Optional[_Level], needed: set) -> Optional[NotRun]:
        """Leave a block for its enclosing one; a needed name bound by the block's header stops us."""
        owner = level.owner
        line = self.line(owner)
        if isinstance(owner, cst.FunctionDef):
            params = param_names(owner) & needed
            if params:
                name = sorted(params)[0]
                return NotRun(f"the model depends on the parameter `{name}` of `{owner.name.value}()` "
                              "whose value the analysis does not know", line)
            if outer is not None and isinstance(outer.owner, cst.Module):
                outer.index = self._call_site(outer, owner)
        elif isinstance(owner, cst.For):
            loop = target_names(owner.target) & needed
            if loop:
                return NotRun(f"the model depends on the loop variable `{sorted(loop)[0]}`", line)
        elif isinstance(owner, cst.With):
            for item in owner.items:
                if item.asname is not None and target_names(item.asname.name) & needed:
                    return NotRun("the model depends on a `with ... as` value", line)
        elif isinstance(owner, cst.Try):
            for handler in owner.handlers:
                if handler.name is not None and target_names(handler.name.name) & needed:
                    return NotRun("the model depends on a caught exception", line)
        return None

    def _call_site(self, module_level: _Level, function: cst.FunctionDef) -> int:
        """Index of the first module-level statement that calls `function` (all statements if none)."""
        name = function.name.value
        for i, stmt in enumerate(module_level.statements):
            if stmt is function or isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                continue
            for call in iter_calls(stmt, into_functions=False):
                if isinstance(call.func, cst.Name) and call.func.value == name:
                    return i
        return len(module_level.statements)

    # ------------------------------------------------------------------ one statement
    def _consider(self, stmt: cst.BaseStatement, needed: set, notes: list):
        """None (leave out), (rewritten statement, names it reads), or NotRun."""
        binds = bound_names(stmt) & needed
        mutation = self._mutation(stmt, needed, notes)
        if not binds and not mutation:
            return None
        line = self.line(stmt)
        if isinstance(stmt, cst.SimpleStatementLine) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body):
            return self._import(stmt, needed, line)
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign):
                    value = self.values.get(id(small.value))
                    if _is_data(value) and (binds & _assigned(small)):
                        name = sorted(binds & _assigned(small))[0]
                        return NotRun(f"the model needs {self._path(name, line)}: data that the dry run does not "
                                      "load, and the analysis does not know the value the model takes from it", line)
        rewritten, replaced = self._rewrite(stmt)
        why = self._forbidden(stmt, replaced)
        if why is not None:
            if binds:
                name = sorted(binds)[0]
                return NotRun(f"the model needs {self._path(name, line)}, which comes from code that {why}; the "
                              "dry run never runs it", line)
            return NotRun(f"the model is changed by code that {why} (line {line}); the dry run never runs it", line)
        if isinstance(rewritten, (cst.FunctionDef, cst.ClassDef)):
            for call in iter_calls(stmt, into_functions=True):
                if id(call) in replaced:
                    continue
                reason = self._call_forbidden(call)
                if reason is not None:
                    return NotRun(f"`{rewritten.name.value}()` (line {line}) also {reason} (line "
                                  f"{self.facts.line(call)}); the dry run never runs that", line)
        return rewritten, read_names(rewritten)

    def _path(self, name: str, line: int) -> str:
        """"`num_classes` (line 32), from `classes` (line 31), from `train_ds` (line 15)": why the model needs it."""
        steps = [(name, line)]
        seen = {name}
        current = name
        while current in self.why and len(steps) < 5:
            needer_line, needer = self.why[current]
            if not needer or needer[0] in seen or needer[0] in self.receiver_names:
                break
            steps.append((needer[0], needer_line))
            seen.add(needer[0])
            current = needer[0]
        steps.reverse()
        return ", from ".join(f"`{n}` (line {l})" for n, l in steps)

    def _mutation(self, stmt: cst.BaseStatement, needed: set, notes: list) -> bool:
        """Does the statement change a needed object (add a layer, freeze it, compile it)?"""
        if isinstance(stmt, cst.SimpleStatementLine):
            changed = False
            for small in stmt.body:
                if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                    call = small.value
                    if isinstance(call.func, cst.Attribute) and base_name(call.func.value) in needed:
                        method = call.func.attr.value
                        if method in SKIPPED_METHODS:
                            if method == "load_weights":
                                notes.append(f"line {self.facts.line(call)}: load_weights skipped (initial weights "
                                             "are random)")
                            continue
                        changed = True
                elif isinstance(small, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
                    targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                    for target in targets:
                        if isinstance(target, (cst.Attribute, cst.Subscript)) and base_name(target) in needed:
                            changed = True
                    if isinstance(small, cst.AugAssign) and base_name(small.target) in needed:
                        changed = True
            return changed
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            return False
        # A compound statement: any nested simple statement that changes a needed object, or a loop
        # over a needed object whose body changes the loop variable (`for l in base.layers: l.trainable = ...`).
        extended = set(needed)
        if isinstance(stmt, cst.For) and read_names(stmt.iter) & needed:
            extended |= target_names(stmt.target)
        for inner in _walk_statements(stmt):
            if isinstance(inner, cst.For) and read_names(inner.iter) & needed:
                extended |= target_names(inner.target)
        return any(self._mutation(inner, extended, notes) for inner in _walk_statements(stmt)
                   if isinstance(inner, cst.SimpleStatementLine))

    def _import(self, stmt: cst.SimpleStatementLine, needed: set, line: int):
        """The import statement reduced to the names the model needs."""
        kept_small = []
        for small in stmt.body:
            if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
                if small.relative:
                    continue
                kept_small.append(small)
                continue
            from_import = isinstance(small, cst.ImportFrom)
            aliases = [a for a in small.names if import_binding(a, from_import) in needed]
            if not aliases:
                continue
            if from_import and small.relative:
                return NotRun(f"the model needs `{import_binding(aliases[0], True)}` from a relative import (line "
                              f"{line}); the dry run does not import the project's own modules", line)
            aliases = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in aliases]
            kept_small.append(small.with_changes(names=aliases))
        if not kept_small:
            return None
        return stmt.with_changes(body=[s.with_changes(semicolon=cst.MaybeSentinel.DEFAULT) for s in kept_small]), set()

    # ------------------------------------------------------------------ calls that must not run
    def _forbidden(self, stmt: cst.CSTNode, replaced: set) -> Optional[str]:
        """Why the statement must not run (a call that reads files, trains, ...), ignoring replaced parts."""
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            calls = [c for d in stmt.decorators for c in iter_calls(d)]
            if isinstance(stmt, cst.ClassDef):
                calls += [c for b in list(stmt.bases) + list(stmt.keywords) for c in iter_calls(b)]
        else:
            calls = list(iter_calls(stmt, into_functions=False))
        for call in calls:
            if id(call) in replaced:
                continue
            reason = self._call_forbidden(call)
            if reason is not None:
                return reason
        return None

    def _call_forbidden(self, call: cst.Call) -> Optional[str]:
        func = self.values.get(id(call.func))
        if isinstance(func, Ref):
            name = canonical(func.qualname)
            for prefix in FORBIDDEN_APIS:
                if under(name, prefix) or (prefix.endswith("_") and name.startswith(prefix)):
                    return f"calls {_short(name)}"
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in FORBIDDEN_METHODS:
            return f"calls .{call.func.attr.value}()"
        if isinstance(call.func, cst.Name) and call.func.value in ("open", "exec", "eval", "input", "__import__"):
            return f"calls {call.func.value}()"
        return None

    # ------------------------------------------------------------------ substitution
    def _rewrite(self, node: cst.CSTNode) -> tuple:
        """(node with known values written as literals, ids of every original node replaced away)."""
        new_node, replaced, pretrained = write_known_values(node, self.values)
        self.notes.extend(self.cli_defaults[key] for key in replaced if key in self.cli_defaults)
        for name in pretrained:
            self.notes.append(f"{name}: random initial weights instead of the pretrained ones (no download)")
        return new_node, replaced

def star_imports(statements: list) -> list:
    """The module-level `from <keras or tensorflow module> import *` lines among `statements` (Keras 2 era scripts
    take their layers from them); a star import of anything else is never run."""
    found = []
    for stmt in statements:
        body = stmt.body if isinstance(stmt, cst.SimpleStatementLine) else []
        if len(body) == 1 and isinstance(body[0], cst.ImportFrom) and isinstance(body[0].names, cst.ImportStar) \
                and body[0].module is not None and not body[0].relative \
                and dotted_name(body[0].module).split(".")[0] in ("keras", "tensorflow"):
            found.append(stmt)
    return found


_MODULE_GLOBALS = {"__name__", "__file__", "__doc__", "__builtins__"}


def _rebinds(stmt: cst.CSTNode) -> bool:
    """A plain assignment/def/import replaces the name: earlier bindings are no longer needed."""
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
        return True
    if isinstance(stmt, cst.SimpleStatementLine):
        return all(isinstance(s, (cst.Assign, cst.AnnAssign, cst.Import, cst.ImportFrom)) for s in stmt.body)
    return False


def _assigned(small: cst.Assign) -> set:
    names: set = set()
    for target in small.targets:
        names |= target_names(target.target)
    return names


def _is_data(value: Any) -> bool:
    if isinstance(value, _DATA_VALUES):
        return True
    if isinstance(value, Seq):
        return any(isinstance(item, _DATA_VALUES) for item in value.items)
    return False


def _walk_statements(stmt: cst.CSTNode) -> list:
    found: list = []

    class _Statements(cst.CSTVisitor):
        def visit_SimpleStatementLine(self, node) -> bool:
            found.append(node)
            return False

        def visit_For(self, node) -> None:
            found.append(node)

        def visit_FunctionDef(self, node) -> bool:
            return False

        def visit_ClassDef(self, node) -> bool:
            return False

        def visit_SimpleStatementSuite(self, node) -> bool:
            found.append(cst.SimpleStatementLine(body=list(node.body)))
            return False

    for child in stmt.children:
        child.visit(_Statements())
    return found


def _short(name: str) -> str:
    return name.replace("builtins.", "").replace("numpy.", "np.").replace("pandas.", "pd.").replace("tensorflow.", "tf.")


def slice_module(module: cst.Module, facts, values: dict, limit: int = 8) -> list:
    """[(Target, Slice | NotRun)] for the models of one module."""
    slicer = Slicer(module, facts, values)
    results = []
    for target in find_targets(facts, limit):
        try:
            results.append((target, slicer.build(target)))
        except RecursionError:
            results.append((target, NotRun("the code is nested too deeply to slice", None)))
    return results


__all__ = ["Slice", "NotRun", "Target", "Slicer", "find_targets", "slice_module", "MODEL_VARIABLE"]
