"""The cyclic collector is paused while a command-line process imports the analysis, and back on from
the first file the engine checks (tflint_gesture/startup.py)."""

from __future__ import annotations

import gc
import subprocess
import sys

from helpers import ONE_HOT_MODEL, REPO_ROOT, SPARSE_COMPILE

from tflint_gesture import engine, startup


def test_the_engine_resumes_a_paused_collector_and_leaves_a_stopped_one_alone():
    assert gc.isenabled()
    try:
        startup.pause_collector()
        assert not gc.isenabled()
        found = engine.check_text("t.py", ONE_HOT_MODEL + SPARSE_COMPILE + "model.fit(x, y_onehot)\n")
        assert "TFG101" in {f.code for f in found}
        assert gc.isenabled(), "the first checked file did not turn the collector back on"
        gc.disable()  # stopped by someone else: the engine neither turns it on nor leaves it on
        engine.check_text("t.py", ONE_HOT_MODEL)
        assert not gc.isenabled()
        assert gc.get_freeze_count() > 0, "the import-time objects were not moved out of the collector's reach"
    finally:
        startup._paused = False
        gc.unfreeze()
        gc.enable()


def test_a_fast_command_line_runs_paused_until_the_check_and_typer_ones_never_pause(tmp_path):
    """Through `cli.main`: paused for a command line the fast parser read, on again once a file was
    checked; a command line typer reads (here --list-rules) never pauses it."""
    (tmp_path / "train.py").write_text(ONE_HOT_MODEL)
    code = ("import gc, sys\nfrom tflint_gesture import cli, engine\nseen = []\n"
            "real = engine.check_text\n"
            "def spy(*a, **k):\n    seen.append(gc.isenabled())\n    out = real(*a, **k)\n"
            "    seen.append(gc.isenabled())\n    return out\n"
            "engine.check_text = spy\n"
            "try:\n    cli.main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print('@@', seen, gc.isenabled())\n")
    env = {"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"}
    fast = subprocess.run([sys.executable, "-c", code, "train.py", "--no-cache", "-q"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert fast.stdout.splitlines()[-1] == "@@ [False, True] True", fast.stderr
    typer = subprocess.run([sys.executable, "-c", code, "--list-rules"], cwd=tmp_path, env=env, capture_output=True,
                           text=True, timeout=120)
    assert typer.stdout.splitlines()[-1] == "@@ [] True", typer.stderr
