"""`facts/walk.py` reads only the fields that can hold a node, and yields exactly what a walk over
every dataclass field yields (whitespace and comments left out)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import libcst as cst

from tflint_gesture.facts import walk
from tflint_gesture.parsing import parse_module

ROOT = Path(__file__).resolve().parent.parent


def _every_field_walk(root: cst.CSTNode) -> list[cst.CSTNode]:
    """The walk before fields were pruned by their declared type: every field of every node read."""
    out, stack = [], [root]
    while stack:
        node = stack.pop()
        out.append(node)
        found = []
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            for item in value if isinstance(value, (tuple, list)) else (value,):
                if isinstance(item, cst.CSTNode) and not isinstance(item, walk._SKIPPED):
                    found.append(item)
        stack.extend(reversed(found))
    return out


def test_pruned_fields_are_whitespace_only():
    fields = walk._node_fields(cst.FunctionDef)
    assert "body" in fields and "decorators" in fields and "params" in fields
    assert "leading_lines" not in fields and "whitespace_after_def" not in fields
    assert walk._node_fields(cst.Call) == ("func", "args", "lpar", "rpar")


def test_the_walk_yields_what_reading_every_field_yields():
    files = sorted(ROOT.glob("fixtures/*.py"))[:60] + sorted((ROOT / "tests" / "corpus").rglob("*.py"))[:10]
    assert len(files) > 30
    total = 0
    for path in files:
        module = parse_module(path.read_text(encoding="utf-8"))
        expected = _every_field_walk(module)
        assert [id(n) for n in walk.iter_nodes(module)] == [id(n) for n in expected], path
        total += len(expected)
    assert total > 20_000
