"""The helpers every test file shares: lint a snippet, build its facts, prove a silent rule looked, run the CLI.

Two promises hold for every helper here:
- a snippet that does not parse fails the test (a TFG001 is never mistaken for "no finding");
- a subprocess runs this checkout's code (the repository root first on PYTHONPATH), never an
  installed copy of tflint-gesture.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Callable, Iterable, Optional

REPO_ROOT = Path(__file__).resolve().parents[1]
# The CLI tests' common script: a landmark classifier whose labels are one-hot (lines 1-12). With
# `SPARSE_COMPILE` (line 13) and a fit on `y_onehot` it is the classic TFG101.
ONE_HOT_MODEL = '''import numpy as np
from tensorflow import keras

x = np.random.rand(500, 63)
y = np.random.randint(0, 5, size=(500,))
y_onehot = keras.utils.to_categorical(y, 5)

model = keras.Sequential([
    keras.Input(shape=(63,)),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dense(5, activation="softmax"),
])
'''
SPARSE_COMPILE = 'model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")\n'
BAD_SOURCE = "def f(:\n    pass\n"  # a syntax error: the engine reports TFG001 without any rule

# What a negative test can require the analysis to have seen before it trusts a silence.
_SEEN = {
    "model": lambda facts: bool(facts.models),
    "compile": lambda facts: bool(facts.compiles),
    "fit": lambda facts: bool(facts.fits()),
    "call": lambda facts: bool(facts.calls),
    "optimizer": lambda facts: bool(facts.optimizers),
    "tape": lambda facts: bool(facts.tape_blocks),
    "loss_call": lambda facts: bool(facts.loss_calls),  # a loss called by hand on a model's output
    "framework": lambda facts: bool(facts.frameworks),  # a TensorFlow/Keras import was recognised
    "legacy": lambda facts: bool(facts.legacy_uses),
}


def parse(text: str):
    """The libcst module of `text`; a snippet that does not parse fails here, loudly."""
    import libcst as cst

    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:  # pragma: no cover - a broken test, not a product bug
        raise AssertionError(f"the test's snippet does not parse: {exc}\n{text}") from None


def facts_of(src: str, header: str = "", path=None):
    """The facts of `header + dedent(src)`."""
    from tflint_gesture.facts import build_facts

    return build_facts(parse(header + textwrap.dedent(src)), path)


def lint(text: str, path: str = "t.py", settings=None) -> list:
    """Every finding of `text` (already assembled: no dedent), after asserting it parsed."""
    from tflint_gesture.engine import check_text

    found = check_text(path, text, settings)
    broken = [f for f in found if f.code == "TFG001"]
    assert not broken, f"the test's snippet was not analysed: {broken[0].message}\n{text}"
    return found


def codes(text: str, path: str = "t.py", settings=None) -> list[str]:
    """The sorted codes of every finding of `text`."""
    return sorted(f.code for f in lint(text, path, settings))


def assert_analysed(text: str, sees: str | Iterable[str] = "model", source_path=None):
    """Fail unless `text` parses and its facts hold each record named in `sees` (see `_SEEN`)."""
    facts = facts_of(text, path=source_path)
    for what in [sees] if isinstance(sees, str) else sees:
        assert _SEEN[what](facts), f"the analysis saw no {what} in the test's snippet:\n{text}"
    return facts


def assert_silent(text: str, *silenced: str, sees: str | Iterable[str] = "model", path: str = "t.py",
                  settings=None, where: Optional[Callable] = None) -> list:
    """A negative test done right: `text` parsed, the analysis saw what the rule is about (`sees`), and
    no finding of the `silenced` codes (prefixes allowed; none given: no finding at all) came out.
    `where(finding)` narrows which findings count (e.g. one message variant). Returns all findings."""
    assert_analysed(text, sees)
    found = lint(text, path, settings)
    hits = [f for f in found if (not silenced or f.code.startswith(silenced)) and (where is None or where(f))]
    assert not hits, "expected silence, got:\n" + "\n".join(f"{f.line}: {f.code} {f.message}" for f in hits)
    return found


def checkout_env(env: Optional[dict] = None, inherit: bool = True) -> dict:
    """os.environ (or, with `inherit=False`, nothing but PATH) with this checkout first on PYTHONPATH and
    NO_COLOR unset, updated by `env`."""
    full = dict(os.environ) if inherit else {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    full["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), full.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    full.pop("NO_COLOR", None)
    full.update(env or {})
    return full


def run_cli(*args: str, cwd: Path, env: Optional[dict] = None, inherit_env: bool = True, timeout: float = 300,
            preexec: Optional[Callable] = None, code: Optional[str] = None,
            input: Optional[str] = None) -> subprocess.CompletedProcess:
    """The real command in a fresh interpreter: `python -m tflint_gesture ARGS`, or `python -c CODE ARGS`
    for a harness that wraps it, importing this checkout."""
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "tflint_gesture", *args]
    return subprocess.run(command, cwd=cwd, env=checkout_env(env, inherit_env), capture_output=True, text=True,
                          timeout=timeout, preexec_fn=preexec, input=input)
