"""Lazy positions (facts/positions.py) agree with libcst's PositionProvider on every node."""

from __future__ import annotations

from pathlib import Path

import pytest

from tflint_gesture.facts.positions import Positions, _owners, whole_module_positions
from tflint_gesture.facts.walk import iter_nodes
from tflint_gesture.parsing import parse_module

ROOT = Path(__file__).resolve().parent.parent

TRICKY = {
    "semicolons_over_lines": "import os\na = 1; b = (2,\n 3); c = 4\nd = 5\n",
    "decorators_and_comments": "# head\n\n@dec(1,\n     2)\n# between\n@other\ndef f(x):\n    return x\n\n\nclass C:\n    pass\n",
    "async_and_compound_one_line": "async def g():\n    await h()\nif x: y = 1\nelse: y = 2\nfor i in r: pass\n",
    "backslash_and_strings": 'x = 1 + \\\n    2\ns = """a\nb\nc"""\nt = (\n  "u"\n  "v")\n',
    "crlf": "import keras\r\nm = keras.Sequential()\r\nm.add(keras.layers.Dense(1))\r\n",
    "no_trailing_newline": "a = 1\nb = [\n  2]",
    "form_feed_and_footer": "a = 1\n\x0c\nb = 2\n# trailing comment\n",
}


def _assert_same(text: str) -> int:
    module = parse_module(text)
    whole = whole_module_positions(module)
    lazy = Positions(module, text)
    nodes = [node for statement in module.body for node in iter_nodes(statement)]
    assert nodes, "the walk found no nodes"
    assert set(_owners(module)) == {id(node) for node in nodes}
    for node in nodes:
        assert lazy.of(node) == whole.get(node), (type(node).__name__, lazy.of(node), whole.get(node))
    assert lazy._whole is None, "fell back to the whole-module codegen"
    return len(nodes)


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_lazy_positions_match_libcst_on_tricky_layouts(name):
    assert _assert_same(TRICKY[name]) > 3


def test_lazy_positions_match_libcst_on_fixtures_and_examples():
    files = sorted(ROOT.glob("fixtures/*.py"))[:40] + sorted((ROOT / "tests" / "corpus").rglob("*.py"))[:10]
    assert len(files) > 20
    assert sum(_assert_same(f.read_text(encoding="utf-8")) for f in files) > 10_000


def test_only_the_statements_asked_for_are_regenerated():
    text = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(50))
    module = parse_module(text)
    lazy = Positions(module, text)
    call_site = module.body[30].body.body[0]
    pos = lazy.of(call_site)
    assert pos is not None and pos.start.line == 30 * 3 + 2
    assert list(lazy._done) == [30]


def test_without_source_or_when_ast_disagrees_the_whole_module_is_used():
    text = "a = 1\nb = 2\n"
    module = parse_module(text)
    for source in (None, "a = 1\n"):  # no text; a text whose statements are not the module's
        lazy = Positions(module, source)
        assert lazy.of(module.body[1]).start.line == 2
        assert lazy._whole is not None


def test_a_node_of_another_tree_has_no_position():
    module = parse_module("a = 1\n")
    other = parse_module("b = 2\n")
    assert Positions(module, "a = 1\n").of(other.body[0]) is None


def test_statements_are_walked_from_the_end_only_until_the_node_is_found():
    text = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(50)) + "model.fit(x, y)\n"
    module = parse_module(text)
    lazy = Positions(module, text)
    fit = module.body[-1].body[0].value
    assert lazy.of(fit).start.line == 151
    assert set(lazy._owner.values()) == {50}, "walked more than the last statement"
    inner = module.body[45].body.body[0]
    assert lazy.of(inner).start.line == 45 * 3 + 2
    assert set(lazy._owner.values()) == set(range(45, 51))
    assert lazy.of(parse_module("b = 2\n").body[0]) is None  # another tree's node: everything walked, not found
    assert set(lazy._owner.values()) == set(range(51))
