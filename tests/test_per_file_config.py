"""Each file under its nearest configuration (monorepos), `tflint-gesture.toml`, `--force-exclude`.

Project `a/` ignores TFG101 in its pyproject.toml; project `b/` selects only TFG1 and excludes
`legacy/` in a tflint-gesture.toml. The same buggy script (TFG101 on the compile, TFG301 on the
fit) sits in both, so each finding shows which configuration its file was checked with.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import ONE_HOT_MODEL, SPARSE_COMPILE, run_cli

from tflint_gesture.config import SettingsResolver

SCRIPT = ONE_HOT_MODEL + SPARSE_COMPILE + "model.fit(x, y_onehot, epochs=20)\n"


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    for name in ("a", "b", "b/legacy", "c"):
        (tmp_path / name).mkdir()
    for name in ("a/train.py", "b/train.py", "b/legacy/old.py", "c/train.py"):
        (tmp_path / name).write_text(SCRIPT)
    (tmp_path / "a" / "pyproject.toml").write_text('[project]\nname = "a"\n\n[tool.tflint-gesture]\nignore = ["TFG101"]\n')
    (tmp_path / "b" / "tflint-gesture.toml").write_text('select = ["TFG1"]\nexclude = ["legacy/"]\n')
    return tmp_path


def findings(result) -> list[tuple[str, str]]:
    return sorted((f["path"], f["code"]) for f in json.loads(result.stdout)["findings"])


def lint(cwd: Path, *args: str):
    return run_cli(*args, "--no-cache", "--format", "json", cwd=cwd)


def test_each_file_uses_its_nearest_config_whatever_the_order(monorepo):
    forward = lint(monorepo, "a", "b", "c")
    backward = lint(monorepo, "c", "b", "a")
    expected = [("a/train.py", "TFG301"), ("b/train.py", "TFG101"), ("c/train.py", "TFG101"), ("c/train.py", "TFG301")]
    assert findings(forward) == expected, forward.stdout + forward.stderr
    assert forward.stdout == backward.stdout


def test_parallel_and_cached_runs_agree(monorepo):
    first = run_cli("b", "a", "--format", "json", "--jobs", "2", cwd=monorepo)
    again = run_cli("a", "b", "--format", "json", "--jobs", "2", cwd=monorepo)  # from the cache
    assert findings(first) == findings(again) == [("a/train.py", "TFG301"), ("b/train.py", "TFG101")]


def test_explicit_config_applies_to_every_file(monorepo):
    (monorepo / "strict.toml").write_text('select = ["TFG3"]\n')
    result = lint(monorepo, "a", "b", "--config", "strict.toml")
    assert findings(result) == [("a/train.py", "TFG301"), ("b/legacy/old.py", "TFG301"), ("b/train.py", "TFG301")]


def test_force_exclude_applies_the_excludes_to_named_files(monorepo):
    named = lint(monorepo, "b/legacy/old.py")
    assert findings(named) == [("b/legacy/old.py", "TFG101")]  # named explicitly: checked, like ruff
    forced = lint(monorepo, "b/legacy/old.py", "b/train.py", "--force-exclude")
    assert findings(forced) == [("b/train.py", "TFG101")]


def test_nested_config_excludes_apply_when_walking_from_above(monorepo):
    result = lint(monorepo, ".")
    paths = {path for path, _ in findings(result)}
    assert "b/legacy/old.py" not in paths and "b/train.py" in paths


def test_resolver_shares_one_settings_per_config(monorepo):
    resolver = SettingsResolver()
    assert resolver.for_path(monorepo / "b" / "train.py") is resolver.for_path(monorepo / "b" / "legacy" / "old.py")
    assert resolver.for_path(monorepo / "a" / "train.py").config_path == monorepo / "a" / "pyproject.toml"
    assert resolver.for_path(monorepo / "c" / "train.py") is not resolver.for_path(monorepo / "a")


def test_hook_definition_uses_force_exclude_and_runs_serially():
    import yaml

    from helpers import REPO_ROOT

    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert "--force-exclude" in hooks["tflint-gesture"]["entry"].split()
    assert hooks["tflint-gesture"]["require_serial"] is True


def test_fix_follows_each_files_config(monorepo):
    script = SCRIPT.replace('loss="sparse_categorical_crossentropy")', 'loss="sparse_categorical_crossentropy")  # noqa: TFG104')
    for name in ("a/train.py", "b/legacy/old.py"):
        (monorepo / name).write_text(script)
    (monorepo / "a" / "pyproject.toml").write_text('[tool.tflint-gesture]\nignore = ["TFG100"]\n')
    result = run_cli(".", "--no-cache", "--fix", cwd=monorepo)
    assert "Fixed 0 findings" in result.stderr, result.stderr  # a/ ignores TFG100, b/legacy/ is excluded
    assert (monorepo / "a" / "train.py").read_text() == script
    assert (monorepo / "b" / "legacy" / "old.py").read_text() == script
    (monorepo / "c" / "train.py").write_text(script)
    fixed = run_cli("c", "--no-cache", "--fix", cwd=monorepo)
    assert "Fixed 1 finding in 1 file" in fixed.stderr and "# noqa" not in (monorepo / "c" / "train.py").read_text()
