"""The bad-input matrix: every input a linter meets in the wild, each with its expected clear outcome.

Each file case goes through the engine in-process (`engine.check_file`) and through the real command
in a subprocess (`python -m tflint_gesture`, JSON output), and must give the same answer in both:
checked (with the finding that proves it was analysed, or none), or one TFG001 finding saying why
not. Never a traceback; exit codes as README documents (0 no findings, 1 findings, 2 a path could
not be checked). Folder-level cases (symlink loop, missing path, no Python files) and the "one run
over all of them" case go through the command. Sizes are bounded by default; `pytest --long` uses the
full 5 MB generated script.
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import pytest

from helpers import run_cli
from tflint_gesture import engine
from tflint_gesture.config import Settings

# A training script whose bug (softmax on one unit, TFG201, line 3) proves a file was really analysed.
SOFTMAX_ONE_UNIT = (
    "from tensorflow import keras\n"
    "model = keras.Sequential([keras.layers.Dense(8, activation='relu'),\n"
    "                          keras.layers.Dense(1, activation='softmax')])\n"
)


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert result.returncode in (0, 1, 2), (result.returncode, result.stderr)  # a signal is negative


# ----------------------------------------------------------------------------- file cases
@dataclass
class Case:
    name: str
    write: Callable[[Path, bool], bytes]  # (tmp folder, long run) -> the file's bytes
    tfg001: Optional[tuple[int, str]] = None  # (line, words of the message) when not checkable
    proves_checked: Optional[str] = None  # a code the analysis must report (it was really checked)
    suffix: str = ".py"
    unlimited: bool = False  # checked with `--max-file-lines 0` (the 5 MB script is over the default limit)


def generated_script(size: int) -> bytes:
    """A generated training script of `size` bytes: a builder function repeated, each with its bug."""
    block = (
        "def train_{i}(x, y):\n"
        "    model = keras.Sequential([keras.layers.Dense(64, activation='relu'),\n"
        "                              keras.layers.Dense(1, activation='softmax')])\n"
        "    model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])\n"
        "    model.fit(x / 255.0, y, epochs=3, validation_split=0.2)\n"
        "    return model\n\n\n"
    )
    parts, total, i = ["from tensorflow import keras\n\n\n"], 0, 0
    while total < size:
        parts.append(block.format(i=i))
        total += len(parts[-1])
        i += 1
    return "".join(parts).encode()


def sequential_literal(layers: int) -> bytes:
    hidden = "    keras.layers.Dense(8, activation='relu'),\n" * layers
    return (f"from tensorflow import keras\nmodel = keras.Sequential([\n{hidden}"
            "    keras.layers.Dense(1, activation='softmax'),\n])\n").encode()


CASES = [
    Case("empty", lambda tmp, long: b""),
    Case("only_comments", lambda tmp, long: b"# a placeholder\n# TODO: write the training script\n"),
    Case("binary", lambda tmp, long: bytes(range(256)) * 64, tfg001=(1, "binary file")),
    Case("invalid_utf8", lambda tmp, long: b"x = 1\ny = 2\nname = '\xff\xfe caf\xe9'\n",
         tfg001=(3, "cannot decode the file as utf-8")),
    Case("utf16_with_bom", lambda tmp, long: SOFTMAX_ONE_UNIT.encode("utf-16"), proves_checked="TFG201"),
    Case("python2", lambda tmp, long: b"import os\nprint \"training...\"\n", tfg001=(2, "syntax error")),
    Case("generated_script", lambda tmp, long: generated_script(5_000_000 if long else 500_000),
         proves_checked="TFG201", unlimited=True),
    Case("nested_parentheses_1000", lambda tmp, long: ("x = " + "(" * 1000 + "1" + ")" * 1000 + "\n").encode(),
         tfg001=(1, "too deeply nested")),
    Case("sum_of_20000_terms", lambda tmp, long: ("x = " + " + ".join(["1"] * 20000) + "\n").encode(),
         tfg001=(1, "too deeply nested")),
    Case("sequential_10000_layers", lambda tmp, long: sequential_literal(10_000), proves_checked="TFG201"),
    Case("notebook_invalid_json", lambda tmp, long: b'{"cells": [{"cell_type": "code", "source": ',
         tfg001=(1, "not valid JSON"), suffix=".ipynb"),
    Case("notebook_without_code_cells",
         lambda tmp, long: json.dumps({"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Notes"]}],
                                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode(),
         suffix=".ipynb"),
]


# Cases that run the analysis over very large inputs take seconds each: `slow`.
LARGE_CASES = {"generated_script", "sequential_10000_layers"}


@pytest.mark.parametrize("case", [pytest.param(c, marks=pytest.mark.slow) if c.name in LARGE_CASES else c
                                  for c in CASES], ids=[c.name for c in CASES])
def test_bad_file(case: Case, tmp_path: Path, long_run: bool) -> None:
    path = tmp_path / f"{case.name}{case.suffix}"
    path.write_bytes(case.write(tmp_path, long_run))

    started = time.perf_counter()
    findings = engine.check_file(path, Settings(max_file_lines=0) if case.unlimited else None, display_path=path.name)
    engine_seconds = time.perf_counter() - started
    started = time.perf_counter()
    limit = ("--max-file-lines", "0") if case.unlimited else ()
    result = run_cli("--no-cache", "--format", "json", *limit, path.name, cwd=tmp_path)
    cli_seconds = time.perf_counter() - started
    print(f"{case.name}: {path.stat().st_size:,} bytes, engine {engine_seconds:.2f}s, CLI {cli_seconds:.2f}s")

    no_traceback(result)
    report = json.loads(result.stdout)
    assert report["summary"]["files_checked"] == 1 and not report["summary"]["errors"]
    in_engine = sorted((f.line, f.code) for f in findings)
    in_cli = sorted((f["line"], f["code"]) for f in report["findings"])
    assert in_engine == in_cli
    assert result.returncode == (1 if findings else 0)
    codes = {f.code for f in findings}
    if case.tfg001 is not None:
        line, words = case.tfg001
        assert [(f.code, f.line) for f in findings] == [("TFG001", line)]
        assert words in findings[0].message and "nothing in" in findings[0].message
    else:
        assert "TFG001" not in codes, [f.message for f in findings]
        assert (case.proves_checked in codes) if case.proves_checked else not findings


# --------------------------------------------------------------------------- other cases
def test_unreadable_file(tmp_path: Path) -> None:
    """chmod 000. As root permission bits do not apply (and the interpreter under /root cannot be run
    as another user here), so the read is made to fail inside the real command instead."""
    (tmp_path / "ok.py").write_text(SOFTMAX_ONE_UNIT)
    secret = tmp_path / "secret.py"
    secret.write_text("x = 1\n")
    secret.chmod(0)
    try:
        simulated = os.access(secret, os.R_OK)
        if simulated:
            patch = (
                "import pathlib, sys\n"
                "real = pathlib.Path.read_bytes\n"
                "def read_bytes(self):\n"
                "    if self.name == 'secret.py':\n"
                "        raise PermissionError(13, 'Permission denied', str(self))\n"
                "    return real(self)\n"
                "pathlib.Path.read_bytes = read_bytes\n"
                "from tflint_gesture.cli import main\n"
                "sys.argv[0] = 'tflint-gesture'\n"
                "main(sys.argv[1:])\n"
            )
            result = run_cli("--no-cache", "--format", "json", ".", cwd=tmp_path, code=patch)
        else:
            result = run_cli("--no-cache", "--format", "json", ".", cwd=tmp_path)
            findings = engine.check_file(secret)
            assert [f.code for f in findings] == ["TFG001"] and "Permission denied" in findings[0].message
    finally:
        secret.chmod(0o644)
    no_traceback(result)
    report = json.loads(result.stdout)
    by_file = {(f["path"], f["code"]) for f in report["findings"]}
    assert ("secret.py", "TFG001") in by_file and ("ok.py", "TFG201") in by_file  # the run went on
    message = next(f["message"] for f in report["findings"] if f["path"] == "secret.py")
    assert "could not read the file: Permission denied" in message
    assert result.returncode == 1


def test_unreadable_file_in_process(tmp_path: Path, monkeypatch) -> None:
    secret = tmp_path / "secret.py"
    secret.write_text("x = 1\n")
    real = Path.read_bytes

    def read_bytes(self):
        if self.name == "secret.py":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    findings = engine.check_file(secret, display_path="secret.py")
    assert [(f.code, f.line) for f in findings] == [("TFG001", 1)]
    assert "could not read the file: Permission denied" in findings[0].message


def test_symlink_loop_in_the_tree(tmp_path: Path) -> None:
    tree = tmp_path / "project"
    (tree / "src").mkdir(parents=True)
    (tree / "src" / "train.py").write_text(SOFTMAX_ONE_UNIT)
    (tree / "src" / "loop").symlink_to("..", target_is_directory=True)  # project/src/loop -> project
    (tree / "self").symlink_to(".", target_is_directory=True)
    result = run_cli("--no-cache", "--format", "json", "project", cwd=tmp_path, timeout=60)
    no_traceback(result)
    report = json.loads(result.stdout)
    assert report["summary"]["files_checked"] == 1  # the file once, whatever the number of ways to it
    assert [(f["path"], f["code"]) for f in report["findings"]] == [("project/src/train.py", "TFG201")]
    assert result.returncode == 1


def test_path_that_does_not_exist(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text(SOFTMAX_ONE_UNIT)
    result = run_cli("--no-cache", "missing.py", "ok.py", cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 2
    assert "tflint-gesture: error: missing.py: No such file or directory" in result.stderr
    assert "ok.py:3:" in result.stdout and "TFG201" in result.stdout  # the other path was still checked
    findings = engine.check_file(tmp_path / "missing.py", display_path="missing.py")
    assert [f.code for f in findings] == ["TFG001"] and "No such file or directory" in findings[0].message


def test_directory_without_python_files(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "labels.csv").write_text("a,b\n1,2\n")
    (tmp_path / "data" / "README.md").write_text("# data\n")
    result = run_cli("--no-cache", "data", cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 0
    assert "no Python files found" in result.stderr
    assert result.stdout == "No findings in 0 files\n"


def test_one_run_goes_past_every_bad_file(tmp_path: Path) -> None:
    """All the bad files in one folder, plus a good script: each is reported, the run ends normally."""
    folder = tmp_path / "repo"
    folder.mkdir()
    small = [c for c in CASES if c.name not in ("generated_script", "sequential_10000_layers")]
    for case in small:
        (folder / f"{case.name}{case.suffix}").write_bytes(case.write(tmp_path, False))
    (folder / "train.py").write_text(SOFTMAX_ONE_UNIT)
    (folder / "loop").symlink_to(".", target_is_directory=True)
    result = run_cli("--no-cache", "--jobs", "2", "--format", "json", "repo", "repo/missing.py", cwd=tmp_path)
    no_traceback(result)
    assert result.returncode == 2  # a path could not be checked; the findings are still all there
    report = json.loads(result.stdout)
    assert report["summary"]["errors"] == ["repo/missing.py: No such file or directory"]
    assert report["summary"]["files_checked"] == len(small) + 1
    parse_errors = {f["path"] for f in report["findings"] if f["code"] == "TFG001"}
    assert parse_errors == {f"repo/{c.name}{c.suffix}" for c in small if c.tfg001}
    assert ("repo/train.py", "TFG201") in {(f["path"], f["code"]) for f in report["findings"]}
    assert ("repo/utf16_with_bom.py", "TFG201") in {(f["path"], f["code"]) for f in report["findings"]}


@pytest.mark.slow
def test_deep_nesting_with_a_small_main_thread_stack(tmp_path: Path) -> None:
    """What CPython accepts but libcst needs megabytes of C stack for is parsed on the parser thread's
    own stack: with the main thread limited to 1 MB (a Windows-sized stack) it is still checked."""
    if os.name != "posix":
        pytest.skip("RLIMIT_STACK is POSIX")

    def limit() -> None:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_STACK)
        resource.setrlimit(resource.RLIMIT_STACK, (1024 * 1024, hard))

    (tmp_path / "deep.py").write_text("f = " + "lambda: " * 2500 + "1\n")  # > 4 MB of stack in libcst (measured)
    (tmp_path / "ok.py").write_text(SOFTMAX_ONE_UNIT)
    result = run_cli("--no-cache", "--format", "json", "deep.py", "ok.py", cwd=tmp_path, preexec=limit)
    no_traceback(result)
    report = json.loads(result.stdout)
    assert report["summary"]["files_checked"] == 2
    assert [(f["path"], f["code"]) for f in report["findings"]] == [("ok.py", "TFG201")]  # deep.py parsed: no TFG001


def test_utf16_big_endian_and_utf8_bom(tmp_path: Path) -> None:
    for name, data in (("be.py", codecs.BOM_UTF16_BE + SOFTMAX_ONE_UNIT.encode("utf-16-be")),
                       ("bom8.py", codecs.BOM_UTF8 + SOFTMAX_ONE_UNIT.encode())):
        (tmp_path / name).write_bytes(data)
        assert [f.code for f in engine.check_file(tmp_path / name)] == ["TFG201"], name
