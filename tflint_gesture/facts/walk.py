"""Iterate over a libcst subtree without a visitor.

`node.visit(CSTVisitor)` rebuilds the child tuples of every node it passes (libcst's visit is its
transform machinery), and `isinstance` against libcst's abstract base classes is slow: on a long
script the syntactic helpers cost more than the abstract interpretation. Reading the dataclass
fields directly, with the node/sequence decision made once per type, is several times faster.
Whitespace and comment nodes are never yielded (nothing reports or matches them).
"""

from __future__ import annotations

import collections.abc
import dataclasses
import typing
from typing import Iterator, Optional

import libcst as cst
from libcst._nodes.whitespace import BaseParenthesizableWhitespace, Comment, EmptyLine, Newline, TrailingWhitespace

_SKIPPED = (BaseParenthesizableWhitespace, Comment, EmptyLine, Newline, TrailingWhitespace)
_OTHER, _NODE, _SEQUENCE = 0, 1, 2
_KIND: dict[type, int] = {}
_FIELDS: dict[type, tuple[str, ...]] = {}


def iter_nodes(root: cst.CSTNode, prune: Optional[tuple[type, ...]] = None) -> Iterator[cst.CSTNode]:
    """`root` and its descendants, parents first, children in field order (lexical order for the
    statements of a body and the arguments of a call). A node of a type in `prune` is yielded but
    not entered (`prune=(cst.FunctionDef,)`: the statements of this scope only)."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if prune is not None and isinstance(node, prune):
            continue
        stack.extend(reversed(children(node)))


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    out = []
    for name in _node_fields(type(node)):
        value = getattr(node, name)
        kind = _KIND.get(type(value))
        if kind is None:
            kind = _kind(value)
        if kind == _NODE:
            out.append(value)
        elif kind == _SEQUENCE:
            for item in value:
                item_kind = _KIND.get(type(item))
                if (item_kind if item_kind is not None else _kind(item)) == _NODE:
                    out.append(item)
    return out


def _kind(value) -> int:
    if isinstance(value, cst.CSTNode):
        kind = _OTHER if isinstance(value, _SKIPPED) else _NODE
    elif isinstance(value, (tuple, list)):
        kind = _SEQUENCE
    else:
        kind = _OTHER
    _KIND[type(value)] = kind
    return kind


def _node_fields(cls: type) -> tuple[str, ...]:
    """The fields of `cls` that can hold a yielded node: those whose declared type is whitespace only
    (`whitespace_after`, `leading_lines`, ...: about half the fields of every node) are never read."""
    names = _FIELDS.get(cls)
    if names is None:  # libcst's field types are objects, not strings (a rare ForwardRef counts as "maybe a node")
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls) if not _whitespace_only(f.type))
    return names


def _whitespace_only(annotation) -> bool:
    """True when every value of this declared type is a skipped node, or a sequence of them."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union:
        return all(_whitespace_only(arg) for arg in typing.get_args(annotation))
    if origin in (tuple, list, collections.abc.Sequence):
        args = [arg for arg in typing.get_args(annotation) if arg is not Ellipsis]
        return bool(args) and all(_whitespace_only(arg) for arg in args)
    return isinstance(annotation, type) and issubclass(annotation, _SKIPPED)


__all__ = ["iter_nodes", "children"]
