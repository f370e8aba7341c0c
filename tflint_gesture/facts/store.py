"""The facts of one module: the records the interpreter leaves behind and rules read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import libcst as cst

from tflint_gesture.facts.positions import Positions
from tflint_gesture.facts.values import UNKNOWN, Compile, ModelValue, Origin


@dataclass
class TrainCall:
    """A `fit`, `evaluate` or `predict` call on a known model, with its arguments as values."""

    method: str
    node: cst.Call
    model: ModelValue
    compile: Any  # the Compile in force, None if never compiled, UNKNOWN if ambiguous
    x: Any = UNKNOWN
    x_node: Optional[cst.CSTNode] = None
    y: Any = UNKNOWN  # value, None when not given
    y_node: Optional[cst.CSTNode] = None
    y_value: Any = None  # `y` as given: a list or dict of label arrays for a model with several outputs
    validation_data: Any = None
    validation_node: Optional[cst.CSTNode] = None
    validation_split: Any = None
    validation_split_node: Optional[cst.CSTNode] = None
    callbacks: Any = None
    uncertain: bool = False
    order: int = 0


@dataclass
class ScalerFit:
    """A scaler/normaliser fit on some data (`fit`, `fit_transform`, `adapt`)."""

    node: cst.Call
    kind: str
    data: Any
    method: str


@dataclass
class DoubleScaling:
    """A scaling step applied to data that was already scaled.

    `node` is where the second scaling is applied: the expression, or for a step written inside a
    function, the call site that passes it the scaled data (`inner` is then the expression itself).
    """

    node: cst.CSTNode
    note: str
    first: Origin
    inner: Optional[cst.CSTNode] = None


class LineRef(int):
    """A line number in another file of the project; prints as `12 of model.py`."""

    def __new__(cls, line: int, filename: str):
        obj = super().__new__(cls, line)
        obj.filename = filename
        return obj

    def __str__(self) -> str:
        return f"{int(self)} of {self.filename}"

    __format__ = lambda self, spec: format(str(self), spec)  # noqa: E731


@dataclass
class Facts:
    module: cst.Module
    models: list = field(default_factory=list)
    compiles: list = field(default_factory=list)
    calls: list = field(default_factory=list)  # TrainCall, in program order
    scaler_fits: list = field(default_factory=list)
    double_scalings: list = field(default_factory=list)
    frameworks: set = field(default_factory=set)
    framework_nodes: dict = field(default_factory=dict)  # framework -> first import statement
    tape_blocks: list = field(default_factory=list)  # facts.loops.TapeBlock, one per `with` statement
    model_calls: list = field(default_factory=list)  # facts.loops.ModelCall
    loss_calls: list = field(default_factory=list)  # facts.loss_calls.LossCall: `loss_fn(y, model(x))` by hand
    metric_updates: list = field(default_factory=list)  # facts.loss_calls.MetricUpdate: `metric.update_state(y, p)`
    graph_blocks: set = field(default_factory=set)  # ids of models called on something: blocks of a bigger graph (or inference)
    optimizers: list = field(default_factory=list)  # facts.optimizers.Optimizer, one per evaluated constructor
    callbacks: list = field(default_factory=list)  # every keras.callbacks object built, in order
    legacy_uses: list = field(default_factory=list)  # facts.legacy.MethodUse / BackendUse (removed Keras APIs)
    subsets: dict = field(default_factory=dict)  # dataset root -> Origins of the calls that made it (`ds.filter(p)`)
    # Set by the engine: the `target-keras` setting and the file on disk (its project's pins), for TFG602.
    target_keras: str = "auto"
    source_path: Optional[Path] = None
    keras_hint: Optional[str] = None  # a notebook's `!pip install tensorflow==2.15` / `%env TF_USE_LEGACY_KERAS=1`
    source: Optional[str] = field(default=None, repr=False)  # the module's text: positions without a full codegen

    def tape_block(self, tape, with_node, interp):
        """The record of a GradientTape `with` block (one per statement, however often it runs)."""
        from tflint_gesture.facts.loops import TapeBlock

        for block in self.tape_blocks:
            if block.with_node is with_node:
                return block
        name = None
        for item in with_node.items:
            if item.asname is not None and isinstance(item.asname.name, cst.Name):
                name = item.asname.name.value
        block = TapeBlock(with_node, name, [(tuple(b), i) for b, i in interp.blocks], list(interp.loop_nodes))
        self.tape_blocks.append(block)
        return block

    def __post_init__(self) -> None:
        self.positions = Positions(self.module, self.source)
        self.foreign: list = []  # facts.modules.LoadedModule of the project modules this file imports
        self.output_views: dict = {}  # facts.outputs: per-output views of multi-output models, built once

    def add_foreign(self, loaded) -> None:
        """A project module this file imports, and the ones it imports in turn (a builder in `model.py`
        applying a block of `blocks.py` puts a finding there)."""
        stack = [loaded]
        while stack:
            module = stack.pop()
            if all(f is not module for f in self.foreign):
                self.foreign.append(module)
                stack.extend(getattr(module, "imports", ()))

    def locate(self, node: Optional[cst.CSTNode]):
        """(path of another project module or None for this file, CodeRange), or None if unknown."""
        if node is None:
            return None
        pos = self.positions.of(node)
        if pos is not None:
            return None, pos
        for loaded in self.foreign:
            pos = loaded.positions.of(node)
            if pos is not None:
                return loaded.path, pos
        return None

    def line(self, node: Optional[cst.CSTNode]):
        """Line of a node for messages: `12` in this file, `12 of model.py` in an imported module."""
        located = self.locate(node)
        if located is None:
            return None
        path, pos = located
        return pos.start.line if path is None else LineRef(pos.start.line, path.name)

    def code(self, node: Optional[cst.CSTNode], limit: int = 40) -> str:
        """The source text of a node, shortened for a message."""
        if node is None:
            return "?"
        if isinstance(node, cst.Arg):
            node = node.value
        text = " ".join(self.module.code_for_node(node).split())
        return text if len(text) <= limit else text[: limit - 3] + "..."

    def fits(self) -> list[TrainCall]:
        return [c for c in self.calls if c.method == "fit"]

    def calls_on(self, model: ModelValue) -> list[TrainCall]:
        return [c for c in self.calls if c.model is model]


__all__ = ["Facts", "TrainCall", "ScalerFit", "DoubleScaling", "Compile"]
