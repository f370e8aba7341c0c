"""`--fix` on notebooks: cell-aware edits, outputs and formatting untouched, no write when nothing changes.

Notebooks are written with nbformat (its real layout), with a magic, outputs and a markdown cell, and
fixed through the real CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

nbformat = pytest.importorskip("nbformat")
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output  # noqa: E402

from tflint_gesture.notebook_fix import NotFixable, rewrite_sources  # noqa: E402

META = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}}
SETUP = "%matplotlib inline\nimport numpy as np\nfrom tensorflow import keras\n"
DATA = "x = np.random.rand(500, 63)\ny = np.random.randint(0, 5, size=(500,))\n"
MODEL = ("model = keras.Sequential([\n    keras.Input(shape=(63,)),\n    keras.layers.Dense(64, activation=\"relu\"),\n"
         "    keras.layers.Dense(5, activation=\"softmax\"),\n])")
COMPILE = "!nvidia-smi\nmodel.compile(optimizer=keras.optimizers.Adam(lr=0.01), loss=\"sparse_categorical_crossentropy\")"
FIT = "history = model.fit(x, y, epochs=20, validation_split=0.2)"


def write(folder: Path, compile_cell: str = COMPILE) -> Path:
    cells = [new_markdown_cell("# Hand poses"), new_code_cell(SETUP), new_code_cell(DATA), new_code_cell(MODEL),
             new_code_cell(compile_cell), new_code_cell(FIT, execution_count=5,
                                                        outputs=[new_output("stream", name="stdout", text="Epoch 1/20\n")])]
    path = folder / "train.ipynb"
    nbformat.write(new_notebook(cells=cells, metadata=META), str(path))
    return path


def test_the_notebook_has_a_fixable_finding_in_the_compile_cell(tmp_path):
    write(tmp_path)
    report = json.loads(run_cli("train.ipynb", "--no-cache", "--format", "json", cwd=tmp_path).stdout)
    assert [(f["code"], f["cell"], f["line"]) for f in report["findings"]] == [("TFG602", 5, 2)]


def test_fix_edits_only_the_cell_source(tmp_path):
    path = write(tmp_path)
    before = json.loads(path.read_text())
    raw_before = path.read_text()
    result = run_cli("train.ipynb", "--no-cache", "--fix", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Fixed 1 finding in 1 file" in result.stderr
    after = json.loads(path.read_text())
    fixed_cell = "".join(after["cells"][4]["source"])
    assert fixed_cell == COMPILE.replace("lr=", "learning_rate=")  # the shell line kept as it was
    for index, cell in enumerate(after["cells"]):
        if index != 4:
            assert cell == before["cells"][index]  # outputs, ids, metadata untouched
    assert after["metadata"] == before["metadata"]
    changed = [(a, b) for a, b in zip(raw_before.splitlines(), path.read_text().splitlines()) if a != b]
    assert len(changed) == 1 and "learning_rate=0.01" in changed[0][1]  # one physical line of the file
    again = run_cli("train.ipynb", "--no-cache", cwd=tmp_path)
    assert again.returncode == 0, again.stdout


def test_nothing_to_fix_leaves_the_file_byte_identical(tmp_path):
    path = write(tmp_path, COMPILE.replace("lr=", "learning_rate="))
    data = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    result = run_cli("train.ipynb", "--no-cache", "--fix", cwd=tmp_path)
    assert result.returncode == 0 and "Fixed 0 findings" in result.stderr
    assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime


def test_diff_shows_the_json_line_and_writes_nothing(tmp_path):
    path = write(tmp_path)
    data = path.read_bytes()
    result = run_cli("train.ipynb", "--no-cache", "--diff", cwd=tmp_path)
    assert result.returncode == 1
    assert "-    \"model.compile(optimizer=keras.optimizers.Adam(lr=0.01)" in result.stdout
    assert path.read_bytes() == data


def test_minified_notebook_is_not_reformatted(tmp_path):
    path = write(tmp_path)
    path.write_text(json.dumps(json.loads(path.read_text())))
    data = path.read_bytes()
    result = run_cli("train.ipynb", "--no-cache", "--fix", cwd=tmp_path)
    assert "not fixed: its JSON layout is not nbformat's" in result.stderr
    assert path.read_bytes() == data


def test_rewrite_sources_refuses_a_source_written_as_one_string():
    raw = json.dumps({"cells": [{"cell_type": "code", "source": "x = 1\n"}]}, indent=1)
    with pytest.raises(NotFixable):
        rewrite_sources(raw, {1: "x = 2\n"})


def test_add_noqa_writes_into_the_cells_and_nothing_else(tmp_path):
    path = write(tmp_path)
    before = json.loads(path.read_text())
    result = run_cli("train.ipynb", "--no-cache", "--add-noqa", cwd=tmp_path)
    assert result.returncode == 0 and "added 1 noqa code to 1 file" in result.stderr, result.stderr
    after = json.loads(path.read_text())
    assert "".join(after["cells"][4]["source"]) == COMPILE + "  # noqa: TFG602"
    assert [c for i, c in enumerate(after["cells"]) if i != 4] == [c for i, c in enumerate(before["cells"]) if i != 4]
    assert run_cli("train.ipynb", "--no-cache", cwd=tmp_path).returncode == 0

