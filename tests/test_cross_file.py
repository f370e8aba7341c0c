"""Facts flow across the project's own modules; a single-file view stays silent or is corrected."""

from __future__ import annotations

from pathlib import Path

from tflint_gesture.engine import check_file, check_text
from tflint_gesture.facts import modules as modules_module

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _codes(findings):
    return {(Path(f.path).name, f.line, f.code) for f in findings}


def test_bug_visible_only_across_files():
    train = FIXTURES / "project_landmarks" / "train.py"
    alone = check_text("train.py", train.read_text())
    assert not [f for f in alone if f.code == "TFG101"], "read alone, the labels are unknown"
    across = check_file(train)
    hits = [f for f in across if f.code == "TFG101"]
    assert len(hits) == 1
    assert any(e.path.endswith("data.py") for e in hits[0].evidence), hits[0].evidence


def test_cross_file_fact_silences_a_single_file_false_alarm():
    train = FIXTURES / "project_imu_holdout" / "train.py"
    alone = check_text("train.py", train.read_text())
    assert [f.code for f in alone] == ["TFG301"], "alone, the evaluation in the helper is invisible"
    assert check_file(train) == []


def test_finding_located_in_the_imported_module():
    findings = check_file(FIXTURES / "project_sign_mnist" / "signs" / "train.py")
    assert [(Path(f.path).name, f.code) for f in findings] == [("model.py", "TFG203")]
    assert "25" in findings[0].message and "24" in findings[0].message


def test_import_cycle_and_broken_module_stay_unknown(tmp_path):
    (tmp_path / "a.py").write_text("from b import build\nNUM = 3\n")
    (tmp_path / "b.py").write_text("from a import NUM\ndef build(:\n")  # syntax error
    (tmp_path / "train.py").write_text(
        "from a import build, NUM\n"
        "from missing_module import load\n"
        "x, y = load()\n"
        "model = build(NUM)\n"
        "model.compile(loss='sparse_categorical_crossentropy')\n"
        "model.fit(x, y, validation_split=0.2)\n"
    )
    assert check_file(tmp_path / "train.py") == []


def test_relative_import_beyond_the_root_and_star_imports_are_harmless(tmp_path):
    (tmp_path / "train.py").write_text("from ...nowhere import x\nfrom model import *\n")
    (tmp_path / "model.py").write_text("import tensorflow as tf\n")
    assert check_file(tmp_path / "train.py") == []


def test_each_module_analysed_once(tmp_path, monkeypatch):
    (tmp_path / "shared.py").write_text("NUM_CLASSES = 4\n")
    for name in ("one.py", "two.py"):
        (tmp_path / name).write_text("import tensorflow as tf\nfrom shared import NUM_CLASSES\n")  # not pre-screened out
    calls = []
    real = modules_module.ModuleLoader._analyse

    def counting(self, path):
        calls.append(path)
        return real(self, path)

    monkeypatch.setattr(modules_module.ModuleLoader, "_analyse", counting)
    check_file(tmp_path / "one.py")
    check_file(tmp_path / "two.py")
    assert [p.name for p in calls] == ["shared.py"]


def test_an_edited_module_is_analysed_again(tmp_path):
    (tmp_path / "labels.py").write_text(
        "import numpy as np\nfrom tensorflow.keras.utils import to_categorical\n"
        "def load():\n    return np.random.rand(100, 4), np.random.randint(0, 3, size=(100,))\n"
    )
    train = tmp_path / "train.py"
    train.write_text(
        "from tensorflow import keras\nfrom labels import load\nx, y = load()\n"
        "model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation='softmax')])\n"
        "model.compile(loss='sparse_categorical_crossentropy')\n"
        "model.fit(x, y, validation_split=0.2)\n"
    )
    assert check_file(train) == []
    (tmp_path / "labels.py").write_text(
        "import numpy as np\nfrom tensorflow.keras.utils import to_categorical\n"
        "def load():\n    return np.random.rand(100, 4), to_categorical(np.random.randint(0, 3, size=(100,)), 3)\n"
        "# edited\n"
    )
    assert [f.code for f in check_file(train)] == ["TFG101"]


def test_noqa_in_the_imported_module_suppresses_its_finding(tmp_path):
    (tmp_path / "model.py").write_text(
        "from tensorflow import keras\n"
        "def build(n):\n"
        "    return keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(n, activation='softmax')])  # noqa: TFG203\n"
    )
    train = tmp_path / "train.py"
    train.write_text(
        "import numpy as np\nfrom tensorflow.keras.utils import to_categorical\nfrom model import build\n"
        "x = np.random.rand(100, 4)\ny = to_categorical(np.random.randint(0, 3, size=(100,)), 3)\n"
        "model = build(2)\nmodel.compile(loss='categorical_crossentropy')\nmodel.fit(x, y, validation_split=0.2)\n"
    )
    assert check_file(train) == []
    (tmp_path / "model.py").write_text((tmp_path / "model.py").read_text().replace("  # noqa: TFG203", ""))
    assert [(Path(f.path).name, f.code) for f in check_file(train)] == [("model.py", "TFG203")]


def test_findings_at_the_same_line_of_two_files_are_both_kept():
    """A check can place a finding in an imported module: line 5 of model.py and line 5 of train.py
    are different statements, so de-duplication keys on the file (and cell) too."""
    from tflint_gesture.engine import _dedupe, tool_finding

    here = tool_finding("TFG301", "train.py", "no validation", line=5, column=1)
    there = tool_finding("TFG301", "model.py", "no validation", line=5, column=1)
    again = tool_finding("TFG301", "train.py", "no validation", line=5, column=1)
    kept = _dedupe([here, there, again])
    assert [(f.path, f.line) for f in kept] == [("train.py", 5), ("model.py", 5)]
