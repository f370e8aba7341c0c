"""The sandbox: hostile model-building code ends as `not-run` with the reason, leaves nothing behind,
and the next model still runs.

The requests go straight to the worker (the slicer would refuse most of these scripts before they
reach it; here the point is what happens when code gets through). Each hostile builder would work
outside the sandbox: the socket case has a real server listening, the write cases target real
writable paths.
"""

from __future__ import annotations

import os
import socket
import textwrap
from pathlib import Path

import pytest
from dryrun_support import needs_tensorflow, session_fixture

pytestmark = [pytest.mark.tensorflow, needs_tensorflow]

session = session_fixture(time_limit=6.0)

X = {"shape": [8], "dtype": "float32", "dist": "normal", "low": 0.0, "high": 1.0, "source": "facts", "note": "test"}
Y = {"kind": "class_ids", "classes": 3, "shape": [], "dtype": "int32", "source": "facts", "note": "test"}


def request(body: str) -> dict:
    """A slice whose model-building function first runs `body`."""
    source = textwrap.dedent('''
        import os, sys, time, importlib
        from tensorflow import keras

        def build():
        {body}
            model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(3, activation="softmax")])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
            return model

        __tflint_model__ = build()
    ''').format(body=textwrap.indent(textwrap.dedent(body).strip(), "    "))
    return {"id": "t", "source": source, "x": X, "y": Y, "steps": 3, "checks": {}}


def benign_runs(session) -> None:
    answer = session.run(request("pass"))
    assert answer["status"] == "ok", answer
    assert len(answer["losses"]) == 3


def test_benign_model_runs(session):
    benign_runs(session)
    assert session.stats.import_seconds is not None
    assert any("audit hook" in g for g in session.stats.guards)


def test_socket_is_refused(session):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.setblocking(False)
    port = server.getsockname()[1]
    try:
        answer = session.run(request(f'''
            sock = importlib.import_module("socket")
            sock.create_connection(("127.0.0.1", {port}), timeout=3).sendall(b"leak")
        '''))
        assert answer["status"] == "not-run", answer
        assert "refused" in answer["reason"]
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected
        answer = session.run(request(f'''
            sock = importlib.import_module("_socket")
            s = sock.socket(2, 1)
            s.connect(("127.0.0.1", {port}))
        '''))
        assert answer["status"] != "ok", answer
        with pytest.raises(BlockingIOError):
            server.accept()
    finally:
        server.close()
    benign_runs(session)


def test_write_outside_the_work_directory_is_refused(session, tmp_path):
    target = tmp_path / "leak.txt"
    answer = session.run(request(f'open({str(target)!r}, "w").write("leak")'))
    assert answer["status"] == "not-run", answer
    assert "refused" in answer["reason"] and "leak.txt" in answer["reason"]
    assert not target.exists()
    answer = session.run(request(f'os.makedirs({str(tmp_path / "made")!r})'))
    assert answer["status"] == "not-run"
    assert not (tmp_path / "made").exists()
    benign_runs(session)


@pytest.mark.parametrize("call", ["os.remove({p!r})", "os.unlink({p!r})", "os.rename({p!r}, {p!r} + '.moved')",
                                  "__import__('shutil').rmtree({d!r})"])
def test_deleting_or_moving_outside_the_work_directory_is_refused(session, tmp_path, call):
    victim = tmp_path / "keep" / "data.npy"
    victim.parent.mkdir()
    victim.write_bytes(b"user data")
    answer = session.run(request(call.format(p=str(victim), d=str(victim.parent))))
    assert answer["status"] == "not-run", answer
    assert victim.read_bytes() == b"user data"
    benign_runs(session)


def test_native_tensorflow_write_outside_is_refused(session, tmp_path):
    """tf.io.write_file is C++: only a kernel-level guard (Landlock) stops it."""
    from tflint_gesture.dryrun import landlock

    if landlock.abi_version() < 1:
        pytest.skip("Landlock is not available on this kernel: native writes are not confined (docs/security.md)")
    target = tmp_path / "native.txt"
    answer = session.run(request(f'''
        import tensorflow as tf
        tf.io.write_file({str(target)!r}, "leak")
    '''))
    assert answer["status"] != "ok", answer
    assert not target.exists()


def test_reading_the_users_files_is_refused(session):
    readme = Path(__file__).resolve().parents[1] / "README.md"
    answer = session.run(request(f'open({str(readme)!r}).read()'))
    assert answer["status"] == "not-run", answer
    assert "refused" in answer["reason"]


@pytest.mark.parametrize("body", [
    "os.fork()",
    'importlib.import_module("subprocess").run(["touch", MARKER])',
    'os.system("touch " + MARKER)',
], ids=["fork", "subprocess", "os.system"])
def test_new_processes_are_refused(session, tmp_path, body):
    marker = tmp_path / "spawned"
    answer = session.run(request(f"MARKER = {str(marker)!r}\n{body}"))
    assert answer["status"] == "not-run", answer
    assert not marker.exists()
    benign_runs(session)


def test_endless_model_is_stopped_and_the_next_one_runs(session):
    worker = session.worker
    answer = session.run(request("time.sleep(10 ** 6)"))
    assert answer["status"] == "not-run"
    assert "did not finish within 6 s" in answer["reason"]
    if worker is not None:
        assert worker.proc is None  # killed and cleaned up
    benign_runs(session)


# Its own worker, with a time limit that allocating the whole address-space cap (bounded work: a few
# seconds) cannot reach on any machine: the memory limit, not the clock, must stop the model.
roomy_session = session_fixture(time_limit=600.0)


def test_unbounded_allocation_is_stopped_by_the_memory_limit(roomy_session):
    answer = roomy_session.run(request('''
        hoard = []
        while True:
            hoard.append(bytearray(64 << 20))
    '''))
    assert answer["status"] == "not-run", answer
    assert "memory" in answer["reason"].lower(), answer
    assert "did not finish" not in answer["reason"], answer
    benign_runs(roomy_session)


def test_the_worker_runs_the_parents_copy_of_the_package(session):
    """An installed (older) tflint-gesture must not shadow the checkout that started the worker."""
    import tflint_gesture

    benign_runs(session)
    assert session.stats.package_file == os.path.abspath(tflint_gesture.__file__)


@pytest.mark.parametrize("body", ["sys.exit(3)", "os._exit(0)", "raise SystemExit", "os.abort()"])
def test_exit_is_not_run(session, body):
    answer = session.run(request(body))
    assert answer["status"] == "not-run", answer
    assert "end the process" in answer["reason"] or "sys.exit" in answer["reason"]
    benign_runs(session)


def test_killing_the_worker_is_not_run_and_the_next_model_runs(session):
    answer = session.run(request("os.kill(os.getpid(), 9)"))
    assert answer["status"] == "not-run"
    assert "worker" in answer["reason"]
    benign_runs(session)


def test_environment_holds_no_secrets(session, monkeypatch):
    monkeypatch.setenv("TFLINT_TEST_SECRET", "hunter2")
    session.close()  # a new worker, started with the secret in this process's environment
    answer = session.run(request('''
        if "TFLINT_TEST_SECRET" in os.environ or "hunter2" in repr(dict(os.environ)):
            raise RuntimeError("secret visible")
        if not os.getcwd().startswith(os.environ["HOME"]):
            raise RuntimeError("cwd is not the work directory")
    '''))
    assert answer["status"] == "ok", answer


def test_nothing_is_left_behind():
    from tflint_gesture.dryrun.run import Session
    from tflint_gesture.dryrun.sandbox import Limits

    session = Session(Limits(time_limit=6.0))
    try:
        assert session.run(request('open("scratch.txt", "w").write("inside the work dir is fine")'))["status"] == "ok"
        worker = session.worker
        workdir, pid = worker.workdir, worker.proc.pid
        assert os.path.isdir(workdir)
    finally:
        session.close()
    assert not os.path.exists(workdir)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
