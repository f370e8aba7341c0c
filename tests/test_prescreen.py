"""The pre-screen (screen.py): files that are not TensorFlow/Keras code are not analysed, and
nothing that was reported before is lost (TFG001, TFG002, findings through project modules)."""

from __future__ import annotations

from pathlib import Path

from helpers import run_cli

from tflint_gesture import engine
from tflint_gesture.cache import Cache
from tflint_gesture.config import Settings
from tflint_gesture.facts.modules import imported_names
from tflint_gesture.findings import Skipped
from tflint_gesture.runner import run

SOFTMAX_ONE = "model = keras.Sequential([keras.layers.Dense(1, activation='softmax')])\n"


def write(root: Path, files: dict[str, str]) -> None:
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n")  # the project root for imports
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def outcome(root: Path, cache: Cache | None = None):
    result = run([root], Settings(), cwd=root, cache=cache)
    return {(f.path, f.code) for f in result.findings}, sorted(path for path, _ in result.skipped), result


def test_plain_python_is_skipped_and_nothing_reported_before_is_lost(tmp_path):
    write(tmp_path, {
        "util.py": "import os\n\ndef fit(model):\n    return model.fit(os.environ)\n",
        "broken.py": "def f(:\n    pass\n",  # no framework, but a syntax error: still TFG001
        "torch_train.py": "import torch\nx = torch.zeros(3)\n",  # still TFG002
        "train.py": "from tensorflow import keras\n" + SOFTMAX_ONE,
        "comment_only.py": "# ported from keras\nx = 1\n",  # the word is enough: analysed
    })
    found, skipped, result = outcome(tmp_path)
    assert found == {("broken.py", "TFG001"), ("torch_train.py", "TFG002"), ("train.py", "TFG201")}
    assert skipped == ["util.py"]
    assert result.files_checked == 5


def test_a_script_that_gets_keras_through_project_modules_is_analysed(tmp_path):
    write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/nets.py": "from tensorflow import keras\n",
        "pkg/build.py": "from .nets import keras\n",  # relative, two levels from the script
        "train.py": "from pkg.build import keras\n" + SOFTMAX_ONE,
        "cycle_a.py": "import cycle_b\n",
        "cycle_b.py": "import cycle_a\nimport json\n",  # a cycle without any framework
        "uses_cycle.py": "try: import cycle_a\nexcept ImportError: pass\n",
    })
    found, skipped, _ = outcome(tmp_path)
    assert ("train.py", "TFG201") in found
    assert "train.py" not in skipped and "pkg/build.py" not in skipped
    assert {"cycle_a.py", "cycle_b.py", "uses_cycle.py", "pkg/__init__.py"} <= set(skipped)


def test_a_skipped_file_is_analysed_again_once_its_module_imports_keras(tmp_path):
    write(tmp_path, {
        "helpers.py": "import json\n\ndef build():\n    return json\n",
        "train.py": "from helpers import build\nmodel = build()\nmodel.compile(loss='mse')\nmodel.fit(x, y)\n",
    })
    found, skipped, _ = outcome(tmp_path, Cache(tmp_path / ".cache", "salt"))
    assert skipped == ["helpers.py", "train.py"] and not found
    found, skipped, _ = outcome(tmp_path, Cache(tmp_path / ".cache", "salt"))  # warm: still skipped
    assert skipped == ["helpers.py", "train.py"]
    (tmp_path / "helpers.py").write_text(
        "from tensorflow import keras\n\ndef build():\n    return keras.Sequential([keras.layers.Dense(1, "
        "activation='softmax')])\n")
    warm = Cache(tmp_path / ".cache", "salt")
    found, skipped, result = outcome(tmp_path, warm)
    assert skipped == [] and warm.misses == 2  # train.py too: its verdict depended on helpers.py
    assert any(code == "TFG201" for _, code in found), found


def test_a_skipped_file_is_never_parsed(tmp_path, monkeypatch):
    def refuse(text):
        raise AssertionError("a skipped file was parsed")

    monkeypatch.setattr(engine, "parse_module", refuse)
    path = tmp_path / "plot.py"
    path.write_text("import matplotlib.pyplot as plt\nplt.plot([1, 2])\n")
    result = engine.check_file(path, Settings())
    assert isinstance(result, Skipped) and result == [] and "TensorFlow" in result.reason


def test_import_statements_are_read_in_their_usual_spellings():
    names = imported_names("import os, model.sub as m\nfrom . import a, b as c\nfrom .x import (y,\n  z)\n"
                           "x = 1; import q\ntry: import data\nexcept ImportError: pass\n")
    assert names == [(0, "os"), (0, "model.sub"), (1, ""), (1, "a"), (1, "b"), (1, "x"), (1, "x.y"),
                     (1, "x.z"), (0, "q"), (0, "data")]


def test_verbose_lists_the_skipped_files(tmp_path):
    write(tmp_path, {"util.py": "import os\n", "train.py": "from tensorflow import keras\n" + SOFTMAX_ONE})
    proc = run_cli("--no-cache", "-v", ".", cwd=tmp_path)
    assert proc.returncode == 1
    assert "skipped util.py: imports neither TensorFlow, Keras nor PyTorch" in proc.stderr
    assert "2 files: 1 analysed, 1 skipped as not TensorFlow/Keras code" in proc.stderr
    quiet = run_cli("--no-cache", ".", cwd=tmp_path)
    assert "skipped" not in quiet.stderr and quiet.stdout == proc.stdout
