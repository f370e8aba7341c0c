"""The result cache: an unchanged file is not analysed again, and anything that could change its
findings (its bytes, the configuration, the tool, a project module it imports) is a miss."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from helpers import REPO_ROOT

import tflint_gesture
from tflint_gesture import engine
from tflint_gesture.cache import CACHE_DIR_NAME, Cache, compute_salt
from tflint_gesture.config import load_settings
from tflint_gesture.runner import run

BUGGY = REPO_ROOT / "fixtures" / "bad_landmarks_sparse_loss_onehot.py"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """Two scripts (one with a finding) in a folder that is the cwd."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(BUGGY, tmp_path / "train.py")
    (tmp_path / "clean.py").write_text("import math\n\nprint(math.pi)\n")
    return tmp_path


@pytest.fixture
def analysed(monkeypatch):
    """Counts the files the engine really analyses (cache hits never reach it)."""
    seen: list[str] = []
    real = engine.check_file

    def counting(path, settings=None, display_path=None):
        seen.append(display_path)
        return real(path, settings, display_path=display_path)

    monkeypatch.setattr(engine, "check_file", counting)
    return seen


def lint(folder: Path, cache_dir: Path, **settings_args):
    settings = load_settings(["."], **settings_args)
    cache = Cache.for_settings(cache_dir, settings)
    result = run(["."], settings, cache=cache)
    assert not result.errors, result.errors
    return result, cache


def dicts(result):
    return [f.to_dict() for f in result.findings]


def test_warm_run_analyses_nothing_and_gives_the_same_findings(project, analysed, tmp_path):
    cold, cache = lint(project, tmp_path / "c")
    assert sorted(analysed) == ["clean.py", "train.py"] and cache.hits == 0
    assert [f.code for f in cold.findings] == ["TFG101"]
    analysed.clear()
    warm, cache = lint(project, tmp_path / "c")
    assert analysed == [] and cache.hits == 2
    assert dicts(warm) == dicts(cold)
    assert warm.files_checked == cold.files_checked == 2


def test_changed_file_is_checked_again(project, analysed, tmp_path):
    lint(project, tmp_path / "c")
    analysed.clear()
    (project / "train.py").write_text(BUGGY.read_text().replace("sparse_categorical_crossentropy", "categorical_crossentropy"))
    result, cache = lint(project, tmp_path / "c")
    assert analysed == ["train.py"] and cache.hits == 1
    assert result.findings == []  # the fixed file's new (empty) result, not the stored one


def test_changed_configuration_is_a_miss(project, analysed, tmp_path):
    lint(project, tmp_path / "c")
    (project / "pyproject.toml").write_text('[tool.tflint-gesture]\nseverity = { TFG101 = "warning" }\n')
    analysed.clear()
    result, cache = lint(project, tmp_path / "c")
    assert sorted(analysed) == ["clean.py", "train.py"] and cache.hits == 0
    assert [f.severity.value for f in result.findings] == ["warning"]
    analysed.clear()
    result, cache = lint(project, tmp_path / "c", cli_ignore=["TFG101"])  # the command line counts too
    assert sorted(analysed) == ["clean.py", "train.py"] and result.findings == []


def test_changed_tool_version_is_a_miss(project, analysed, tmp_path, monkeypatch):
    lint(project, tmp_path / "c")
    settings = load_settings(["."])
    assert compute_salt(settings) == compute_salt(settings)
    monkeypatch.setattr(tflint_gesture, "__version__", "99.0.0")
    assert compute_salt(settings) != compute_salt(settings, version="0.0.1")
    analysed.clear()
    _, cache = lint(project, tmp_path / "c")
    assert sorted(analysed) == ["clean.py", "train.py"] and cache.hits == 0


def test_changed_tool_source_is_a_miss(project, tmp_path, monkeypatch):
    from tflint_gesture import cache as cache_module

    settings = load_settings(["."])
    before = compute_salt(settings)
    monkeypatch.setattr(cache_module, "source_digest", lambda: "edited")
    assert compute_salt(settings) != before


def test_corrupted_entries_are_ignored_and_rebuilt(project, analysed, tmp_path):
    cold, cache = lint(project, tmp_path / "c")
    entries = sorted(cache.folder.glob("*.json"))
    assert len(entries) == 2
    entries[0].write_bytes(b"\x00{not json")
    entries[1].write_text(json.dumps({"salt": cache.salt, "findings": "nonsense"}))
    analysed.clear()
    again, cache = lint(project, tmp_path / "c")
    assert sorted(analysed) == ["clean.py", "train.py"] and cache.hits == 0
    assert dicts(again) == dicts(cold)
    for entry in entries:  # rewritten, readable again
        assert json.loads(entry.read_text())["salt"] == cache.salt
    analysed.clear()
    _, cache = lint(project, tmp_path / "c")
    assert analysed == [] and cache.hits == 2


def test_a_file_whose_check_failed_is_not_cached(project, tmp_path, monkeypatch):
    real = engine.check_file

    def flaky(path, settings=None, display_path=None):
        if display_path == "train.py":
            raise RuntimeError("bad day")
        return real(path, settings, display_path=display_path)

    monkeypatch.setattr(engine, "check_file", flaky)
    settings = load_settings(["."])
    result = run(["."], settings, cache=Cache.for_settings(tmp_path / "c", settings))
    assert result.errors == ["internal error on train.py: RuntimeError: bad day"]
    monkeypatch.setattr(engine, "check_file", real)
    result, cache = lint(project, tmp_path / "c")
    assert cache.hits == 1 and [f.code for f in result.findings] == ["TFG101"]


def test_every_finding_field_round_trips(project, tmp_path):
    cold, _ = lint(project, tmp_path / "c")
    warm, cache = lint(project, tmp_path / "c")
    assert cache.hits == 2
    assert cold.findings[0].evidence  # evidence, fix and the rest come back as they were
    assert [dataclasses.asdict(f) for f in warm.findings] == [dataclasses.asdict(f) for f in cold.findings]


def test_imported_project_module_change_is_a_miss(tmp_path, monkeypatch, analysed):
    pytest.importorskip("tflint_gesture.facts.modules")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.py").write_text(
        "from tensorflow import keras\n\n\ndef build(n):\n"
        "    return keras.Sequential([keras.Input(shape=(63,)), keras.layers.Dense(n, activation='softmax')])\n"
    )
    (tmp_path / "train.py").write_text(
        "import numpy as np\nfrom model import build\n\n"
        "x = np.random.rand(100, 63)\ny = np.random.randint(0, 5, size=(100,))\n"
        "m = build(5)\nm.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n"
        "m.fit(x, y, validation_split=0.2)\n"
    )
    lint(tmp_path, tmp_path / "c")
    analysed.clear()
    _, cache = lint(tmp_path, tmp_path / "c")
    assert analysed == [] and cache.hits == 2
    with open(tmp_path / "model.py", "a") as handle:
        handle.write("\n# edited\n")
    analysed.clear()
    lint(tmp_path, tmp_path / "c")
    assert sorted(analysed) == ["model.py", "train.py"]  # train.py imports it: checked again


def test_a_module_appearing_where_an_import_pointed_is_a_miss(tmp_path, monkeypatch, analysed):
    pytest.importorskip("tflint_gesture.facts.modules")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "train.py").write_text("from helpers import build\n\nmodel = build()\n")
    (tmp_path / "pkg" / "other.py").write_text("x = 1\n")
    lint(tmp_path, tmp_path / "c")
    (tmp_path / "pkg" / "helpers.py").write_text("def build():\n    return None\n")
    analysed.clear()
    lint(tmp_path, tmp_path / "c")
    assert sorted(analysed) == ["pkg/helpers.py", "pkg/train.py"]  # other.py: still a hit


def test_cli_default_cache_folder_is_ignored_by_git_and_no_cache_writes_nothing(cli, tmp_path):
    shutil.copy(BUGGY, tmp_path / "train.py")
    result = cli("train.py", "--no-cache", cwd=tmp_path)
    assert result.exit_code == 1
    assert not (tmp_path / CACHE_DIR_NAME).exists()
    result = cli("train.py", cwd=tmp_path)
    assert result.exit_code == 1
    folder = tmp_path / CACHE_DIR_NAME
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (folder / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    again = cli("train.py", cwd=tmp_path)
    assert again.stdout == result.stdout and again.exit_code == 1


def test_cli_cache_folder_sits_next_to_the_config(cli, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.tflint-gesture]\nignore = []\n")
    (tmp_path / "src").mkdir()
    shutil.copy(BUGGY, tmp_path / "src" / "train.py")
    assert cli("train.py", cwd=tmp_path / "src").exit_code == 1
    assert (tmp_path / CACHE_DIR_NAME).is_dir()
    assert not (tmp_path / "src" / CACHE_DIR_NAME).exists()
    other = tmp_path / "elsewhere"
    assert cli("train.py", "--cache-dir", str(other), cwd=tmp_path / "src").exit_code == 1
    assert (other / "v1").is_dir()


def test_old_salt_folders_are_pruned(tmp_path):
    from tflint_gesture.cache import KEEP_SALTS

    import hashlib

    for number in range(KEEP_SALTS + 3):
        cache = Cache(tmp_path, hashlib.sha256(str(number).encode()).hexdigest())
        cache.put("a.py", "h", [])
    assert len(list((tmp_path / "v1").iterdir())) == KEEP_SALTS
    assert cache.get("a.py", "h") == []  # the newest is kept


def test_a_module_imported_through_another_module_is_a_dependency_of_every_importer(tmp_path, monkeypatch, analysed):
    """a.py and b.py both import model.py, which imports blocks.py. The analysis keeps model.py once
    per process, so b.py reaches blocks.py only through the analysis made for a.py: it must still
    count as b.py's dependency."""
    pytest.importorskip("tflint_gesture.facts.modules")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "blocks.py").write_text("def head(n):\n    return n\n")
    (tmp_path / "model.py").write_text("from blocks import head\n\n\ndef build(n):\n    return head(n)\n")
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text("from model import build\n\nmodel = build(3)\n")
    lint(tmp_path, tmp_path / "c")
    with open(tmp_path / "blocks.py", "a") as handle:
        handle.write("\n# edited\n")
    analysed.clear()
    lint(tmp_path, tmp_path / "c")
    assert sorted(analysed) == ["a.py", "b.py", "blocks.py", "model.py"]


def test_notebook_findings_round_trip_with_their_cells(tmp_path, monkeypatch, analysed):
    monkeypatch.chdir(tmp_path)
    shutil.copy(REPO_ROOT / "fixtures" / "notebooks" / "bad_finger_count_mnist_notebook.ipynb", tmp_path / "nb.ipynb")
    cold, _ = lint(tmp_path, tmp_path / "c")
    assert cold.findings and all(getattr(f, "cell", None) for f in cold.findings)
    analysed.clear()
    warm, cache = lint(tmp_path, tmp_path / "c")
    assert analysed == [] and cache.hits == 1
    assert [dataclasses.asdict(f) for f in warm.findings] == [dataclasses.asdict(f) for f in cold.findings]
