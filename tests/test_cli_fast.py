"""The typer-free parse of everyday command lines (cli_fast.py) gives exactly typer's `Options`,
and hands everything else to typer."""

from __future__ import annotations

import importlib.util
import inspect
import subprocess
import sys

import pytest
from helpers import REPO_ROOT

from tflint_gesture import cli
from tflint_gesture.cli_fast import parse

SAME = [
    ["train.py"],
    ["."],
    ["a.py", "b/", "--exit-zero"],
    ["--select", "TFG1,TFG2", "--select=TFG3", ".", "--ignore", "TFG101"],
    ["-q", "--format", "JSON", "src"],
    ["--format=sarif", "--fail-on", "Warning", "x.py"],
    ["--no-color", "--color", "x.py"],
    ["--config", "conf/pyproject.toml", "--cache-dir", "/tmp/c", "--no-cache", "x.py"],
    ["-j", "3", "--jobs=2", "x.py"],
    ["--diff-base", "origin/main", "--fix", "--unsafe-fixes", "."],
    ["--diff", "x.py"],
    ["--max-file-lines", "0", "-v", "x.py"],
    ["--verbose", "--max-file-lines=500", "x.py"],
    ["--", "-odd-name.py", "--exit-zero"],
    [],
]

TYPER_ONLY = [
    ["--help"], ["-h"], ["--version"], ["--list-rules"], ["--explain", "TFG201"], ["--dry-run", "x.py"],
    ["--format", "xml", "x.py"], ["--jobs", "many", "x.py"], ["-j4", "x.py"], ["-qv", "x.py"], ["--select"],
    ["--no-such-flag", "x.py"], ["-"], ["--exit-zero=1", "x.py"], ["-j=4", "x.py"],
    ["--jobs", "-1", "x.py"],  # a value that looks like an option: typer's reading, then execute()'s error
]


def _typer_options(argv: list[str], monkeypatch) -> cli.Options:
    from typer.testing import CliRunner

    seen = []
    monkeypatch.setattr(cli, "execute", lambda options: seen.append(options) or 0)
    result = CliRunner().invoke(cli.build_app(), argv)
    assert result.exit_code == 0, result.output
    assert len(seen) == 1
    return seen[0]


@pytest.mark.parametrize("argv", SAME, ids=lambda a: " ".join(a) or "no-args")
def test_same_options_as_typer(argv, monkeypatch):
    fast = parse(argv)
    assert fast is not None, "this command line should not need typer"
    assert fast == _typer_options(argv, monkeypatch)


@pytest.mark.parametrize("argv", TYPER_ONLY, ids=lambda a: " ".join(a))
def test_everything_else_goes_to_typer(argv):
    assert parse(argv) is None


def test_a_run_through_the_fast_path_does_not_import_typer(tmp_path):
    (tmp_path / "train.py").write_text("import os\n")
    code = (
        "import sys\nfrom tflint_gesture.cli import main\n"
        "try:\n    main(['train.py', '-q'])\nexcept SystemExit as exit:\n    print(exit.code)\n"
        "print(sorted(m for m in ('typer', 'click', 'pydantic', 'libcst', 'tflint_gesture.rules') if m in sys.modules))\n"
    )
    env = {"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"}

    def imported() -> tuple[str, str]:
        proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=60)
        assert proc.returncode == 0, proc.stderr
        status, modules = proc.stdout.strip().splitlines()[-2:]
        return status, modules

    cold_status, cold = imported()
    assert cold_status == "0" and "typer" not in cold and "pydantic" not in cold and "click" not in cold
    warm_status, warm = imported()  # the cache hit
    assert warm_status == "0" and "typer" not in warm
    if importlib.util.find_spec("tflint_gesture.codes") is not None:  # the static rule catalogue
        assert warm == "[]", "a cache hit parsed or loaded the rules"


def _sample(option, flag: str) -> list[str]:
    """A command-line use of `option` (through `flag`) that sets its field to something other than the default."""
    from tflint_gesture.options import CHOICE, FLAG, LIST, SWITCH

    if option.kind == FLAG:
        return [flag]
    if option.kind == SWITCH:
        return [option.flags[1]]
    if option.kind == LIST:
        return [flag, "TFG1", flag, "TFG2"]
    if option.kind == CHOICE:
        return [flag, next(name for name in option.choice_names() if name != option.default).upper()]
    return [flag, {int: "3", float: "2.5"}.get(option.convert, "some/where")]


def _fast_rows() -> list[tuple]:
    from tflint_gesture.options import OPTIONS, PATHS

    return [(option, flag) for option in OPTIONS if option.fast and option.kind != PATHS for flag in option.flags[:1]
            + tuple(f for f in option.flags[1:] if option.kind != "switch")]


@pytest.mark.parametrize("option,flag", _fast_rows(), ids=lambda v: v if isinstance(v, str) else v.field)
def test_every_row_of_the_table_parses_the_same_both_ways(option, flag, monkeypatch):
    """Each fast row of `options.OPTIONS` (the one declaration) gives the same `Options` through the fast
    parser and through the typer command built from the same row, and really sets its field."""
    argv = [*_sample(option, flag), "x.py"]
    fast = parse(argv)
    assert fast is not None, argv
    assert getattr(fast, option.field) != getattr(cli.Options(), option.field)
    assert fast == _typer_options(argv, monkeypatch)


def test_the_table_is_the_only_declaration():
    """`Options` has one field per row (the typer-only actions aside) and the typer command one parameter
    per row, in the table's order: an option added to the table is known to both parsers."""
    import dataclasses

    from tflint_gesture.options import ACTION, OPTIONS

    assert [f.name for f in dataclasses.fields(cli.Options)] == [o.field for o in OPTIONS if o.kind != ACTION]
    command = cli.build_app().registered_commands[0].callback
    assert list(inspect.signature(command).parameters) == [o.field for o in OPTIONS]
    slow = [o for o in OPTIONS if not o.fast and o.kind != ACTION]
    assert slow and all(parse([o.flags[0], "x.py"] if o.kind == "flag" else [o.flags[0], "v", "x.py"]) is None
                        for o in slow)


def test_a_cold_check_of_a_keras_script_does_not_import_libcst_matchers(tmp_path):
    """`libcst.matchers` alone costs more to import than the whole analysis of a 300-line script
    (bench/bench_startup.py): no rule may need it on the everyday path, findings or not."""
    from helpers import ONE_HOT_MODEL

    (tmp_path / "train.py").write_text(ONE_HOT_MODEL)
    code = (
        "import sys\nfrom tflint_gesture.cli import main\n"
        "try:\n    main(['train.py', '-q', '--no-cache', '--exit-zero'])\n"
        "except SystemExit as exit:\n    print(exit.code)\n"
        "print('rules' if 'tflint_gesture.rules' in sys.modules else 'no rules')\n"
        "print(sorted(m for m in sys.modules if m.startswith('libcst.matchers')))\n"
    )
    env = {"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    status, ran, matchers = proc.stdout.strip().splitlines()[-3:]
    assert status == "0" and ran == "rules", proc.stdout  # the rules did run on it
    assert matchers == "[]"
