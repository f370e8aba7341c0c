"""Line/column of libcst nodes, computed for the top-level statements that need them only.

libcst's `PositionProvider` regenerates the code of the whole module to count lines: on a file with
one finding that costs about twice the parse, and its map (a `CodeRange` per node) is the largest
structure of a run. Here a node's position comes from regenerating only its top-level statement:

* which statement holds the node: a walk of the top-level statements (`walk.children`, no visitor),
  from the last one backwards and only until the node asked for is met, keeping `id(node) ->
  statement index`. A script's findings sit at its compile and fit, near the end, and their evidence
  in the data and model code before them: on a long file the helpers above are usually never walked
  (a node of another tree still walks everything once, as a full map did);
* where that statement starts: from CPython's `ast` of the same text (top-level statements start in
  column 0, so a line shift is all that separates a statement's own positions from the file's);
* the positions inside it: libcst's own position codegen on that statement alone, cached.

Without the source text, or when `ast` and libcst disagree on the statements, the whole module goes
through libcst's provider as before.
"""

from __future__ import annotations

import ast
import warnings
from typing import Optional

import libcst as cst
from libcst._position import CodePosition, CodeRange

from tflint_gesture.chunks import cut_verified
from tflint_gesture.facts.walk import children


class Positions:
    """`of(node)`: the node's `CodeRange` in the file, or None for a node of another tree."""

    def __init__(self, module: cst.Module, source: Optional[str] = None) -> None:
        self._module = module
        self._source = source
        self._owner: Optional[dict] = None  # id(node) -> index of its top-level statement, for those walked
        self._unwalked = 0  # the statements before this index are not in `_owner` yet
        self._starts: Optional[list[int]] = None  # first line of each top-level statement (ast)
        self._done: dict[int, tuple[dict, int]] = {}  # statement index -> (libcst ranges, line shift)
        self._whole: Optional[dict] = None  # the fallback: libcst's map of the whole module

    def of(self, node: cst.CSTNode) -> Optional[CodeRange]:
        if self._whole is not None:
            return self._whole.get(node)
        if self._owner is None:
            self._starts = _statement_lines(self._source, len(self._module.body))
            if self._starts is None:
                self._whole = whole_module_positions(self._module)
                return self._whole.get(node)
            self._owner, self._unwalked = {}, len(self._module.body)
        index = self._owner.get(id(node))
        while index is None and self._unwalked:  # map more statements, from the end, until the node is found
            self._unwalked -= 1
            _map_statement(self._module.body[self._unwalked], self._unwalked, self._owner)
            index = self._owner.get(id(node))
        if index is None:
            return None
        if index not in self._done:
            self._done[index] = self._statement_positions(index)
        ranges, shift = self._done[index]
        pos = ranges.get(node)
        if pos is None or not shift:
            return pos
        return CodeRange(CodePosition(pos.start.line + shift, pos.start.column),
                         CodePosition(pos.end.line + shift, pos.end.column))

    def _statement_positions(self, index: int) -> tuple[dict, int]:
        statement = self._module.body[index]
        ranges = _codegen_positions(statement, self._module)
        own = ranges.get(statement)
        return ranges, (self._starts[index] - own.start.line if own is not None else 0)


def whole_module_positions(module: cst.Module) -> dict:
    """libcst's PositionProvider ranges of every node, computed by one codegen pass."""
    return _codegen_positions(module, module)


def _codegen_positions(node: cst.CSTNode, module: cst.Module) -> dict:
    """Positions of `node` and its descendants as if its code started at line 1, column 0.

    Going through `MetadataWrapper.resolve` costs a second full visit of the tree before the codegen
    pass; the provider's own codegen is all that is needed. Falls back to the public API (whole
    module only) if libcst's internals change.
    """
    from libcst.metadata import MetadataWrapper, PositionProvider

    try:
        from libcst.metadata.position_provider import PositionProvidingCodegenState

        provider = PositionProvider()
        state = PositionProvidingCodegenState(
            default_indent=module.default_indent, default_newline=module.default_newline, provider=provider
        )
        node._codegen(state)
        return provider._computed
    except (ImportError, AttributeError, TypeError):
        computed = dict(MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider))
        return computed


def _statement_lines(source: Optional[str], count: int) -> Optional[list[int]]:
    """The line where each of libcst's `count` top-level statements starts, from CPython's `ast`
    (of a long text piece by piece, so that its AST is never whole in memory). None when they do
    not agree."""
    if source is None:
        return None
    pieces = cut_verified(source, _piece_lines) or [(source, _piece_lines(source))]
    starts: list[int] = []
    offset = 0
    for piece, lines in pieces:
        if lines is None:
            return None
        starts.extend(line + offset for line in lines)
        offset += piece.count("\n")
    return starts if len(starts) == count else None


def _piece_lines(text: str) -> Optional[list[int]]:
    """First line of each top-level statement as libcst counts them. libcst keeps `a = 1; b = 2` (and
    a `;` line continued over several lines) as one statement, `ast` as several: a statement starting
    on the line where the previous one ends joins it. A decorated definition starts at `def`/`class`
    in both."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    starts: list[int] = []
    end = 0
    for statement in tree.body:
        if statement.lineno > end:
            starts.append(statement.lineno)
        end = max(end, statement.end_lineno or statement.lineno)
    return starts


def _owners(module: cst.Module) -> dict[int, int]:
    """`id(node) -> index of the top-level statement holding it`, for every node of the module."""
    owner: dict[int, int] = {}
    for index, statement in enumerate(module.body):
        _map_statement(statement, index, owner)
    return owner


def _map_statement(statement: cst.CSTNode, index: int, owner: dict[int, int]) -> None:
    """Add `id(node) -> index` for the statement and every node in it.

    Keyed by `id`: a libcst node's hash is `id(self)` computed by a Python method, one call per node
    (a million on a 100,000-line file); the module holds every node alive while the map exists, so
    no two of its nodes share an id and no other live node can have one of theirs. A plain loop
    over `walk.children`, without the generator of `iter_nodes`: together about a third faster."""
    stack = [statement]
    pop, push = stack.pop, stack.extend
    while stack:
        node = pop()
        owner[id(node)] = index
        push(children(node))


__all__ = ["Positions", "whole_module_positions"]
