"""Settings: rule selection by prefix, per-file ignores, severity overrides, finding and validating config."""

from __future__ import annotations

from pathlib import Path

import pytest

from tflint_gesture.config import ConfigError, Settings, find_config, load_settings
from tflint_gesture.findings import Severity


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# -- enabled(): select / ignore ---------------------------------------------------------------------


def test_default_selects_everything():
    settings = Settings()
    assert settings.enabled("TFG001", "a.py")
    assert settings.enabled("TFG305", "a.py")


def test_longest_prefix_wins():
    settings = Settings(select=["TFG1"], ignore=["TFG10"])
    assert not settings.enabled("TFG101", "a.py")
    assert not settings.enabled("TFG201", "a.py")  # not selected at all
    settings = Settings(select=["TFG101"], ignore=["TFG1"])
    assert settings.enabled("TFG101", "a.py")
    assert not settings.enabled("TFG102", "a.py")


def test_ignore_wins_a_tie():
    assert not Settings(select=["TFG1"], ignore=["TFG1"]).enabled("TFG101", "a.py")


def test_cli_select_replaces_config_selection():
    settings = Settings(select=["TFG"], ignore=["TFG301"], cli_select=["TFG3"])
    assert settings.enabled("TFG301", "a.py")  # the config's ignore is gone with its selection
    assert not settings.enabled("TFG101", "a.py")


def test_cli_ignore_layers_on_top_of_config():
    settings = Settings(select=["TFG301"], ignore=["TFG3"], cli_ignore=["TFG30"])
    assert not settings.enabled("TFG301", "a.py")
    settings = Settings(select=["TFG"], cli_ignore=["TFG1"])
    assert not settings.enabled("TFG101", "a.py")
    assert settings.enabled("TFG201", "a.py")


# -- per-file-ignores and severity ---------------------------------------------------------------------


def test_per_file_ignores_glob_relative_to_root(tmp_path, monkeypatch):
    settings = Settings(per_file_ignores={"tests/*": ["TFG3"], "*_test.py": ["TFG101"]}, root=tmp_path)
    monkeypatch.chdir(tmp_path)
    assert not settings.enabled("TFG301", "tests/test_a.py")
    assert not settings.enabled("TFG301", "tests/deep/test_b.py")
    assert settings.enabled("TFG101", "tests/test_a.py")
    assert settings.enabled("TFG301", "src/tests_like.py")
    assert not settings.enabled("TFG101", "src/model_test.py")  # no slash: matches at any depth
    assert settings.enabled("TFG102", "src/model_test.py")
    # the path as displayed is relative to the cwd, the pattern to the root
    monkeypatch.chdir(tmp_path / "..")
    assert not settings.enabled("TFG301", f"{tmp_path.name}/tests/test_a.py")
    assert settings.enabled("TFG301", "tests/test_a.py")  # that would be ../tests, not under root


def test_severity_override_longest_key_wins():
    settings = Settings(severity={"TFG1": Severity.INFO, "TFG101": Severity.WARNING})
    assert settings.severity_for("TFG101", Severity.ERROR) is Severity.WARNING
    assert settings.severity_for("TFG102", Severity.ERROR) is Severity.INFO
    assert settings.severity_for("TFG201", Severity.ERROR) is Severity.ERROR


# -- loading -------------------------------------------------------------------------------------------


FULL = """
[tool.tflint-gesture]
select = ["TFG1", "TFG2"]
extend-select = ["TFG001"]
ignore = ["TFG104"]
extend-ignore = ["tfg205"]
exclude = ["generated/"]

[tool.tflint-gesture.per-file-ignores]
"tests/*" = ["TFG3"]

[tool.tflint-gesture.severity]
TFG105 = "error"
"""


def test_load_all_keys(tmp_path):
    write(tmp_path / "pyproject.toml", FULL)
    settings = load_settings([tmp_path])
    assert settings.select == ["TFG1", "TFG2", "TFG001"]
    assert settings.ignore == ["TFG104", "TFG205"]
    assert settings.exclude == ["generated/"]
    assert settings.per_file_ignores == {"tests/*": ["TFG3"]}
    assert settings.severity == {"TFG105": Severity.ERROR}
    assert settings.root == tmp_path
    assert settings.enabled("TFG001", "x.py") and not settings.enabled("TFG301", "x.py")


def test_nearest_pyproject_with_the_table_walking_up(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.tflint-gesture]\nignore = ["TFG001"]\n')
    write(tmp_path / "pkg" / "pyproject.toml", '[project]\nname = "pkg"\n')  # no table: passed over
    target = write(tmp_path / "pkg" / "sub" / "train.py", "")
    settings = load_settings([target])
    assert settings.config_path == tmp_path / "pyproject.toml"
    assert settings.root == tmp_path
    assert not settings.enabled("TFG001", "x.py")


def test_nearer_table_wins(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.tflint-gesture]\nignore = ["TFG001"]\n')
    write(tmp_path / "pkg" / "pyproject.toml", '[tool.tflint-gesture]\nselect = ["TFG001"]\n')
    settings = load_settings([tmp_path / "pkg"])
    assert settings.root == tmp_path / "pkg"
    assert settings.enabled("TFG001", "x.py")


def test_no_paths_starts_from_cwd(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.tflint-gesture]\nignore = ["TFG001"]\n')
    (tmp_path / "deep").mkdir()
    assert load_settings([], cwd=tmp_path / "deep").root == tmp_path


def test_no_config_anywhere_gives_defaults(tmp_path):
    if find_config(tmp_path) is not None:
        pytest.skip("a pyproject.toml with a [tool.tflint-gesture] table sits above the temp folder")
    settings = load_settings([tmp_path])
    assert settings.config_path is None and settings.root is None
    assert settings.select == ["TFG"] and settings.ignore == []


def test_cli_values_win_over_config(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.tflint-gesture]\nselect = ["TFG1"]\n')
    settings = load_settings([tmp_path], cli_select=["TFG001,TFG2"], cli_ignore=["TFG20"])
    assert settings.cli_select == ["TFG001", "TFG2"]
    assert settings.enabled("TFG001", "x.py")
    assert settings.enabled("TFG201", "x.py") is False
    assert settings.enabled("TFG101", "x.py") is False


def test_explicit_plain_toml_and_pyproject(tmp_path):
    plain = write(tmp_path / "lint.toml", 'ignore = ["TFG1"]\n')
    assert load_settings([], config_file=plain, cwd=tmp_path).ignore == ["TFG1"]
    proj = write(tmp_path / "other" / "pyproject.toml", '[tool.tflint-gesture]\nignore = ["TFG2"]\n')
    settings = load_settings([], config_file=proj)
    assert settings.ignore == ["TFG2"]
    assert settings.root == tmp_path / "other"
    empty = write(tmp_path / "third" / "pyproject.toml", '[project]\nname = "x"\n')
    with pytest.raises(ConfigError, match=r"no \[tool.tflint-gesture\] table"):
        load_settings([], config_file=empty)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("select = [", "invalid TOML"),
        ('selct = ["TFG"]', "unknown key 'selct'"),
        ('select = ["XYZ1"]', "unknown rule code or prefix 'XYZ1'"),
        ('ignore = ["TFG999"]', "unknown rule code or prefix 'TFG999'"),
        ('select = "TFG"', "select must be a list of strings"),
        ('[tool.tflint-gesture.severity]\nTFG101 = "fatal"', "unknown severity 'fatal'"),
        ('[tool.tflint-gesture.severity]\nTFG999 = "info"', "unknown rule code or prefix 'TFG999'"),
        ('[tool.tflint-gesture.per-file-ignores]\n"x.py" = ["NOPE1"]', "unknown rule code or prefix 'NOPE1'"),
    ],
)
def test_invalid_config_raises_config_error(tmp_path, body, message):
    text = body if body.startswith("[") else f"[tool.tflint-gesture]\n{body}\n"
    write(tmp_path / "pyproject.toml", text)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")) as info:
        load_settings([tmp_path])
    assert str(tmp_path / "pyproject.toml") in str(info.value)


def test_unknown_cli_code(tmp_path):
    with pytest.raises(ConfigError, match="--ignore: unknown rule code or prefix 'TFG9'"):
        load_settings([tmp_path], cli_ignore=["TFG9"])


def test_broken_pyproject_without_our_name_is_ignored(tmp_path):
    write(tmp_path / "pyproject.toml", "this is [not toml")
    assert load_settings([tmp_path]).config_path != tmp_path / "pyproject.toml"
