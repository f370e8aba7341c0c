"""Notebooks (`.ipynb`) are linted like scripts, with findings placed in (cell, line inside the cell).

The notebooks here are real nbformat v4 files: written with nbformat and validated against its schema.
The fixture notebooks' expected findings are `# expect: TFGnnn` comments on code lines, read per cell
with nbformat (not with the reader under test); a fixture nbformat itself cannot read must produce
exactly one TFG001 and nothing else.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell  # noqa: E402

from tflint_gesture.config import Settings  # noqa: E402
from tflint_gesture.engine import check_file  # noqa: E402
from tflint_gesture.notebook import mask_cell, read_notebook  # noqa: E402
from tflint_gesture.runner import run  # noqa: E402

from helpers import run_cli  # noqa: E402

NOTEBOOK_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "notebooks"
_MARKER = re.compile(r"#\s*expect\s*:\s*(?P<codes>TFG\d{3}(?:\s*,\s*TFG\d{3})*)\s*$")
_MAGIC_START = re.compile(r"\s*(%|!|\?)")

PY_META = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}

IMPORTS = (
    "%matplotlib inline\n"
    "import numpy as np\n"
    "import tensorflow as tf\n"
    "from tensorflow.keras.utils import to_categorical"
)
LABELS = (
    "x = np.random.rand(600, 63).astype('float32')\n"
    "ids = np.random.randint(0, 6, size=600)\n"
    "y = to_categorical(ids, 6)"
)
MODEL = (
    "model = tf.keras.Sequential([\n"
    "    tf.keras.layers.Input(shape=(63,)),\n"
    "    tf.keras.layers.Dense(6, activation='softmax'),\n"
    "])"
)
SPARSE_COMPILE = "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')"
FIT = "model.fit(x, y, epochs=3, validation_split=0.2)"


def cells(*specs):
    """('md', text) / ('raw', text) / plain strings (code cells) -> nbformat cells."""
    out = []
    for spec in specs:
        if isinstance(spec, tuple):
            kind, text = spec
            out.append(new_markdown_cell(text) if kind == "md" else new_raw_cell(text))
        else:
            out.append(new_code_cell(spec))
    return out


def write_notebook(folder: Path, name: str, cell_list, metadata=None) -> Path:
    nb = new_notebook(cells=cell_list, metadata=PY_META if metadata is None else metadata)
    nbformat.validate(nb)
    path = folder / name
    nbformat.write(nb, str(path))
    return path


def keys(findings):
    return {(f.cell, f.line, f.code) for f in findings}


# --- the fixture notebooks -------------------------------------------------------------------------


def notebook_fixtures() -> list[Path]:
    return sorted(NOTEBOOK_FIXTURES.glob("*.ipynb"))


def nbformat_view(path: Path):
    """The notebook as nbformat reads and validates it, or None when nbformat rejects it."""
    try:
        nb = nbformat.read(str(path), as_version=4)
        nbformat.validate(nb)
    except Exception:  # noqa: BLE001 - nbformat raises several unrelated types for broken files
        return None
    return nb


def expected_from_markers(nb) -> set[tuple[int, int, str]]:
    expected = set()
    for index, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        for number, line in enumerate(cell.source.split("\n"), start=1):
            match = _MARKER.search(line)
            if match:
                for code in re.split(r"\s*,\s*", match.group("codes")):
                    expected.add((index, number, code))
    return expected


def test_notebook_fixtures_cover_the_kinds():
    views = {path: nbformat_view(path) for path in notebook_fixtures()}
    readable = {p: nb for p, nb in views.items() if nb is not None}
    assert any(nb is None for nb in views.values()), "no broken notebook fixture"
    assert any(expected_from_markers(nb) for nb in readable.values()), "no notebook fixture with findings"
    with_code = [nb for nb in readable.values() if any(c.cell_type == "code" for c in nb.cells)]
    assert any(not expected_from_markers(nb) for nb in with_code), "no clean notebook fixture with code"
    assert any(all(c.cell_type != "code" for c in nb.cells) for nb in readable.values()), "no notebook without code"
    magics = [line for nb in with_code for c in nb.cells if c.cell_type == "code" for line in c.source.split("\n")
              if _MAGIC_START.match(line)]
    assert any(line.startswith("%%") for line in magics) and any(line.lstrip().startswith("!") for line in magics)


@pytest.mark.parametrize("path", notebook_fixtures(), ids=lambda p: p.name)
def test_notebook_fixture_findings(path: Path):
    findings = check_file(path)
    nb = nbformat_view(path)
    if nb is None:
        assert [(f.code, f.cell) for f in findings] == [("TFG001", None)], findings
        return
    assert nb.nbformat == 4
    expected = expected_from_markers(nb)
    found = keys(findings)
    assert found == expected, (
        f"missing: {sorted(expected - found)}; unexpected: "
        f"{[(f.cell, f.line, f.code, f.message) for f in findings if (f.cell, f.line, f.code) in found - expected]}"
    )
    for f in findings:  # each finding's region is really inside its cell, on the code it names
        source = nb.cells[f.cell - 1].source.split("\n")
        assert 1 <= f.line <= f.end_line <= len(source)
        if f.line == f.end_line:
            assert source[f.line - 1][f.column - 1 : f.end_column - 1].strip()


def test_fixture_messages_cite_cells_not_module_lines():
    findings = check_file(NOTEBOOK_FIXTURES / "bad_finger_count_mnist_notebook.ipynb")
    assert findings
    for f in findings:
        for text in [f.message, f.fix or "", *(e.note for e in f.evidence)]:
            for match in re.finditer(r"\bline \d+\b", text):
                assert text[match.end() :].startswith(" of cell "), text
        for e in f.evidence:
            assert e.cell is not None


# --- placement --------------------------------------------------------------------------------------


def test_finding_in_cell_three_reports_cell_three_and_its_line(tmp_path):
    path = write_notebook(
        tmp_path,
        "nb.ipynb",
        cells(
            ("md", "# Landmark classifier"),
            IMPORTS,
            LABELS + "\n" + MODEL + "\n" + SPARSE_COMPILE + "\n" + FIT,
        ),
    )
    findings = check_file(path)
    assert keys(findings) == {(3, 8, "TFG101")}
    (finding,) = findings
    line = LABELS.split("\n") + MODEL.split("\n") + [SPARSE_COMPILE]
    assert line[finding.line - 1] == SPARSE_COMPILE
    assert SPARSE_COMPILE[finding.column - 1 : finding.end_column - 1] == "loss='sparse_categorical_crossentropy'"
    assert {(e.cell, e.line) for e in finding.evidence} == {(3, 3), (3, 9)}


def test_cell_index_counts_every_cell(tmp_path):
    """Markdown and raw cells count, as Jupyter numbers cells; the line inside the cell does not move."""
    base = cells(IMPORTS, LABELS, MODEL, SPARSE_COMPILE, FIT)
    plain = check_file(write_notebook(tmp_path, "a.ipynb", base))
    padded = check_file(write_notebook(tmp_path, "b.ipynb", [new_markdown_cell("# intro"), new_raw_cell("x"), *base]))
    assert keys(plain) == {(4, 1, "TFG101")}
    assert keys(padded) == {(6, 1, "TFG101")}
    assert {(e.cell, e.line) for e in padded[0].evidence} == {(4, 3), (7, 1)}


def test_findings_are_sorted_by_cell_then_line(tmp_path):
    path = write_notebook(
        tmp_path,
        "nb.ipynb",
        cells(IMPORTS, LABELS, MODEL + "\n" + SPARSE_COMPILE, "model.fit(x, y, epochs=3)"),
    )
    findings = check_file(path)
    assert [(f.cell, f.line, f.code) for f in findings] == [(3, 5, "TFG101"), (4, 1, "TFG301")]
    result = run([path], Settings(), cwd=tmp_path)
    assert [(f.cell, f.line) for f in result.findings] == [(3, 5), (4, 1)]


def test_identical_cells_keep_both_findings(tmp_path):
    """Two cells with the same code give findings at the same line and column inside their cells;
    the run's de-duplication must keep both (it once keyed on the line without the cell)."""
    train = SPARSE_COMPILE + "\n" + FIT
    path = write_notebook(tmp_path, "nb.ipynb", cells(IMPORTS, LABELS, MODEL, train, ("md", "again"), train))
    expected = {(4, 1, "TFG101"), (6, 1, "TFG101")}
    assert keys(check_file(path)) == expected  # the engine sees both
    result = run([path], Settings(), cwd=tmp_path)
    column = SPARSE_COMPILE.index("loss=") + 1
    assert [(f.cell, f.line, f.column, f.code) for f in result.findings] == [
        (4, 1, column, "TFG101"),
        (6, 1, column, "TFG101"),
    ]


# --- masking ----------------------------------------------------------------------------------------

MAGIC_CELL = (
    "!pip install -q tensorflow \\\n"
    "    scikit-learn\n"
    "%load_ext autoreload\n"
    "files = !ls data/*.npy\n"
    "result = %timeit -o sum(range(10))\n"
    "np.random.rand?\n"
    "??np.eye\n"
    "for name in files:\n"
    "    !echo {name}\n"
    "if files:\n"
    "    %env SEED=1\n"
    "text = '''\n"
    "%d items\n"
    "!not a command inside a string\n"
    "'''\n"
    "ok = print('why?')\n"
    "total = (1 +\n"
    "         2)"
)


def test_magics_are_masked_without_shifting_lines():
    masked, shifts = mask_cell(MAGIC_CELL)
    original = MAGIC_CELL.split("\n")
    assert len(masked) == len(original)
    assert shifts == {}
    ast.parse("\n".join(masked))  # valid Python, indentation kept
    untouched = {8, 10, 12, 13, 14, 15, 16, 17, 18}  # 1-based: plain code, and lines inside a string
    for number, (before, after) in enumerate(zip(original, masked), start=1):
        if number in untouched:
            assert after == before, number
        else:
            assert not _MAGIC_START.match(after) and after.strip() in ("", "pass") or "=" in after, (number, after)
    assert masked[8] == "    pass" and masked[10] == "    pass"  # indented magics keep the block
    assert masked[3].startswith("files = ") and "!" not in masked[3]  # the name is rebound, to unknown
    assert masked[1] == ""  # continuation line of the masked `!pip`


def test_time_magic_is_unwrapped_and_columns_map_back(tmp_path):
    cell = "%time model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')"
    masked, shifts = mask_cell(cell)
    assert masked == ["model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')"]
    assert shifts == {1: len("%time ")}
    findings = check_file(write_notebook(tmp_path, "nb.ipynb", cells(IMPORTS, LABELS, MODEL, cell, FIT)))
    (finding,) = findings
    assert (finding.cell, finding.line) == (4, 1)
    assert cell[finding.column - 1 : finding.end_column - 1] == "loss='sparse_categorical_crossentropy'"


def test_cell_magics(tmp_path):
    """`%%time` runs its body as Python (analysed); `%%writefile`/`%%bash` cells are not Python here."""
    timed = check_file(write_notebook(tmp_path, "t.ipynb", cells(IMPORTS, LABELS, MODEL, "%%time\n" + SPARSE_COMPILE, FIT)))
    assert keys(timed) == {(4, 2, "TFG101")}
    for magic in ("%%writefile train_step.py", "%%bash", "%%timeit"):
        quiet = write_notebook(tmp_path, "q.ipynb", cells(IMPORTS, LABELS, MODEL, magic + "\n" + SPARSE_COMPILE, FIT))
        assert check_file(quiet) == [], magic


def test_time_cell_scaling_is_seen(tmp_path):
    """Masking a `%%time` body would lose the scaling inside it and report raw pixels falsely."""
    load = "(x_train, y_train), _ = tf.keras.datasets.mnist.load_data()"
    model = (
        "model = tf.keras.Sequential([tf.keras.layers.Flatten(input_shape=(28, 28)),\n"
        "                             tf.keras.layers.Dense(10, activation='softmax')])\n"
        "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n"
        "model.fit(x_train, y_train, epochs=2, validation_split=0.1)"
    )
    scaled = write_notebook(tmp_path, "s.ipynb", cells(IMPORTS, load, "%%time\nx_train = x_train / 255.0", model))
    assert check_file(scaled) == []
    unscaled = write_notebook(tmp_path, "u.ipynb", cells(IMPORTS, load, "%%bash\necho x_train = x_train / 255.0", model))
    assert {f.code for f in check_file(unscaled)} == {"TFG401"}


def test_shell_assignment_forgets_the_old_value(tmp_path):
    known = check_file(write_notebook(tmp_path, "a.ipynb", cells(IMPORTS, LABELS, MODEL, SPARSE_COMPILE, FIT)))
    assert {f.code for f in known} == {"TFG101"}
    forgotten = write_notebook(tmp_path, "b.ipynb", cells(IMPORTS, LABELS, "y = !cat labels.txt", MODEL, SPARSE_COMPILE, FIT))
    assert check_file(forgotten) == []


def test_automagic_one_line_cell():
    assert mask_cell("pip install -q mediapipe") == ([""], {})
    assert mask_cell("time = 5") == (["time = 5"], {})  # IPython keeps an assignment as Python
    assert mask_cell("pip install x\ny = 1") == (["pip install x", "y = 1"], {})  # not automagic: a syntax error


def test_python_syntax_error_in_a_cell_is_tfg001_at_that_cell(tmp_path):
    path = write_notebook(tmp_path, "nb.ipynb", cells(IMPORTS, ("md", "text"), "x = 1\nmodel.fit(x,, y)\n"))
    findings = check_file(path)
    assert [(f.code, f.cell, f.line) for f in findings] == [("TFG001", 3, 2)]


def test_a_broken_cell_does_not_hide_the_other_cells(tmp_path):
    """Jupyter runs the other cells of a notebook with one bad cell: they are still checked."""
    py2 = "print 'labels ready'"
    path = write_notebook(tmp_path, "nb.ipynb", cells(IMPORTS, LABELS, py2, MODEL, SPARSE_COMPILE, FIT))
    findings = check_file(path)
    assert [(f.code, f.cell, f.line) for f in findings] == [("TFG001", 3, 1), ("TFG101", 5, 1)]
    assert "this cell was not checked" in findings[0].message
    assert str(findings[0].severity.value) == "error"
    ignored = Settings(ignore=["TFG001"])
    assert [(f.code, f.cell) for f in check_file(path, ignored)] == [("TFG101", 5)]
    result = run([path], Settings(), cwd=tmp_path)
    assert [(f.code, f.cell) for f in result.findings] == [("TFG001", 3), ("TFG101", 5)]


def test_a_broken_cell_defines_nothing(tmp_path):
    """The labels are one-hot only in a cell that cannot run: the compile is judged without them."""
    relabel = "y = to_categorical(ids, 6)\nprint 'one-hot'"
    plain = LABELS.replace("y = to_categorical(ids, 6)", "y = ids")
    path = write_notebook(tmp_path, "nb.ipynb", cells(IMPORTS, plain, relabel, MODEL, SPARSE_COMPILE, FIT))
    assert [(f.code, f.cell, f.line) for f in check_file(path)] == [("TFG001", 3, 2)]
    runs = write_notebook(tmp_path, "ok.ipynb", cells(IMPORTS, plain, relabel.replace("print 'one-hot'", "print('one-hot')"),
                                                      MODEL, SPARSE_COMPILE, FIT))
    assert keys(check_file(runs)) == {(5, 1, "TFG101")}


@pytest.mark.parametrize(
    "cell",
    [
        "    " + SPARSE_COMPILE,  # pasted from a function body
        "\t" + SPARSE_COMPILE,
        "\n  %time " + SPARSE_COMPILE,  # leading blank line, then an indented magic
        "    model.compile(optimizer='adam',\n  loss='sparse_categorical_crossentropy')",  # IPython 7-8: first line's indent
    ],
    ids=["spaces", "tab", "time magic", "first line deeper"],
)
def test_cell_indented_as_a_whole_is_dedented_like_ipython(tmp_path, cell):
    """IPython's leading-indent transform runs such a cell; findings keep the cell's own columns."""
    path = write_notebook(tmp_path, "nb.ipynb", cells(IMPORTS, LABELS, MODEL, cell, FIT))
    (finding,) = check_file(path)
    assert (finding.code, finding.cell) == ("TFG101", 4)
    line = cell.split("\n")[finding.line - 1]
    assert line[finding.column - 1 : finding.end_column - 1].startswith("loss='sparse_categorical_crossentropy'")


@pytest.mark.parametrize(
    "cell, line",
    [("x = 1\n    y = 2", 2), ("  x = 1\ny = 2\n    z = 3", 1), ("    x = 1\n  y = 2", 1)],
    ids=["indented second line", "deeper third line", "neither ipython dedent works"],
)
def test_indentation_no_ipython_accepts_is_tfg001(tmp_path, cell, line):
    """Where neither IPython dedent compiles, the error is the one current IPython (9) would raise."""
    path = write_notebook(tmp_path, "nb.ipynb", cells(IMPORTS, LABELS, MODEL, SPARSE_COMPILE, cell, FIT))
    findings = check_file(path)
    assert [(f.code, f.cell, f.line) for f in findings] == [("TFG101", 4, 1), ("TFG001", 5, line)]


# --- suppressions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "compile_cell",
    [
        SPARSE_COMPILE + "  # noqa: TFG101",
        SPARSE_COMPILE + "  # noqa",
        "# tflint-gesture: disable=TFG101\n" + SPARSE_COMPILE,
        "%matplotlib inline\n# tflint-gesture: disable=TFG1\n" + SPARSE_COMPILE.replace(", ", ",\n    "),
    ],
)
def test_suppression_comments_work_inside_cells(tmp_path, compile_cell):
    path = write_notebook(tmp_path, "nb.ipynb", cells(IMPORTS, LABELS, MODEL, compile_cell, FIT))
    assert check_file(path) == []
    control = write_notebook(tmp_path, "c.ipynb", cells(IMPORTS, LABELS, MODEL, compile_cell.replace("noqa", "note").replace("disable", "mention"), FIT))
    assert {f.code for f in check_file(control)} == {"TFG101"}


def test_file_wide_directive_at_the_top_of_the_first_code_cell(tmp_path):
    first = "# tflint-gesture: disable=TFG101\n" + IMPORTS
    path = write_notebook(tmp_path, "nb.ipynb", cells(("md", "# title"), first, LABELS, MODEL, SPARSE_COMPILE, FIT))
    assert check_file(path) == []


# --- broken and empty notebooks ---------------------------------------------------------------------

BROKEN = {
    "truncated.ipynb": b'{"cells": [{"cell_type": "code", "source": "import numpy',
    "list.ipynb": b"[1, 2, 3]",
    "no_version.ipynb": b'{"cells": []}',
    "no_cells.ipynb": b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}',
    "bad_cell.ipynb": b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [42]}',
    "bad_source.ipynb": b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": 7}]}',
    "ancient.ipynb": b'{"nbformat": 2, "worksheets": []}',
    "latin1.ipynb": '{"nbformat": 4, "cells": [], "metadata": {"title": "Gebärden"}}'.encode("latin-1"),
    "deep.ipynb": b"[" * 100_000 + b"]" * 100_000,
    "binary.ipynb": bytes(range(256)),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_notebook_is_one_tfg001(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(BROKEN[name])
    findings = check_file(path)
    assert [(f.code, f.cell) for f in findings] == [("TFG001", None)]
    assert "nothing in it was checked" in findings[0].message


def test_invalid_json_points_at_the_json_error(tmp_path):
    path = tmp_path / "nb.ipynb"
    bad_line = '    {"cell_type": "code" "source": ""}'  # a missing comma
    path.write_text('{\n  "nbformat": 4,\n  "cells": [\n' + bad_line + '\n  ]\n}\n')
    (finding,) = check_file(path)
    assert (finding.code, finding.cell, finding.line) == ("TFG001", None, 4)
    assert finding.column == bad_line.index('"source"') + 1


def test_broken_notebook_does_not_stop_the_run(tmp_path):
    (tmp_path / "broken.ipynb").write_bytes(BROKEN["truncated.ipynb"])
    write_notebook(tmp_path, "good.ipynb", cells(IMPORTS, LABELS, MODEL, SPARSE_COMPILE, FIT))
    (tmp_path / "script.py").write_text("\n".join([IMPORTS.split("\n", 1)[1], LABELS, MODEL, SPARSE_COMPILE, FIT]) + "\n")
    result = run([tmp_path], Settings(), cwd=tmp_path)
    assert result.errors == []
    assert result.files_checked == 3
    assert sorted((f.path, f.code, f.cell) for f in result.findings) == [
        ("broken.ipynb", "TFG001", None),
        ("good.ipynb", "TFG101", 4),
        ("script.py", "TFG101", None),
    ]


@pytest.mark.parametrize(
    "cell_list",
    [[], cells(("md", "# notes")), cells(("md", "# notes"), ("raw", "model.fit(x,, y)")), cells("", "   \n")],
    ids=["no cells", "markdown", "markdown and raw", "empty code cells"],
)
def test_notebook_without_code_has_no_findings(tmp_path, cell_list):
    assert check_file(write_notebook(tmp_path, "nb.ipynb", cell_list)) == []


def test_other_language_notebook_is_skipped(tmp_path):
    r_meta = {"kernelspec": {"display_name": "R", "language": "R", "name": "ir"}, "language_info": {"name": "R"}}
    path = write_notebook(tmp_path, "r.ipynb", cells("library(keras)\nmodel %>% fit(x, y, epochs = 5)"), metadata=r_meta)
    assert check_file(path) == []


def test_nbformat_3_notebook(tmp_path):
    """Old notebooks (worksheets, `input`) are read too, with the cell numbers Jupyter gives them."""
    nb4 = new_notebook(cells=cells(("md", "# t"), IMPORTS, LABELS, MODEL, SPARSE_COMPILE, FIT), metadata=PY_META)
    nb3 = nbformat.convert(nb4, 3)
    path = tmp_path / "old.ipynb"
    path.write_text(nbformat.writes(nb3, version=3))
    assert json.loads(path.read_text())["nbformat"] == 3
    assert keys(check_file(path)) == {(5, 1, "TFG101")}
    kinds = [c.kind for c in read_notebook(path.read_bytes()).cells]
    assert len(kinds) == 6 and kinds[1:] == ["code"] * 5


# --- discovery and output ---------------------------------------------------------------------------


def test_folders_pick_up_notebooks_but_not_jupyter_checkpoints(tmp_path):
    buggy = cells(IMPORTS, LABELS, MODEL, SPARSE_COMPILE, FIT)
    write_notebook(tmp_path, "nb.ipynb", buggy)
    (tmp_path / ".ipynb_checkpoints").mkdir()
    write_notebook(tmp_path / ".ipynb_checkpoints", "nb-checkpoint.ipynb", buggy)
    (tmp_path / "train.py").write_text("x = 1\n")
    result = run([tmp_path], Settings(), cwd=tmp_path)
    assert result.files_checked == 2 and result.errors == []
    assert [(f.path, f.code) for f in result.findings] == [("nb.ipynb", "TFG101")]


def test_cli_text_output(tmp_path):
    write_notebook(tmp_path, "nb.ipynb", cells(("md", "# title"), IMPORTS, LABELS + "\n" + MODEL + "\n" + SPARSE_COMPILE, FIT))
    proc = run_cli("nb.ipynb", "--no-color", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("nb.ipynb:cell 3:line 8: TFG101 [error] labels `y` (one-hot encoded by to_categorical, "
                               "line 3 of cell 3) are one-hot")
    assert lines[1] == "    nb.ipynb:cell 3:line 3: labels: one-hot encoded by to_categorical"
    assert lines[2] == "    nb.ipynb:cell 4:line 1: trained here"
    assert lines[-1] == "1 finding in 1 file"


def test_cli_json_output(tmp_path):
    write_notebook(tmp_path, "nb.ipynb", cells(("md", "# title"), IMPORTS, LABELS + "\n" + MODEL + "\n" + SPARSE_COMPILE, FIT))
    (tmp_path / "script.py").write_text("\n".join([IMPORTS.split("\n", 1)[1], LABELS, MODEL, SPARSE_COMPILE, FIT]) + "\n")
    proc = run_cli(".", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    by_path = {f["path"]: f for f in findings}
    notebook, script = by_path["nb.ipynb"], by_path["script.py"]
    assert (notebook["cell"], notebook["line"], notebook["end_line"]) == (3, 8, 8)
    assert notebook["evidence"] == [
        {"path": "nb.ipynb", "cell": 3, "line": 3, "note": "labels: one-hot encoded by to_categorical"},
        {"path": "nb.ipynb", "cell": 4, "line": 1, "note": "trained here"},
    ]
    assert script["cell"] is None and all(e["cell"] is None for e in script["evidence"])
    assert list(notebook) == list(script)  # the same keys in the same order for scripts and notebooks


def test_sarif_region_is_the_line_in_the_ipynb_file(tmp_path):
    """Code scanning shows the .ipynb as JSON: the region is the physical line of the source line in the
    file, and the message says which cell and line it is."""
    path = write_notebook(tmp_path, "nb.ipynb", cells(("md", "# title"), IMPORTS, LABELS + "\n" + MODEL + "\n" + SPARSE_COMPILE, FIT))
    proc = run_cli(path.name, "--format", "sarif", cwd=tmp_path)
    (result,) = json.loads(proc.stdout)["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert result["message"]["text"].startswith("cell 3, line 8: ")
    physical = path.read_text(encoding="utf-8").splitlines()[region["startLine"] - 1]
    assert json.loads(physical.strip().rstrip(",")) == SPARSE_COMPILE  # the last line of the cell: no "\\n"
    assert result["properties"]["cell"] == 3


# --- a script split into cells finds exactly what the script finds ----------------------------------

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = sorted((REPO / "fixtures").glob("*.py")) + sorted((REPO / "tests" / "corpus" / "keras_examples").glob("*.py"))


def script_as_notebook(text: str):
    """The script cut at top-level statements into code cells (two statements each), with a markdown
    cell before every code cell and a magics cell first; returns the notebook and, per cell index, the
    script line of the cell's first line (None for cells that are not script code)."""
    tree = ast.parse(text)
    starts = sorted({min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) for node in tree.body})
    starts = [1] + [s for s in starts[2::2] if s > 1]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    nb_cells = [new_code_cell("%matplotlib inline\n!pip install -q tensorflow \\\n    scikit-learn\n%load_ext autoreload")]
    first_line: dict[int, int] = {}
    for number, (start, end) in enumerate(zip(starts, starts[1:] + [len(lines) + 1])):
        nb_cells.append(new_markdown_cell(f"Step {number}"))
        nb_cells.append(new_code_cell("\n".join(lines[start - 1 : end - 1])))
        first_line[len(nb_cells)] = start
    return new_notebook(cells=nb_cells, metadata=PY_META), first_line


def back_to_script(findings, first_line):
    def line_of(cell, line):
        return first_line[cell] + line - 1

    def cite(text):
        return re.sub(r"\bline (\d+) of cell (\d+)\b", lambda m: f"line {line_of(int(m.group(2)), int(m.group(1)))}", text or "")

    out = set()
    for f in findings:
        evidence = tuple((e.path, line_of(e.cell, e.line), cite(e.note)) for e in f.evidence)
        out.add((f.code, line_of(f.cell, f.line), f.column, line_of(f.cell, f.end_line), f.end_column, cite(f.message),
                 cite(f.fix), evidence))
    return out


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_script_as_notebook_finds_the_same(tmp_path, script):
    text = script.read_text(encoding="utf-8")
    nb, first_line = script_as_notebook(text)
    nbformat.validate(nb)
    (tmp_path / script.name).write_text(text, encoding="utf-8")
    path = tmp_path / (script.stem + ".ipynb")
    nbformat.write(nb, str(path))
    expected = {
        (f.code, f.line, f.column, f.end_line, f.end_column, f.message, f.fix or "",
         tuple((e.path.replace(".py", ".ipynb"), e.line, e.note) for e in f.evidence))
        for f in check_file(tmp_path / script.name)
    }
    notebook_findings = check_file(path)
    assert all(f.cell in first_line for f in notebook_findings)
    assert back_to_script(notebook_findings, first_line) == expected


def test_a_statement_left_open_across_cells_is_a_syntax_error_in_each_cell(tmp_path):
    """Jupyter compiles each cell alone and rejects both halves, so the `fit` never runs."""
    path = write_notebook(tmp_path, "nb.ipynb", cells(IMPORTS, LABELS, MODEL + "\n" + SPARSE_COMPILE.replace("sparse_", ""),
                                                     "model.fit(x, y,", ("md", "between"), "          epochs=3)"))
    findings = check_file(path)
    assert [(f.code, f.cell, f.line) for f in findings] == [("TFG001", 4, 1), ("TFG001", 6, 1)]


def test_notebook_follows_imports_of_project_modules(tmp_path):
    """Evidence found in an imported project module keeps that file's path and line, without a cell."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'gestures'\n")
    (tmp_path / "data.py").write_text(
        "import numpy as np\n"
        "from tensorflow.keras.utils import to_categorical\n"
        "\n"
        "\n"
        "def load():\n"
        "    x = np.random.rand(600, 63).astype('float32')\n"
        "    y = to_categorical(np.random.randint(0, 6, size=600), 6)\n"
        "    return x, y\n"
    )
    path = write_notebook(tmp_path, "nb.ipynb", cells(IMPORTS + "\nfrom data import load", "x, y = load()", MODEL, SPARSE_COMPILE, FIT))
    findings = check_file(path)
    assert [(f.path, f.code, f.cell, f.line) for f in findings] == [(str(path), "TFG101", 4, 1)]
    assert {(Path(e.path).name, e.cell, e.line) for e in findings[0].evidence} >= {("data.py", None, 7), (path.name, 5, 1)}
    assert "line 7 of data.py" in findings[0].message  # the imported file's own line, not rewritten to a cell
