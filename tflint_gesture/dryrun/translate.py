"""Translate the Keras 1/2 spellings of a sliced model into Keras 3, so old scripts can be built.

Only the slice the worker executes is rewritten, never the user's file. Every rewrite comes from
the shared table `facts/legacy_api.py` (the one TFG602 reads) and is recorded as a note with its
line, so an observation says exactly which translations the measured model went through. Names are
resolved through the module's own imports (`from keras.layers.core import Dense` makes `Dense` the
Keras `keras.layers.Dense`); a call that cannot be resolved is left as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from tflint_gesture.facts import legacy_api as api
from tflint_gesture.facts.names import canonical, last, under

_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


# ---------------------------------------------------------------------------------- import bindings
class Bindings:
    """Local name -> dotted path, from every import of a module (names imported twice differently: unknown)."""

    def __init__(self, module: cst.Module) -> None:
        self.names: dict[str, Optional[str]] = {}
        self.star_modules: list[str] = []
        module.visit(_ImportCollector(self))

    def bind(self, name: str, dotted: str) -> None:
        if name in self.names and self.names[name] != dotted:
            self.names[name] = None
        else:
            self.names[name] = dotted

    def dotted(self, node: cst.CSTNode) -> Optional[str]:
        """`keras.layers.Dense` for `layers.Dense` after `from keras import layers`; None if unresolved."""
        parts: list[str] = []
        while isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
        if not isinstance(node, cst.Name):
            return None
        root = self.names.get(node.value)
        if root is None:
            if not parts and any(m.startswith("keras.layers") for m in self.star_modules):
                return f"keras.layers.{node.value}"  # `from keras.layers.core import *`
            return None
        return ".".join([root, *reversed(parts)])


class _ImportCollector(cst.CSTVisitor):
    def __init__(self, bindings: Bindings) -> None:
        self.bindings = bindings

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = _dotted_name(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.bindings.bind(alias.asname.name.value, dotted)
            else:
                self.bindings.bind(dotted.split(".")[0], dotted.split(".")[0])

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None:
            return
        module = _dotted_name(node.module)
        if isinstance(node.names, cst.ImportStar):
            self.bindings.star_modules.append(_renamed_module(module) or module)
            return
        for alias in node.names:
            name = _dotted_name(alias.name)
            local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) \
                else name
            self.bindings.bind(local, f"{module}.{name}")


def _dotted_name(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted_name(node.value)}.{node.attr.value}"
    return ""


def _renamed_module(module: str) -> Optional[str]:
    """The Keras 3 home of a removed Keras 2 module (`keras.layers.core` -> `keras.layers`), also under tf.keras."""
    for prefix in ("", "tensorflow."):
        if module.startswith(prefix + "keras."):
            bare = module[len(prefix):]
            for table in (api.MODULE_RENAMES, api.OPTIMIZER_MODULE_RENAMES):
                if bare in table:
                    return prefix + table[bare]
    return None


# ---------------------------------------------------------------------------------- the translation
@dataclass
class Translator:
    """Rewrites statements of one module; `notes` collects what was translated, once each."""

    bindings: Bindings
    notes: list = field(default_factory=list)

    def statement(self, stmt: cst.CSTNode, line: Optional[int]) -> cst.CSTNode:
        transformer = _Transformer(self)
        new = stmt.visit(transformer)
        for note in transformer.applied:
            text = f"{note} (line {line})" if line else note
            if text not in self.notes:
                self.notes.append(text)
        return new


class _Transformer(cst.CSTTransformer):
    def __init__(self, translator: Translator) -> None:
        super().__init__()
        self.bindings = translator.bindings
        self.applied: list[str] = []

    # -- imports ---------------------------------------------------------------------------------
    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        if updated.relative or updated.module is None:
            return updated
        module = _dotted_name(updated.module)
        renamed = _renamed_module(module)
        if renamed is not None:
            self.applied.append(f"`{module}` -> `{renamed}`")
            updated = updated.with_changes(module=cst.parse_expression(renamed))
            module = renamed
        if isinstance(updated.names, cst.ImportStar):
            return updated
        aliases = []
        for alias in updated.names:
            name = _dotted_name(alias.name)
            if module.endswith("keras.layers") and name in api.CLASS_RENAMES:
                modern = api.CLASS_RENAMES[name]
                local = alias.asname if alias.asname is not None else cst.AsName(name=cst.Name(name))
                alias = alias.with_changes(name=cst.Name(modern), asname=local)
                self.applied.append(f"`{name}` -> `{modern}`")
            aliases.append(alias)
        return updated.with_changes(names=aliases)

    def leave_SimpleStatementLine(self, original, updated):
        """`from keras.utils import np_utils` -> `from keras import utils as np_utils` (a removed submodule)."""
        body = []
        for small in updated.body:
            if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None \
                    and not isinstance(small.names, cst.ImportStar):
                module = _dotted_name(small.module)
                kept, moved = [], []
                for alias in small.names:
                    renamed = _renamed_module(f"{module}.{_dotted_name(alias.name)}")
                    (moved if renamed else kept).append((alias, renamed))
                if kept:
                    body.append(small.with_changes(names=[a.with_changes(comma=cst.MaybeSentinel.DEFAULT)
                                                          for a, _ in kept]))
                for alias, renamed in moved:
                    parent, _, child = renamed.rpartition(".")
                    local = alias.asname if alias.asname is not None else cst.AsName(name=alias.name)
                    body.append(cst.ImportFrom(module=cst.parse_expression(parent),
                                               names=[cst.ImportAlias(name=cst.Name(child), asname=local)]))
                    self.applied.append(f"`{module}.{_dotted_name(alias.name)}` -> `{renamed}`")
                continue
            body.append(small)
        body = [s.with_changes(semicolon=cst.MaybeSentinel.DEFAULT) for s in body]
        return updated.with_changes(body=body) if body else cst.SimpleStatementLine(body=[cst.Pass()])

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        """`keras.layers.convolutional.Conv2D` -> `keras.layers.Conv2D` (the removed module is the parent's)."""
        dotted = self.bindings.dotted(original)
        if dotted is None:
            return updated
        renamed = _renamed_module(dotted)
        if renamed is not None and renamed == dotted.rpartition(".")[0]:
            self.applied.append(f"`{dotted}` -> `{renamed}`")
            return updated.value
        return updated

    # -- calls -----------------------------------------------------------------------------------
    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if any(a.star for a in updated.args):
            return updated
        if isinstance(updated.func, cst.Attribute):
            method = updated.func.attr.value
            if method == "add_weight":
                return self._add_weight(updated)
            if method == "compile":
                return self._drop(updated, api.COMPILE_DROPPED_KEYWORDS, "compile")
        dotted = self.bindings.dotted(original.func)
        if dotted is None:
            return updated
        if dotted == api.MERGE_FUNCTION:
            return self._merge(updated)
        name = canonical(dotted)
        spelled = last(dotted)
        if spelled in api.CLASS_RENAMES and isinstance(updated.func, cst.Attribute) and under(name, "keras.layers"):
            modern = api.CLASS_RENAMES[spelled]
            updated = updated.with_changes(func=updated.func.with_changes(attr=cst.Name(modern)))
            self.applied.append(f"`{spelled}` -> `{modern}`")
        if name.startswith("keras.optimizers.") and last(name)[:1].isupper():
            return self._optimizer(updated)
        family = api.layer_family(name)
        if family is None:
            family = api.layer_family(f"keras.layers.{spelled}") if name.startswith("keras.layers.") else None
        if family is None:
            return updated
        standalone = dotted.startswith("keras.") or (dotted.split(".")[0] == "keras")
        return self._layer(updated, family, spelled, standalone)

    def _layer(self, call: cst.Call, family: str, spelled: str, standalone: bool) -> cst.Call:
        if spelled in api.KERNEL_DIMS:  # before the renames: Keras 2 checked the keywords as written
            call = self._kernel_dims(call, spelled, standalone)
        renames = api.KEYWORD_RENAMES.get(family, {})
        keywords = {a.keyword.value for a in call.args if a.keyword is not None}
        args = []
        for arg in call.args:
            key = arg.keyword.value if arg.keyword is not None else None
            if key in renames and renames[key] not in keywords:
                new_key = renames[key]
                value = arg.value
                if new_key in api.VALUE_RENAMES and isinstance(value, cst.SimpleString):
                    converted = api.VALUE_RENAMES[new_key].get(value.evaluated_value, value.evaluated_value)
                    quote = value.quote
                    value = cst.Name("None") if converted is None else cst.SimpleString(f"{quote}{converted}{quote}")
                arg = arg.with_changes(keyword=cst.Name(new_key), value=value)
                self.applied.append(f"{key}= -> {new_key}=")
            elif key in api.IGNORED_KEYWORDS.get(family, ()) and key not in renames:
                self.applied.append(f"{key}= dropped (Keras 2 ignored it)")
                continue
            elif key in (dropped := api.DROPPED_KEYWORDS.get(family, {})) and _literal(arg.value) == dropped[key]:
                self.applied.append(f"{key}={_literal(arg.value)!r} dropped (its Keras 1 default)")
                continue
            elif key in (splits := api.KEYWORD_SPLITS.get(family, {})) and not keywords & set(splits[key]):
                args.extend(arg.with_changes(keyword=cst.Name(new_key)) for new_key in splits[key])
                self.applied.append(f"{key}= -> {'=, '.join(splits[key])}=")
                continue
            elif key == "batch_input_shape" and family not in ("input", "model"):
                arg = arg.with_changes(keyword=cst.Name("input_shape"),
                                       value=cst.parse_expression(f"tuple({_code(arg.value)})[1:]"))
                self.applied.append("batch_input_shape= -> input_shape=")
            args.append(arg)
        changed_count = len(args) != len(call.args)
        call = call.with_changes(args=_fix_commas(args) if changed_count else args)
        if family in api.SEQUENCE_INPUT_FAMILIES:
            call = self._sequence_input(call)
        return call

    def _merge(self, call: cst.Call) -> cst.Call:
        """Keras 1 `merge([a, b], mode="concat", concat_axis=1)` -> `<keras.layers>.concatenate([a, b], axis=1)`.

        The callee is the module `keras.layers` by then: `keras.layers.merge` lost its removed last part, and
        `from keras.layers import merge` was rewritten to bind `merge` to the module (a Keras 2 submodule name).
        A mode with no Keras 3 function (cos, a callable), or an output_shape/mask, stays as written."""
        positional = [a for a in call.args if a.keyword is None]
        by_key = {a.keyword.value: a for a in call.args if a.keyword is not None}
        if not positional or len(positional) > 2 or (len(positional) == 2 and "mode" in by_key):
            return call
        mode_arg = by_key.get("mode") or (positional[1] if len(positional) == 2 else None)
        mode = api.MERGE_DEFAULT_MODE if mode_arg is None else _literal(mode_arg.value)
        function = api.MERGE_MODES.get(mode) if isinstance(mode, str) else None
        if function is None:
            return call
        renames = api.MERGE_KEYWORDS.get(function, {})
        args = [positional[0]]
        for key, arg in by_key.items():
            if key == "mode" or (key in api.MERGE_UNUSED_KEYWORDS and key not in renames):
                continue
            if key in api.MERGE_NONE_KEYWORDS:
                if not (isinstance(arg.value, cst.Name) and arg.value.value == "None"):
                    return call
                continue
            args.append(arg.with_changes(keyword=cst.Name(renames[key])) if key in renames else arg)
        self.applied.append(f"merge(mode={mode!r}) -> {function}()"
                            + "".join(f", {old}= -> {new}=" for old, new in renames.items() if old in by_key))
        func = cst.Attribute(value=call.func, attr=cst.Name(function))
        return call.with_changes(func=func, args=_fix_commas(args))

    def _sequence_input(self, call: cst.Call) -> cst.Call:
        """Recurrent / Conv1D `input_dim=d, input_length=n` meant input_shape=(n, d) in Keras 2."""
        by_key = {a.keyword.value: a for a in call.args if a.keyword is not None}
        if "input_dim" not in by_key or "input_shape" in by_key:
            return call
        length = by_key.get("input_length")
        shape = f"({_code(length.value) if length is not None else 'None'}, {_code(by_key['input_dim'].value)})"
        args = [a for a in call.args if a is not length]
        args = [a.with_changes(keyword=cst.Name("input_shape"), value=cst.parse_expression(shape))
                if a is by_key["input_dim"] else a for a in args]
        self.applied.append("input_dim=/input_length= -> input_shape=(length, dim)")
        return call.with_changes(args=_fix_commas(args))

    def _kernel_dims(self, call: cst.Call, spelled: str, standalone: bool) -> cst.Call:
        """`Convolution2D(32, 3, 3)`: the Keras 1 kernel (3, 3), which Keras 3 would read as strides=3."""
        dims = api.KERNEL_DIMS[spelled]
        positional = [a for a in call.args if a.keyword is None]
        keywords = {a.keyword.value for a in call.args if a.keyword is not None}
        if len(positional) != dims + 1 or keywords & set(api.KERNEL_DIMS_EXCLUSIVE) or "kernel_size" in keywords:
            return call
        if not all(isinstance(a.value, cst.Integer) for a in positional[1:]):
            return call
        if not standalone:  # tf.keras never had the Keras 1 signature: there the numbers are strides
            return call
        kernel = cst.parse_expression("(" + ", ".join(a.value.value for a in positional[1:]) + ")")
        first = positional[0]
        new_args = [first, cst.Arg(value=kernel)] + [a for a in call.args if a.keyword is not None]
        ints = ", ".join(a.value.value for a in positional[1:])
        self.applied.append(f"{spelled}(filters, {ints}) -> kernel_size=({ints}) (the Keras 1/2 signature; Keras 3 "
                            "reads the third number as strides)")
        return call.with_changes(args=_fix_commas(new_args))

    def _optimizer(self, call: cst.Call) -> cst.Call:
        keywords = {a.keyword.value for a in call.args if a.keyword is not None}
        args = []
        for arg in call.args:
            key = arg.keyword.value if arg.keyword is not None else None
            if key in api.OPTIMIZER_KEYWORD_RENAMES and api.OPTIMIZER_KEYWORD_RENAMES[key] not in keywords:
                arg = arg.with_changes(keyword=cst.Name(api.OPTIMIZER_KEYWORD_RENAMES[key]))
                self.applied.append(f"{key}= -> {api.OPTIMIZER_KEYWORD_RENAMES[key]}=")
            elif key in api.OPTIMIZER_NONE_KEYWORDS and isinstance(arg.value, cst.Name) and arg.value.value == "None":
                self.applied.append(f"{key}=None dropped (None meant the default)")
                continue
            args.append(arg)
        return call.with_changes(args=_fix_commas(args))

    def _drop(self, call: cst.Call, dropped: frozenset, what: str) -> cst.Call:
        args = [a for a in call.args if a.keyword is None or a.keyword.value not in dropped]
        if len(args) == len(call.args):
            return call
        for a in call.args:
            if a.keyword is not None and a.keyword.value in dropped:
                self.applied.append(f"{what}({a.keyword.value}=...) dropped")
        return call.with_changes(args=_fix_commas(args))

    def _add_weight(self, call: cst.Call) -> cst.Call:
        """`self.add_weight('kernel', shape, ...)`: Keras 2's positional order, as keywords."""
        positional = [a for a in call.args if a.keyword is None]
        if not positional or not isinstance(positional[0].value, (cst.SimpleString, cst.ConcatenatedString)):
            return call
        if len(positional) > len(api.ADD_WEIGHT_KERAS2_ORDER) or list(call.args[:len(positional)]) != positional:
            return call
        keywords = {a.keyword.value for a in call.args if a.keyword is not None}
        names = api.ADD_WEIGHT_KERAS2_ORDER[:len(positional)]
        if keywords & set(names):
            return call
        args = [a.with_changes(keyword=cst.Name(n), equal=_EQUAL) for a, n in zip(positional, names)]
        self.applied.append("add_weight(name, shape, ...) positional -> keywords")
        return call.with_changes(args=_fix_commas(args + list(call.args[len(positional):])))


def _fix_commas(args: list) -> list:
    """Every argument but the last ends in `, `; the last keeps no trailing comma."""
    fixed = []
    for i, arg in enumerate(args):
        if arg.keyword is not None and arg.equal is cst.MaybeSentinel.DEFAULT:
            arg = arg.with_changes(equal=_EQUAL)
        if i < len(args) - 1:
            if not isinstance(arg.comma, cst.Comma):
                arg = arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        else:
            arg = arg.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        fixed.append(arg)
    return fixed


def _literal(node: cst.CSTNode):
    if isinstance(node, cst.Integer):
        return int(node.value)
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    return object()


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


__all__ = ["Bindings", "Translator"]
