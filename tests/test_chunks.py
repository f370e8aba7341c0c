"""Long files are parsed in pieces (chunks.py); the joined module is the whole file's parse."""

from __future__ import annotations

import re
from pathlib import Path

import libcst as cst
import pytest

from tflint_gesture import chunks, parsing
from tflint_gesture.engine import check_text
from tflint_gesture.facts.positions import whole_module_positions
from tflint_gesture.facts.walk import iter_nodes

ROOT = Path(__file__).resolve().parent.parent

TRAPS = '''"""Module docstring.

def not_code():
    pass
"""
import os


@decorator(
    1)
def f(x):
    if x:
        return 1
    # a comment inside the block

# a comment between statements
else_value = 2
if else_value:
    pass
else:
    pass
try:
    pass
except ValueError:
    pass
finally:
    pass
text = """
class NotAClass:
    x = 1
"""
call(a,
b)
value = 1 + \\
2
def g(): return 3
'''


@pytest.fixture
def tiny_chunks(monkeypatch):
    monkeypatch.setattr(chunks, "CHUNK_LINES", 2)


def _same_as_whole(text: str) -> None:
    pieces = chunks.split(text)
    assert pieces is not None and len(pieces) > 2, "the text was not cut"
    assert "".join(pieces) == text
    joined = parsing.parse_module(text)
    whole = cst.parse_module(text)
    assert joined.code == text
    assert joined.deep_equals(whole)
    mine, theirs = whole_module_positions(joined), whole_module_positions(whole)
    pairs = list(zip(iter_nodes(joined), iter_nodes(whole)))
    assert len(pairs) > 20
    for a, b in pairs:
        assert mine.get(a) == theirs.get(b), type(a).__name__


def test_cuts_never_fall_inside_strings_brackets_decorators_or_clauses(tiny_chunks):
    _same_as_whole(TRAPS)
    for piece in chunks.split(TRAPS)[:-1]:
        compile(piece, "<piece>", "exec")  # each piece is whole statements
    for piece in chunks.split(TRAPS)[1:]:
        assert not re.match(r"(else|except|finally)\b|def not_code|class NotAClass|b\)|2\n|def f", piece), piece[:20]


def test_fixtures_and_examples_parse_the_same_in_pieces(tiny_chunks):
    files = sorted(ROOT.glob("fixtures/*.py"))[:30] + sorted((ROOT / "tests" / "corpus").rglob("*.py"))[:8]
    for path in files:
        _same_as_whole(path.read_text(encoding="utf-8"))


def test_short_texts_are_not_cut():
    assert chunks.split("import keras\n" * 100) is None


def test_findings_of_a_cut_file_are_those_of_the_whole_file(tiny_chunks, monkeypatch):
    text = (ROOT / "fixtures").glob("bad_*.py").__next__().read_text(encoding="utf-8")
    cut = check_text("x.py", text)
    monkeypatch.setattr(chunks, "CHUNK_LINES", 10**9)
    assert chunks.split(text) is None
    whole = check_text("x.py", text)
    assert whole, "the fixture has findings"
    assert [(f.code, f.line, f.column, f.message) for f in cut] == [(f.code, f.line, f.column, f.message) for f in whole]


def test_a_syntax_error_in_a_later_piece_is_reported_at_its_line(tiny_chunks):
    text = "a = 1\nb = 2\nc = 3\nd = 4\ne = 5\nf = (\n"
    findings = check_text("x.py", text)
    assert [f.code for f in findings] == ["TFG001"]
    assert findings[0].line == 6


def test_deep_nesting_in_the_last_piece_is_refused_at_its_line(tiny_chunks):
    text = "a = 1\nb = 2\nc = 3\nd = 4\nx = " + "(" * 300 + "1" + ")" * 300 + "\n"
    with pytest.raises(parsing.TooDeeplyNested) as caught:
        parsing.parse_module(text)
    assert caught.value.line == 5


def test_fix_writes_the_same_file_from_a_cut_parse(tmp_path, monkeypatch):
    from tflint_gesture.config import Settings
    from tflint_gesture.fix import fix_paths

    source = (ROOT / "fixtures" / "bad_asl_keras2_finetune_fit_generator.py").read_text(encoding="utf-8")
    results = []
    for chunk_lines in (10**9, 2):
        monkeypatch.setattr(chunks, "CHUNK_LINES", chunk_lines)
        assert (chunks.split(source) is not None) == (chunk_lines == 2)
        target = tmp_path / f"cut_{chunk_lines}" / "train.py"
        target.parent.mkdir()
        target.write_text(source, encoding="utf-8")
        fix_paths([str(target)], Settings(), unsafe=False, write=True, only=None)
        results.append(target.read_text(encoding="utf-8"))
    assert results[0] != source, "the fixture has safe fixes"
    assert results[1] == results[0]
