"""`--jobs N`: the same findings, errors and order as a serial run, with the work really spread
over worker processes."""

from __future__ import annotations

import os
import shutil

import pytest
from helpers import REPO_ROOT

from tflint_gesture import engine, parallel
from tflint_gesture.config import load_settings
from tflint_gesture.runner import run


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    """Every fixture (scripts and notebooks) in `a/`, the first dozen scripts in `b/`."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(REPO_ROOT / "fixtures", tmp_path / "a")
    (tmp_path / "b").mkdir()
    for script in sorted((REPO_ROOT / "fixtures").glob("*.py"))[:12]:
        shutil.copy(script, tmp_path / "b" / script.name)
    return tmp_path


@pytest.fixture
def pids(monkeypatch, tmp_path):
    """The process ids that ran the engine (written to files: workers are other processes)."""
    folder = tmp_path / "_pids"
    folder.mkdir()
    real = engine.check_file

    def recording(path, settings=None, display_path=None):
        (folder / str(os.getpid())).touch()
        return real(path, settings, display_path=display_path)

    monkeypatch.setattr(engine, "check_file", recording)
    return lambda: {int(p.name) for p in folder.iterdir()}


def lint(jobs: int, folders=("a", "b")):
    settings = load_settings(list(folders))
    return run(list(folders), settings, jobs=jobs)


def test_two_jobs_match_one_job_exactly(corpus, pids):
    serial = lint(1)
    assert pids() == {os.getpid()}
    for p in (corpus / "_pids").iterdir():
        p.unlink()
    spread = lint(2)
    workers = pids()
    assert os.getpid() not in workers and len(workers) == 2  # both workers did some of the files
    assert spread.files_checked == serial.files_checked > 2 * parallel.PARALLEL_MIN_FILES
    assert [f.to_dict() for f in spread.findings] == [f.to_dict() for f in serial.findings]
    assert spread.errors == serial.errors
    assert len({f.path.split("/")[0] for f in serial.findings}) == 2


def test_unsorted_results_come_back_in_input_order(corpus):
    files = sorted((corpus / "b").glob("*.py"))[::-1]
    settings = load_settings(["b"])
    shown = [str(p.relative_to(corpus)) for p in files]
    serial = parallel.check_files(files, shown, settings, jobs=1)
    spread = parallel.check_files(files, shown, settings, jobs=2)
    assert len(files) >= parallel.PARALLEL_MIN_FILES
    assert [[f.to_dict() for f in found] for found, _ in spread] == [[f.to_dict() for f in found] for found, _ in serial]
    first_paths = [found[0].path for found, _ in spread if found]
    assert first_paths == [s for s, (found, _) in zip(shown, spread) if found]


def test_an_internal_error_in_a_worker_is_reported_like_in_a_serial_run(corpus, monkeypatch):
    real = engine.check_file
    broken = {sorted((corpus / "b").glob("*.py"))[3].name, sorted((corpus / "b").glob("*.py"))[8].name}

    def flaky(path, settings=None, display_path=None):
        if path.name in broken:
            raise ValueError("bad day")
        return real(path, settings, display_path=display_path)

    monkeypatch.setattr(engine, "check_file", flaky)
    serial, spread = lint(1, ["b"]), lint(2, ["b"])
    assert len(serial.errors) == len(broken) and spread.errors == serial.errors
    assert all("ValueError: bad day" in e for e in serial.errors)
    assert [f.to_dict() for f in spread.findings] == [f.to_dict() for f in serial.findings]


def test_few_files_stay_in_this_process(tmp_path, monkeypatch, pids):
    monkeypatch.chdir(tmp_path)
    for i in range(parallel.PARALLEL_MIN_FILES - 1):
        (tmp_path / f"s{i}.py").write_text("x = 1\n")
    result = run(["."], load_settings(["."]), jobs=2)
    assert result.files_checked == parallel.PARALLEL_MIN_FILES - 1
    assert pids() == {os.getpid()}


def test_jobs_option(cli, tmp_path):
    (tmp_path / "t.py").write_text("x = 1\n")
    assert cli("t.py", "--jobs", "0", cwd=tmp_path).exit_code == 2
    assert "--jobs must be 1 or more" in cli("t.py", "-j", "0", cwd=tmp_path).stderr
    assert cli("t.py", "-j", "3", "--no-cache", cwd=tmp_path).exit_code == 0
    assert parallel.default_jobs() >= 1


def test_the_pool_gets_the_longest_files_first(tmp_path, monkeypatch):
    """Workers take the longest files first (the analysis time follows the length), so that no worker is
    left alone with a big file at the end; the results still come back in input order."""
    sizes = [3, 50, 7, 200, 1, 90, 20, 5, 60]
    files = []
    for index, lines in enumerate(sizes):
        files.append(tmp_path / f"f{index}.py")
        files[-1].write_text("x = 1\n" * lines)
    handed: list = []

    class RecordingPool:
        def __init__(self, **_settings):
            pass

        def map(self, work, items, chunksize):
            handed.extend(items)
            return [([], None, None) for _ in items]

        def shutdown(self, **_settings):
            pass

    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", RecordingPool)
    shown = [path.name for path in files]
    results = parallel.check_files(files, shown, load_settings([str(tmp_path)]), jobs=2)
    assert len(files) >= parallel.PARALLEL_MIN_FILES
    assert [name for _, name in handed] == [shown[i] for i in sorted(range(len(sizes)), key=lambda i: -sizes[i])]
    assert results == [([], None)] * len(files)
