"""The slice as source: the kept statements in order, translated for Keras 3, and the line map back to the user's lines.

The map (slice line -> user's line) lets an exception in the worker point at the line the user wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from tflint_gesture.dryrun.translate import Bindings, Translator
from tflint_gesture.facts.legacy_api import DIM_ORDERING
from tflint_gesture.facts.names import canonical, last

MODEL_VARIABLE = "__tflint_model__"


@dataclass
class Slice:
    """Standalone source that leaves the compiled model in `__tflint_model__`."""

    source: str
    line_map: list  # line_map[i] = the user's line of slice line i + 1
    model_line: int  # the user's line where the model is used (fit or compile)
    notes: list = field(default_factory=list)
    translations: list = field(default_factory=list)  # Keras 1/2 spellings rewritten for Keras 3, with lines
    assumptions: list = field(default_factory=list)  # values written in that the script takes from unloaded data
    label_classes: Optional[int] = None  # the labels' assumed class count, when the width keeps the script's shift
    custom_train_step: bool = False  # the model's class overrides `train_step`: the run trains through it

    def user_line(self, slice_line: int) -> Optional[int]:
        if 1 <= slice_line <= len(self.line_map):
            return self.line_map[slice_line - 1]
        return None


def assemble(module: cst.Module, bindings: Bindings, line, chunks: list, receiver: cst.BaseExpression, anchor_line: int,
             notes: list) -> Slice:
    """The slice's source from the kept statements (outermost block first), translated for Keras 3, with the
    line map back to the user's lines and the image data format the script set before the model."""
    translator = Translator(bindings)
    lines: list[str] = []
    line_map: list[int] = []
    data_format = _image_data_format(module, bindings, line, anchor_line)
    if data_format is not None:
        value, line, _ = data_format
        lines.append(f"import keras as __tflint_keras__; __tflint_keras__.backend.set_image_data_format({value!r})")
        line_map.append(line)
    for level in reversed(chunks):
        for start, end, stmt in level:
            stmt = translator.statement(_strip_leading(stmt), start)
            text = module.code_for_node(stmt).splitlines()
            for offset, text_line in enumerate(text):
                lines.append(text_line)
                line_map.append(min(start + offset, end or start) if start else anchor_line)
    expr = module.code_for_node(receiver).strip()
    lines.append(f"{MODEL_VARIABLE} = ({expr})")
    line_map.append(anchor_line)
    translations = list(translator.notes)
    if data_format is not None and data_format[2]:
        translations.insert(0, f"{data_format[2]} (line {data_format[1]})")
    return Slice("\n".join(lines) + "\n", line_map, anchor_line, notes, translations)

def _image_data_format(module: cst.Module, bindings: Bindings, line_of, before: int) -> Optional[tuple]:
    """(format, line, translation note) of the last module-level `K.set_image_data_format('channels_first')`
    (or Keras 1's `K.set_image_dim_ordering('th')`) above the model: layers read it when they are created."""
    found = None
    for stmt in module.body:
        line = line_of(stmt)
        if line is None or line > before or not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            call = small.value if isinstance(small, cst.Expr) else None
            if not isinstance(call, cst.Call) or len(call.args) != 1:
                continue
            dotted = bindings.dotted(call.func)
            name = last(canonical(dotted)) if dotted else None
            value = call.args[0].value
            if name not in ("set_image_data_format", "set_image_dim_ordering") or not isinstance(value, cst.SimpleString):
                continue
            text = value.evaluated_value
            if name == "set_image_dim_ordering" and text in DIM_ORDERING:
                found = (DIM_ORDERING[text], line, f"set_image_dim_ordering({text!r}) -> "
                                                   f"set_image_data_format({DIM_ORDERING[text]!r})")
            elif name == "set_image_data_format" and text in ("channels_first", "channels_last"):
                found = (text, line, None)
    return found


def _strip_leading(stmt: cst.CSTNode) -> cst.CSTNode:
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) and stmt.decorators:
        first = stmt.decorators[0].with_changes(leading_lines=())
        return stmt.with_changes(leading_lines=(), decorators=[first, *stmt.decorators[1:]])
    if hasattr(stmt, "leading_lines"):
        return stmt.with_changes(leading_lines=())
    return stmt


__all__ = ["MODEL_VARIABLE", "Slice", "assemble"]
