"""The language server's pieces without a client: positions, diagnostics, actions, hover, the lint of
a snapshot (the same findings as the CLI's paths), the cancellable analysis process, the debouncer."""

from __future__ import annotations

import asyncio
import json
import os
import textwrap
import time

import pytest

pytest.importorskip("pygls")
from lsprotocol import types  # noqa: E402
from pygls.workspace.position_codec import PositionCodec  # noqa: E402

from tflint_gesture.engine import check_text  # noqa: E402
from tflint_gesture.findings import Evidence, Finding, Severity  # noqa: E402
from tflint_gesture.lsp import edits  # noqa: E402
from tflint_gesture.lsp.analysis import CellText, Snapshot, lint  # noqa: E402
from tflint_gesture.lsp.diagnostics import Lines, split_lines, to_diagnostic  # noqa: E402
from tflint_gesture.lsp.hover import covers, hover_markdown  # noqa: E402
from tflint_gesture.lsp.scheduling import Debouncer  # noqa: E402
from tflint_gesture.lsp.worker import AnalysisCrashed, AnalysisProcess  # noqa: E402

SCRIPT = textwrap.dedent("""\
    import numpy as np
    from tensorflow import keras

    x = np.random.rand(200, 63) / 255.0
    y = np.random.randint(0, 2, size=(200,))
    model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(lr=3e-4, epsilon=None), loss="binary_crossentropy")
    model.fit(x, y, epochs=3, validation_split=0.2)
    """)


def finding(line=1, column=1, end_line=1, end_column=1, code="TFG602", evidence=(), path="/p/t.py") -> Finding:
    return Finding(path=path, line=line, column=column, end_line=end_line, end_column=end_column, code=code,
                   name="legacy-lr", severity=Severity.ERROR, message="m", evidence=list(evidence))


# ---------------------------------------------------------------- positions and diagnostics
def test_lines_split_like_lsp_not_like_str_splitlines():
    text = "a\r\nb\x0cc\rd\n"
    assert [line.rstrip("\r\n") for line in split_lines(text)] == ["a", "b\x0cc", "d", ""]
    assert "\x0c" in split_lines(text)[1]  # a form feed does not end a line for LSP or libcst


def test_columns_become_utf16_units_and_back():
    lines = Lines('s = "😋"; opt = Adam(lr=1)\n', PositionCodec(types.PositionEncodingKind.Utf16))
    column = 'x = "😋"; opt = Adam('.index("(") + 2  # 1-based code points: the `l` of `lr`
    position = lines.position(1, column)
    assert position.character == column - 1 + 1  # the emoji is two UTF-16 units
    assert lines.from_position(position) == (1, column)
    utf32 = Lines('s = "😋"; x\n', PositionCodec(types.PositionEncodingKind.Utf32))
    assert utf32.position(1, 10).character == 9


def test_empty_region_is_widened_to_the_rest_of_the_line():
    lines = Lines("def f(:\n    pass\n")
    rng = lines.finding_range(finding(1, 7, 1, 7, code="TFG001"))
    assert (rng.start.character, rng.end.character) == (6, 7)
    at_end = lines.finding_range(finding(1, 8, 1, 8, code="TFG001"))
    assert at_end.start.character < at_end.end.character


def test_diagnostic_has_code_url_severity_and_evidence_locations(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shown = str(tmp_path / "train.py")
    f = finding(7, 47, 7, 56, evidence=[Evidence(path=shown, line=6, note="the head"),
                                        Evidence(path="model.py", line=3, note="built here")], path=shown)
    f.fix = "rename lr= to learning_rate="
    diagnostic = to_diagnostic(f, Lines(SCRIPT), shown, "file:///doc")
    assert diagnostic.code == "TFG602" and diagnostic.source == "tflint-gesture"
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.code_description.href.endswith("/rules/TFG602.md")
    assert diagnostic.message.splitlines() == ["m", "fix: rename lr= to learning_rate="]
    same, other = diagnostic.related_information
    assert same.location.uri == "file:///doc" and same.location.range.start.line == 5
    assert other.location.uri == (tmp_path / "model.py").as_uri() and other.message == "built here"


# ---------------------------------------------------------------- actions
def test_minimal_edit_replaces_only_the_changed_lines():
    old = "a\nb\nc\nd"
    edit = edits.minimal_edit(old, "a\nB\nc\nd", Lines(old))
    assert (edit.range.start.line, edit.range.end.line, edit.new_text) == (1, 2, "B\n")
    tail = edits.minimal_edit(old, "a\nb\nc\nD", Lines(old))
    assert (tail.range.start.line, tail.range.end.line, tail.range.end.character, tail.new_text) == (3, 3, 1, "D")
    assert edits.minimal_edit(old, old, Lines(old)) is None


def test_noqa_is_appended_or_joins_an_existing_list():
    assert edits.with_noqa("x = f(lr=1)", "TFG602") == "x = f(lr=1)  # noqa: TFG602"
    assert edits.with_noqa("x = f(lr=1)  # noqa: TFG101", "TFG602") == "x = f(lr=1)  # noqa: TFG101, TFG602"
    assert edits.with_noqa("x = f(1) + \\", "TFG602") is None


def test_noqa_edit_silences_exactly_that_finding():
    before = check_text("t.py", SCRIPT)
    target = next(f for f in before if f.code == "TFG602")
    edit = edits.noqa_edit(SCRIPT, target, Lines(SCRIPT))
    lines = SCRIPT.splitlines(keepends=True)
    lines[edit.range.start.line] = edit.new_text + "\n"
    after = check_text("t.py", "".join(lines))
    assert "TFG602" not in {f.code for f in after}
    assert {f.code for f in before} - {"TFG602"} == {f.code for f in after}


def test_fix_of_one_finding_leaves_the_other_fixes_alone(tmp_path):
    path = tmp_path / "t.py"
    path.write_text(SCRIPT, encoding="utf-8")
    snapshot = Snapshot(uri=path.as_uri(), version=1, path=path, text=SCRIPT)
    findings = lint(snapshot).findings
    fixable = [f for f in findings if f.fix_safety == "safe"]
    assert len(fixable) >= 2, [(f.code, f.fix_safety) for f in findings]  # lr= and epsilon=None
    one = fixable[0]
    fixed = edits.fixed_text(snapshot, None, one)
    remaining = lint(Snapshot(uri=snapshot.uri, version=2, path=path, text=fixed)).findings
    assert len([f for f in remaining if f.fix_safety == "safe"]) == len(fixable) - 1
    everything = edits.fixed_text(snapshot, None)
    assert not [f for f in lint(Snapshot(uri=snapshot.uri, version=3, path=path, text=everything)).findings
                if f.fix_safety == "safe"]


# ---------------------------------------------------------------- hover
def test_hover_covers_the_region_and_shows_the_page():
    f = finding(3, 5, 3, 9)
    assert covers(f, 3, 5) and covers(f, 3, 9) and not covers(f, 3, 10) and not covers(f, 2, 6)
    text = hover_markdown([f], 3, 6)
    assert text.startswith("**TFG602**") and "# TFG602" in text
    assert hover_markdown([f], 4, 1) is None


# ---------------------------------------------------------------- the lint of a snapshot
def test_notebook_snapshot_gets_the_findings_of_the_same_ipynb_on_disk(tmp_path):
    from tflint_gesture.engine import check_file

    sources = ["import numpy as np\nfrom tensorflow import keras\n%matplotlib inline\n",
               "# Notes\nnothing to lint",
               SCRIPT.split("\n", 2)[2]]
    kinds = ["code", "markdown", "code"]
    ipynb = tmp_path / "nb.ipynb"
    ipynb.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                 "cells": [{"cell_type": k, "metadata": {}, "source": s, **(
                                     {"outputs": [], "execution_count": None} if k == "code" else {})}
                                           for k, s in zip(kinds, sources)]}), encoding="utf-8")
    on_disk = check_file(ipynb, display_path=str(ipynb))
    snapshot = Snapshot(uri=ipynb.as_uri(), version=1, path=ipynb,
                        cells=tuple(CellText(uri=f"cell{i}", kind=k, text=s)
                                    for i, (k, s) in enumerate(zip(kinds, sources))))
    linted = lint(snapshot).findings
    assert on_disk, "the notebook must have findings for the comparison to mean something"
    assert [(f.code, f.cell, f.line, f.column) for f in linted] == [(f.code, f.cell, f.line, f.column) for f in on_disk]


def test_invalid_pyproject_is_a_config_error_not_a_lint(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.tflint-gesture]\nselect = ["NOPE"]\n', encoding="utf-8")
    path = tmp_path / "t.py"
    linted = lint(Snapshot(uri=path.as_uri(), version=1, path=path, text=SCRIPT))
    assert linted.findings == [] and "NOPE" in linted.config_error
    clean = lint(Snapshot(uri="untitled:Untitled-1", version=1, path=None, text=SCRIPT))
    assert clean.config_error is None and "TFG602" in {f.code for f in clean.findings}


# ---------------------------------------------------------------- the analysis process
def test_cancelling_a_run_kills_the_child_and_the_spare_answers_next():
    async def scenario():
        process = AnalysisProcess(time.sleep)
        try:
            process.start()
            slow = asyncio.ensure_future(process.run(60))
            await asyncio.sleep(1.0)
            killed = process._process
            slow.cancel()
            with pytest.raises(asyncio.CancelledError):
                await slow
            assert not killed.is_alive() and process.restarts == 1
            assert await asyncio.wait_for(process.run(0), 60) is None  # time.sleep(0) in the new child
            assert process._process.pid != killed.pid
        finally:
            process.close()

    asyncio.run(scenario())


def test_a_nearly_finished_analysis_is_left_to_end_and_its_answer_dropped():
    async def scenario():
        process = AnalysisProcess(eval, patience=30)  # eval: the job is an expression the child computes
        try:
            process.start()
            assert await asyncio.wait_for(process.run("'warm'"), 60) == "warm"
            pid = process._process.pid
            slow = asyncio.ensure_future(process.run("__import__('time').sleep(1.5) or 'stale'", expected=1.5))
            await asyncio.sleep(0.5)
            slow.cancel()
            with pytest.raises(asyncio.CancelledError):
                await slow
            assert (process.drained, process.restarts) == (1, 0)
            assert await asyncio.wait_for(process.run("'fresh'"), 60) == "fresh"  # not the stale answer
            assert process._process.pid == pid
        finally:
            process.close()

    asyncio.run(scenario())


def test_a_crashed_child_is_reported_and_replaced():
    async def scenario():
        process = AnalysisProcess(os._exit)
        try:
            with pytest.raises(AnalysisCrashed):
                await asyncio.wait_for(process.run(3), 60)
            assert process.restarts == 1
        finally:
            process.close()

    asyncio.run(scenario())


def test_debouncer_runs_only_the_newest_work():
    async def scenario():
        ran = []
        debouncer = Debouncer()

        def work(tag):
            async def run():
                ran.append(tag)
            return run

        debouncer.schedule("doc", 0.2, work("old"))
        debouncer.schedule("doc", 0.01, work("new"))
        debouncer.schedule("other", 0.01, work("other"))
        await asyncio.sleep(0.4)
        return ran, debouncer.cancelled

    ran, cancelled = asyncio.run(scenario())
    assert sorted(ran) == ["new", "other"] and cancelled == 1


def test_notebook_fix_goes_back_to_its_cell_but_never_onto_a_rewritten_magic_line(tmp_path):
    head = "import numpy as np\nfrom tensorflow import keras\n"
    body = SCRIPT.split("\n", 2)[2]
    path = tmp_path / "nb.ipynb"

    def snapshot(second: str) -> Snapshot:
        return Snapshot(uri=path.as_uri(), version=1, path=path,
                        cells=(CellText(uri="c1", kind="code", text=head), CellText(uri="c2", kind="code", text=second)))

    plain = snapshot(body)
    lr = next(f for f in lint(plain).findings if f.code == "TFG602")
    cell_edits = edits.notebook_fix(plain, None, PositionCodec(), lr)
    assert list(cell_edits) == ["c2"]
    (edit,) = cell_edits["c2"]
    assert edit.range.start.line == lr.line - 1 and "Adam(learning_rate=3e-4, epsilon=None)" in edit.new_text

    timed = snapshot(body.replace("model.compile(", "%time model.compile("))
    lr = next(f for f in lint(timed).findings if f.code == "TFG602")  # still found: %time runs the statement
    assert edits.notebook_fix(timed, None, PositionCodec(), lr) is None  # but that line is not Python as written
