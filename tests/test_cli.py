"""The command line as users and CI scripts see it: output, exit codes, flags, errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import BAD_SOURCE, ONE_HOT_MODEL, REPO_ROOT, SPARSE_COMPILE, run_cli

from tflint_gesture import __version__, rule_pages
from tflint_gesture.cli import Options, execute
from tflint_gesture.rules import all_rules

FINDING_KEYS = [
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "code",
    "name",
    "severity",
    "message",
    "evidence",
    "fix",
    "cell",  # notebooks: the cell index (1-based among all cells); null for scripts
    "confirmation",  # --dry-run: confirmed / refuted / inconclusive / not-run; null without --dry-run
    "observation",  # --dry-run: what was measured, or why it was not run; null without --dry-run
    "url",  # the rule's documentation page
    "fix_edits",  # null, or the automatic fix as {applicability, edits: [{content, location, end_location}]}
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with one unparsable file (TFG001) in a sub-folder."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "bad.py").write_text(BAD_SOURCE)
    return tmp_path


# -- exit codes -----------------------------------------------------------------------------------


def test_findings_exit_1_and_text_line(cli, project):
    result = cli("src", cwd=project)
    assert result.exit_code == 1, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith("src/bad.py:")
    assert " TFG001 [error] " in first
    assert result.stdout.splitlines()[-1] == "1 finding in 1 file"


def test_no_findings_exit_0(cli, project):
    result = cli("src", "--ignore", "TFG001", cwd=project)
    assert result.exit_code == 0, result.output
    assert result.stdout == "No findings in 1 file\n"


def test_clean_file_exit_0(cli, tmp_path):
    (tmp_path / "train.py").write_text("import math\n\nprint(math.pi)\n")
    result = cli("train.py", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout == "No findings in 1 file\n"
    assert result.stderr == ""


def test_exit_zero_keeps_findings_visible(cli, project):
    result = cli("src", "--exit-zero", cwd=project)
    assert result.exit_code == 0
    assert "TFG001" in result.stdout


def test_quiet_prints_only_summary_but_exit_code_follows_findings(cli, project):
    result = cli("-q", "src", cwd=project)
    assert result.exit_code == 1
    assert result.stdout == "1 finding in 1 file\n"


def test_options_after_paths(cli, project):
    result = cli("src", "--format", "json", cwd=project)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["summary"]["findings"] == 1


def test_no_paths_is_a_usage_error(cli, tmp_path):
    result = cli(cwd=tmp_path)
    assert result.exit_code == 2
    assert "no paths given" in result.stderr
    assert "Traceback" not in result.output


def test_missing_path_exit_2_and_other_files_still_checked(cli, project):
    result = cli("nope.py", "src", cwd=project)
    assert result.exit_code == 2
    assert "nope.py: No such file or directory" in result.stderr
    assert "src/bad.py:" in result.stdout  # the existing folder was still checked
    assert result.stdout.splitlines()[-1] == "1 finding in 1 file; 1 path could not be checked"


def test_unknown_code_on_cli_exit_2(cli, project):
    for flag in ("--select", "--ignore"):
        result = cli("src", flag, "TFG999", cwd=project)
        assert result.exit_code == 2, flag
        assert "unknown rule code or prefix 'TFG999'" in result.stderr
        assert result.stdout == ""


def test_bad_config_exit_2_with_message(cli, project):
    (project / "pyproject.toml").write_text('[tool.tflint-gesture]\nselct = ["TFG"]\n')
    result = cli("src", cwd=project)
    assert result.exit_code == 2
    assert "unknown key 'selct'" in result.stderr
    assert "Traceback" not in result.output


def test_invalid_format_is_rejected(cli, project):
    result = cli("src", "--format", "xml", cwd=project)
    assert result.exit_code == 2
    assert "xml" in result.output


def test_internal_error_is_a_message_not_a_traceback(monkeypatch, tmp_path, capsys):
    import tflint_gesture.runner as runner

    def boom(*args, **kwargs):
        raise RuntimeError("kaput")

    monkeypatch.setattr(runner, "run", boom)
    (tmp_path / "a.py").write_text("x = 1\n")
    code = execute(Options(paths=[str(tmp_path / "a.py")]))
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.strip() == "tflint-gesture: error: internal error: RuntimeError: kaput"


def test_error_in_one_file_does_not_stop_the_others(monkeypatch, tmp_path, capsys):
    from tflint_gesture import engine

    real = engine.check_file

    def flaky(path, settings=None, display_path=None):
        if path.name == "a.py":
            raise ValueError("bad day")
        return real(path, settings, display_path=display_path)

    monkeypatch.setattr(engine, "check_file", flaky)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text(BAD_SOURCE)
    code = execute(Options(paths=["."]))
    captured = capsys.readouterr()
    assert code == 2
    assert "internal error on a.py: ValueError: bad day" in captured.err
    assert "b.py:" in captured.out


# -- json -----------------------------------------------------------------------------------------


def test_json_output_keys(cli, project):
    result = cli("--format", "json", "src", cwd=project)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert list(data) == ["findings", "summary"]
    (finding,) = data["findings"]
    assert list(finding) == FINDING_KEYS
    assert finding["path"] == "src/bad.py"
    assert finding["code"] == "TFG001"
    assert finding["name"] == "parse-error"
    assert finding["severity"] == "error"
    assert finding["evidence"] == []
    assert finding["fix"] is None
    assert data["summary"] == {
        "files_checked": 1,
        "findings": 1,
        "by_severity": {"error": 1, "warning": 0, "info": 0},
        "by_code": {"TFG001": 1},
        "errors": [],
    }


# -- selection and configuration through the CLI ---------------------------------------------------


def test_select_prefix_and_longer_ignore(cli, project):
    assert cli("src", "--select", "TFG0", cwd=project).exit_code == 1
    assert cli("src", "--select", "TFG1", cwd=project).exit_code == 0
    assert cli("src", "--select", "TFG", "--ignore", "TFG00", cwd=project).exit_code == 0
    assert cli("src", "--select", "TFG001", "--ignore", "TFG", cwd=project).exit_code == 1
    assert cli("src", "--select", "TFG101,TFG001", cwd=project).exit_code == 1


def test_pyproject_found_walking_up_and_cli_wins(cli, project):
    (project / "pyproject.toml").write_text('[tool.tflint-gesture]\nignore = ["TFG001"]\n')
    (project / "src" / "pyproject.toml").write_text('[project]\nname = "x"\n')  # no table: skipped
    assert cli("bad.py", cwd=project / "src").exit_code == 0
    assert cli("bad.py", "--select", "TFG001", cwd=project / "src").exit_code == 1


def test_explicit_config_file(cli, project):
    config = project / "lint.toml"
    config.write_text('ignore = ["TFG0"]\n')
    assert cli("src", "--config", str(config), cwd=project).exit_code == 0
    missing = cli("src", "--config", "nowhere.toml", cwd=project)
    assert missing.exit_code == 2
    assert "config file not found" in missing.stderr


def test_severity_override_shows_in_output(cli, project):
    (project / "pyproject.toml").write_text('[tool.tflint-gesture.severity]\nTFG001 = "info"\n')
    result = cli("--format", "json", "src", cwd=project)
    assert json.loads(result.stdout)["findings"][0]["severity"] == "info"
    text = cli("src", cwd=project)
    assert "TFG001 [info]" in text.stdout


def test_per_file_ignores_and_exclude_from_pyproject(cli, project):
    (project / "top.py").write_text(BAD_SOURCE)
    (project / "gen").mkdir()
    (project / "gen" / "g.py").write_text(BAD_SOURCE)
    (project / "pyproject.toml").write_text(
        '[tool.tflint-gesture]\nexclude = ["gen/"]\n[tool.tflint-gesture.per-file-ignores]\n"src/*" = ["TFG0"]\n'
    )
    result = cli(".", "--format", "json", cwd=project)
    data = json.loads(result.stdout)
    assert [f["path"] for f in data["findings"]] == ["top.py"]
    assert data["summary"]["files_checked"] == 2  # gen/g.py was excluded, src/bad.py checked
    # from inside src, the pattern still applies relative to the pyproject's folder
    assert cli("bad.py", cwd=project / "src").exit_code == 0
    # a file named explicitly is checked even when excluded
    assert "gen/g.py" in cli("gen/g.py", cwd=project).stdout


def test_gitignored_and_venv_files_are_not_checked(cli, project):
    (project / ".git").mkdir()
    (project / ".gitignore").write_text("scratch/\n")
    for folder in ("scratch", ".venv", "build"):
        (project / folder).mkdir()
        (project / folder / "x.py").write_text(BAD_SOURCE)
    result = cli(".", cwd=project)
    assert result.stdout.splitlines()[-1] == "1 finding in 1 file"


def test_display_paths(cli, project, tmp_path_factory):
    inside = cli(str(project / "src" / "bad.py"), "--format", "json", cwd=project)
    assert json.loads(inside.stdout)["findings"][0]["path"] == "src/bad.py"
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    outside = cli(str(project / "src" / "bad.py"), "--format", "json", cwd=elsewhere)
    assert json.loads(outside.stdout)["findings"][0]["path"] == str(project / "src" / "bad.py")


# -- colour ---------------------------------------------------------------------------------------


def test_color_only_when_asked_or_on_a_terminal(cli, project):
    plain = cli("src", cwd=project)
    assert "\033[" not in plain.stdout  # CliRunner's stdout is not a terminal
    coloured = cli("src", "--color", cwd=project)
    assert "\033[" in coloured.stdout


def test_no_color_env_wins_over_terminal(monkeypatch, project, capsys):
    import io

    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.chdir(project)
    out = Tty()
    monkeypatch.delenv("NO_COLOR", raising=False)
    execute(Options(paths=["src"]), stdout=out)
    assert "\033[" in out.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    out = Tty()
    execute(Options(paths=["src"]), stdout=out)
    assert "\033[" not in out.getvalue()


# -- rules listing and explanation ----------------------------------------------------------------


def test_list_rules_has_every_code(cli, tmp_path):
    result = cli("--list-rules", cwd=tmp_path)
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == [rule.code for rule in all_rules()]
    assert "parse-error" in result.stdout


def test_list_rules_json(cli, tmp_path):
    result = cli("--list-rules", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [row["code"] for row in rows] == [rule.code for rule in all_rules()]
    assert set(rows[0]) >= {"code", "name", "severity", "summary"}


def test_explain_prints_page(cli, tmp_path, monkeypatch):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "TFG001.md").write_text("# TFG001: parse-error\n\nA test page.\n")
    monkeypatch.setattr(rule_pages, "PAGE_DIRS", (pages,))
    result = cli("--explain", "tfg001", cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stdout == "# TFG001: parse-error\n\nA test page.\n"


def test_explain_missing_page_gives_summary_and_note(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(rule_pages, "PAGE_DIRS", (tmp_path / "empty",))
    result = cli("--explain", "TFG001", cwd=tmp_path)
    assert result.exit_code == 0
    assert "the file could not be read or parsed" in result.stdout
    assert "no detailed page for TFG001" in result.stderr


@pytest.mark.parametrize("code", ["TFG001", "TFG101"])
def test_explain_real_page(cli, tmp_path, code):
    page = REPO_ROOT / "rules" / f"{code}.md"
    if not page.is_file():
        pytest.skip(f"rules/{code}.md is not written yet")
    assert rule_pages.page_path(code) is not None
    result = cli("--explain", code, cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stdout.rstrip("\n") == page.read_text(encoding="utf-8").rstrip("\n")
    assert result.stdout.startswith(f"# {code}")


def test_explain_unknown_code(cli, tmp_path):
    result = cli("--explain", "TFG999", cwd=tmp_path)
    assert result.exit_code == 2
    assert "unknown rule code 'TFG999'" in result.stderr


def test_rules_folder_in_cwd_is_not_a_subcommand(cli, tmp_path, monkeypatch):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "TFG001.md").write_text("# TFG001 page\n")
    monkeypatch.setattr(rule_pages, "PAGE_DIRS", (pages,))
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "bad.py").write_text(BAD_SOURCE)
    explained = cli("--explain", "TFG001", cwd=tmp_path)
    assert explained.exit_code == 0
    assert explained.stdout == "# TFG001 page\n"
    checked = cli("rules", cwd=tmp_path)  # the folder is checked as a path
    assert checked.exit_code == 1
    assert "rules/bad.py:" in checked.stdout
    listed = cli("--list-rules", cwd=tmp_path)
    assert listed.exit_code == 0 and "rules/bad.py" not in listed.stdout
    mixed = cli("--explain", "TFG001", "rules", cwd=tmp_path)
    assert mixed.exit_code == 2
    assert "takes no paths" in mixed.stderr


def test_version(cli, tmp_path):
    result = cli("--version", cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stdout.strip() == f"tflint-gesture {__version__}"


# -- the real process -----------------------------------------------------------------------------


def test_subprocess_findings_and_missing_path(project):
    proc = run_cli("src", "missing", cwd=project)
    assert proc.returncode == 2
    assert "src/bad.py:" in proc.stdout
    assert "tflint-gesture: error: missing: No such file or directory" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_subprocess_json_and_exit_codes(project):
    proc = run_cli("--format", "json", "src", cwd=project)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["findings"][0]["code"] == "TFG001"
    proc = run_cli("src", "--ignore", "TFG001", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "No findings in 1 file\n"
    assert "\033[" not in proc.stdout  # a pipe is not a terminal


def test_subprocess_usage_errors(project):
    proc = run_cli(cwd=project)
    assert proc.returncode == 2
    assert "no paths given" in proc.stderr
    proc = run_cli("--no-such-flag", "src", cwd=project)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_no_python_files_warns_but_exits_0(cli, tmp_path):
    (tmp_path / "notes.txt").write_text("hello\n")
    result = cli(".", cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stdout == "No findings in 0 files\n"
    assert "no Python files found" in result.stderr


@pytest.mark.parametrize("config", [False, True], ids=["nearest-config", "--config"])
def test_verbose_counts_the_cache_hits_of_every_configuration(tmp_path, config):
    """`-v` reports the hits of the caches the run used: with per-file configurations (the default) each
    configuration has its own cache, and their hits are what the second run reports."""
    (tmp_path / "pyproject.toml").write_text("[tool.tflint-gesture]\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text("[tool.tflint-gesture]\nignore = ['TFG101']\n")
    for folder in (tmp_path, tmp_path / "sub"):
        (folder / "train.py").write_text(ONE_HOT_MODEL + SPARSE_COMPILE + "model.fit(x, y_onehot)\n")
    args = ["-v", "--cache-dir", str(tmp_path / "cache"), "."] + (["--config", "pyproject.toml"] if config else [])
    first = run_cli(*args, cwd=tmp_path)
    assert "2 files: 2 analysed, 0 skipped as not TensorFlow/Keras code; 0 results from the cache" in first.stderr
    second = run_cli(*args, cwd=tmp_path)
    assert "2 files: 2 analysed, 0 skipped as not TensorFlow/Keras code; 2 results from the cache" in second.stderr
    assert second.stdout == first.stdout and second.returncode == first.returncode == 1


def test_the_program_exits_with_its_code_and_all_its_output(tmp_path):
    """`python -m tflint_gesture` ends through `cli.entry` (no interpreter teardown): the exit code and every
    line of a long report still arrive; run by runpy from another script it raises SystemExit instead."""
    for index in range(40):
        (tmp_path / f"train_{index}.py").write_text(ONE_HOT_MODEL + SPARSE_COMPILE + "model.fit(x, y_onehot)\n")
    proc = run_cli("--no-cache", "-j", "1", ".", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.count("TFG101") == 40 and proc.stdout.endswith("80 findings in 40 files\n")  # + TFG301 each
    harness = ("import runpy, sys\nsys.argv = ['tflint-gesture', *sys.argv[1:]]\ntry:\n"
               "    runpy.run_module('tflint_gesture', run_name='__main__', alter_sys=True)\n"
               "except SystemExit as exc:\n    print('@@EXIT', exc.code)\n")
    wrapped = run_cli("--no-cache", "-q", ".", cwd=tmp_path, code=harness)
    assert wrapped.stdout.splitlines()[-1] == "@@EXIT 1", wrapped.stderr
