"""Precision on real code: official Keras example scripts must come out clean.

tests/corpus/keras_examples/ holds verbatim copies of official examples from keras-team/keras-io
(and a few from keras-team/keras); see the NOTICE there. Those scripts are correct, so any
error or warning on them is a false positive of tflint-gesture. Info findings (advice, such as
TFG301 on a fit with no validation data) are allowed, but they are listed in the failure
message so that nobody is surprised by them.

These files are not fixtures: they carry no `# expect:` markers and tests/test_fixtures.py does
not read this directory. Do not edit them to make a test pass; fix the analysis instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tflint_gesture.engine import check_file
from tflint_gesture.findings import Finding, Severity

CORPUS_DIR = Path(__file__).resolve().parent / "corpus" / "keras_examples"
MIN_EXAMPLES = 25
BLOCKING = {Severity.ERROR, Severity.WARNING}
# Findings that are right: the pinned copy uses an API that current Keras removed (TFG602), and upstream
# changed the example since. Each must still be reported (so this list cannot go stale silently).
KNOWN_TRUE_POSITIVES = {
    # Keras 2.2-era example (keras-team/keras examples/, MIT period): Model.fit_generator is gone in Keras 3.
    ("keras_cifar10_cnn.py", "TFG602", 115): "fit_generator was removed in Keras 3",
    # `Adam(lr=...)`: ValueError on Keras 3, ignored by TF 2.11-2.15 (keras-team/keras-io#1441); the example
    # now reads `keras.optimizers.Adam(learning_rate=0.001)` (keras-team/keras-io#1619).
    ("collaborative_filtering_movielens.py", "TFG602", 165): "lr= was removed in Keras 3",
}


def example_files() -> list[Path]:
    return sorted(p for p in CORPUS_DIR.glob("*.py") if p.is_file())


def _example_id(path: Path) -> str:
    return path.name


def _format(findings: list[Finding]) -> str:
    return "\n".join(
        f"    {f.code} ({f.severity.value}) line {f.line}: {f.message}" for f in findings
    )


def test_enough_examples():
    files = example_files()
    assert len(files) >= MIN_EXAMPLES, f"only {len(files)} example scripts in {CORPUS_DIR}"
    assert (CORPUS_DIR / "NOTICE").is_file(), "the corpus must keep its NOTICE (license and origin)"


@pytest.mark.parametrize("path", example_files(), ids=_example_id)
def test_example_records_its_source(path: Path):
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("# Source: https://github.com/keras-team/"), (
        f"{path.name}: the first line must name the source repository, path and license"
    )
    assert "license:" in first_line, f"{path.name}: the first line must name the license"


@pytest.mark.parametrize("path", example_files(), ids=_example_id)
def test_example_has_no_error_or_warning(path: Path):
    findings = check_file(path)
    expected = {key for key in KNOWN_TRUE_POSITIVES if key[0] == path.name}
    found = {(path.name, f.code, f.line) for f in findings}
    assert expected <= found, f"{path.name}: known true positives no longer reported: {sorted(expected - found)}"
    blocking = [f for f in findings if f.severity in BLOCKING and (path.name, f.code, f.line) not in expected]
    if blocking:
        info = [f for f in findings if f.severity not in BLOCKING]
        parts = [
            f"{path.name}: an official Keras example got error/warning findings "
            f"(false positives unless the example itself is wrong):",
            _format(blocking),
        ]
        if info:
            parts += ["  info findings (allowed):", _format(info)]
        pytest.fail("\n".join(parts), pytrace=False)


def test_every_example_parses():
    """No TFG001 anywhere: every copy is valid Python 3 that the linter could read."""
    failures = []
    for path in example_files():
        failures += [f"{path.name}:{f.line}: {f.message}" for f in check_file(path) if f.code == "TFG001"]
    assert not failures, "TFG001 (nothing checked) on:\n" + "\n".join(failures)
