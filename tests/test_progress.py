"""The progress line: on a terminal for long runs only, never in pipes, and erased at the end."""

from __future__ import annotations

import io

from tflint_gesture.config import load_settings
from tflint_gesture.progress import MIN_FILES, Progress, should_show
from tflint_gesture.runner import run


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_shown_only_on_a_terminal_for_more_than_min_files(monkeypatch):
    monkeypatch.delenv("TERM", raising=False)
    assert should_show(MIN_FILES + 1, Terminal())
    assert not should_show(MIN_FILES, Terminal())
    assert not should_show(MIN_FILES + 1, io.StringIO())  # a pipe or a file
    assert not should_show(MIN_FILES + 1, None)
    monkeypatch.setenv("TERM", "dumb")
    assert not should_show(MIN_FILES + 1, Terminal())


def test_counts_up_to_the_total_and_erases_itself(monkeypatch):
    monkeypatch.delenv("TERM", raising=False)
    stream = Terminal()
    with Progress(60, stream) as progress:
        for _ in range(60):
            progress.update()
    text = stream.getvalue()
    assert "checked 60/60 files (100%)" in text  # the last update is always drawn
    assert text.endswith("\r\033[K")
    assert "\n" not in text


def test_a_run_over_many_files_reports_progress_only_to_a_terminal(tmp_path, monkeypatch):
    monkeypatch.delenv("TERM", raising=False)
    monkeypatch.chdir(tmp_path)
    for i in range(MIN_FILES + 5):
        (tmp_path / f"s{i:02d}.py").write_text("x = 1\n")
    settings = load_settings(["."])
    terminal, pipe = Terminal(), io.StringIO()
    assert run(["."], settings, progress_stream=terminal).files_checked == MIN_FILES + 5
    run(["."], settings, progress_stream=pipe)
    assert f"checked {MIN_FILES + 5}/{MIN_FILES + 5} files" in terminal.getvalue()
    assert pipe.getvalue() == ""


def test_cli_output_in_a_pipe_has_no_progress(cli, tmp_path):
    for i in range(MIN_FILES + 5):
        (tmp_path / f"s{i:02d}.py").write_text("x = 1\n")
    result = cli(".", "--no-cache", cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stderr == "" and result.stdout == f"No findings in {MIN_FILES + 5} files\n"
