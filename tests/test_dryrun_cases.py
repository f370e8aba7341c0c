"""The dry run against real TensorFlow: every confirmable rule confirmed on a buggy case and refuted on
its fixed twin, every run-only code raised on its case and silent on the fix, the TFG8xx pages'
examples, and the seed snippets of the project brief.

The cases live in tests/dryrun_cases/ (`<code>_bad.py` / `<code>_fixed.py`). A fixed twin has no
static finding, so it is judged with the measurements of the rule it fixes requested explicitly.
"""

from __future__ import annotations

import pytest
from seed_snippets import SEED_000_EXAMPLE_1, SEED_000_EXAMPLE_3
from dryrun_support import CASES, case, dry_run_text, needs_tensorflow, session_fixture

pytestmark = [pytest.mark.tensorflow, needs_tensorflow]

session = session_fixture()

CONFIRMABLE = ["TFG101", "TFG102", "TFG103", "TFG105", "TFG106", "TFG201", "TFG203", "TFG401", "TFG404", "TFG502",
               "TFG601"]
RUN_ONLY = ["TFG801", "TFG802", "TFG803", "TFG804"]


def _only(findings, code):
    found = [f for f in findings if f.code == code]
    assert len(found) == 1, f"expected one {code}, got {[(f.code, f.line) for f in findings]}"
    return found[0]


@pytest.mark.parametrize("code", CONFIRMABLE)
def test_static_finding_confirmed_on_the_bug(session, code):
    findings, runs = dry_run_text(session, case(f"{code.lower()}_bad.py"), f"{code.lower()}_bad.py")
    finding = _only(findings, code)
    assert finding.confirmation == "confirmed", finding.observation
    assert finding.observation
    assert not [f for f in findings if f.code.startswith("TFG8")], "a run-only code repeated a static finding"


@pytest.mark.parametrize("code", CONFIRMABLE)
def test_same_measurement_refutes_on_the_fixed_twin(session, code):
    from tflint_gesture.dryrun import confirm

    text = case(f"{code.lower()}_fixed.py")
    findings, runs = dry_run_text(session, text, f"{code.lower()}_fixed.py", extra_codes={code})
    assert findings == [], [(f.code, f.line, f.observation) for f in findings]
    (run,) = runs
    assert run.ran, run.not_run_reason()
    verdict, observation = confirm.verdict(code, run)
    assert verdict == "refuted", observation


@pytest.mark.parametrize("code", RUN_ONLY)
def test_run_only_code_on_its_case(session, code):
    findings, _ = dry_run_text(session, case(f"{code.lower()}_bad.py"), f"{code.lower()}_bad.py")
    finding = _only(findings, code)
    assert finding.confirmation == "confirmed"
    assert [f.code for f in findings] == [code], "the case must have no other finding"


@pytest.mark.parametrize("code", RUN_ONLY)
def test_run_only_code_silent_on_the_fix(session, code):
    findings, runs = dry_run_text(session, case(f"{code.lower()}_fixed.py"), f"{code.lower()}_fixed.py")
    assert findings == []
    assert all(run.ok for run in runs)


def test_fit_raised_points_at_the_users_line(session):
    text = case("tfg801_bad.py")
    finding = _only(dry_run_text(session, text)[0], "TFG801")
    assert "keras.ops.reshape(inputs, (-1, 20, 3))" in text.splitlines()[finding.line - 1]
    assert "Input to reshape is a tensor with" in finding.message


def test_run_only_code_silent_where_the_static_pass_named_the_cause(session):
    # The loss raises on the one-hot labels: TFG801 would say so, but TFG101 already does.
    findings, runs = dry_run_text(session, case("tfg101_bad.py"))
    assert [f.code for f in findings] == ["TFG101"]
    assert runs[0].error is not None and runs[0].error["phase"] == "loss"


def test_softmax_head_with_from_logits_is_masked_on_keras_3(session):
    """Keras 3 on TensorFlow takes the values before a final softmax when from_logits=True (it warns): the dry
    run measures that, and says the bug is masked here rather than refuting it (tf.keras 2 applies it twice)."""
    import keras

    finding = _only(dry_run_text(session, case("tfg105_softmax_head.py"))[0], "TFG105")
    if int(keras.__version__.split(".")[0]) >= 3:
        assert finding.confirmation == "inconclusive", finding.observation
        assert "masks the bug" in finding.observation and "before the softmax" in finding.observation
    else:
        assert finding.confirmation == "confirmed", finding.observation


def test_single_unit_softmax_observation_has_the_numbers(session):
    finding = _only(dry_run_text(session, case("tfg201_bad.py"))[0], "TFG201")
    assert "the output is 1.0 for every sample" in finding.observation and "float32 rounding" in finding.observation
    assert "->" in finding.observation  # the measured losses


def test_rules_without_a_measurement_are_not_run(session):
    findings, _ = dry_run_text(session, case("tfg105_bad.py"))
    dropout = _only(findings, "TFG205")
    assert dropout.confirmation == "not-run"
    assert "cannot show" in dropout.observation


def test_model_needing_data_is_not_run_with_the_reason(session):
    text = '''import numpy as np
from tensorflow import keras

x = np.load("windows.npy")
y = np.load("labels.npy")
n_features = x.shape[1]
model = keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(1, activation="softmax")])
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(x, y, validation_split=0.2)
'''
    findings, runs = dry_run_text(session, text)
    finding = _only(findings, "TFG201")
    assert finding.confirmation == "not-run"
    assert "`n_features` (line 6)" in finding.observation and "`x` (line 4)" in finding.observation
    assert runs[0].answer is None


# ------------------------------------------------------------------------------------ rule pages
@pytest.mark.parametrize("code", RUN_ONLY)
def test_rule_page_examples_through_the_dry_run(session, code):
    from test_rule_pages import RULES_DIR, first_python_block

    page = (RULES_DIR / f"{code}.md").read_text(encoding="utf-8")
    example = first_python_block(page, "Example")
    findings, _ = dry_run_text(session, example, "example.py")
    assert any(f.code == code for f in findings), [(f.code, f.observation) for f in findings]
    fixed = first_python_block(page, "Use instead")
    findings, runs = dry_run_text(session, fixed, "use_instead.py")
    assert findings == [], [(f.code, f.observation) for f in findings]
    assert runs and all(run.ok for run in runs)


# ------------------------------------------------------------------------------------ the seeds


@pytest.mark.parametrize("source, code, words", [
    (SEED_000_EXAMPLE_1, "TFG101", "target.shape=(16, 5)"),
    (SEED_000_EXAMPLE_3, "TFG103", "outside the valid range"),
], ids=["seed000-ex1-2d-int-labels", "seed000-ex3-regression-sparse-loss"])
def test_seed_snippets_confirmed(session, source, code, words):
    findings, _ = dry_run_text(session, source, "seed.py")
    finding = _only(findings, code)
    assert finding.confirmation == "confirmed"
    assert words in finding.observation


# ------------------------------------------------------------------------------------ Keras 1/2 scripts
def test_keras1_channels_first_script_is_translated_and_judged(session):
    findings, runs = dry_run_text(session, case("keras2_channels_first_raw_pixels.py"), "k1.py")
    (run,) = runs
    assert run.ok, run.answer
    finding = _only(findings, "TFG401")
    assert finding.confirmation == "confirmed", finding.observation
    for words in ("Convolution2D(filters, 3, 3) -> kernel_size=(3, 3)", "border_mode= -> padding=",
                  "set_image_dim_ordering('th') -> set_image_data_format('channels_first')", "lr= -> learning_rate=",
                  "receives values 0..255", "TensorFlow 2."):
        assert words in finding.observation, finding.observation
    assert not [f for f in findings if f.code.startswith("TFG8")]


def test_first_kernel_inside_a_frozen_nested_base_is_measured(session):
    from tflint_gesture.dryrun import confirm

    findings, runs = dry_run_text(session, case("tfg401_frozen_base.py"), "frozen.py")
    finding = _only(findings, "TFG401")
    assert finding.confirmation == "confirmed", finding.observation
    assert "`Conv1` receives values 0..255" in finding.observation
    findings, runs = dry_run_text(session, case("tfg401_frozen_base_fixed.py"), "fixed.py", extra_codes={"TFG401"})
    assert findings == []
    (run,) = runs
    verdict, observation = confirm.verdict("TFG401", run)
    assert verdict == "refuted", observation
    assert "`Conv1` receives values -1..1" in observation


def test_channels_first_runs_channels_last_where_the_cpu_refuses_nchw(monkeypatch):
    """Without oneDNN, TensorFlow's CPU Conv2D refuses NCHW: the model is rebuilt channels_last when no layer
    depends on the layout, and is not-run (never a TFG801, never a confirmation) when one does."""
    from tflint_gesture.dryrun.run import Session

    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    with Session() as cpu_nhwc_only:
        findings, runs = dry_run_text(cpu_nhwc_only, case("keras2_channels_first_raw_pixels.py"), "k1.py")
        finding = _only(findings, "TFG401")
        assert finding.confirmation == "confirmed", finding.observation
        assert "run channels_last" in finding.observation and "(1, 28, 28) -> (28, 28, 1)" in finding.observation
        findings, runs = dry_run_text(cpu_nhwc_only, case("keras2_channels_first_reshape.py"), "reshape.py")
    finding = _only(findings, "TFG401")
    assert finding.confirmation == "not-run", finding.observation
    assert "channels_first" in finding.observation and "`reshape` (Reshape)" in finding.observation
    assert not [f for f in findings if f.code.startswith("TFG8")]


KERAS2_FIXTURES = sorted((CASES.parent.parent / "fixtures" / "keras2").glob("*.py"))


@pytest.mark.parametrize("path", KERAS2_FIXTURES, ids=lambda p: p.name)
def test_keras2_era_fixtures_build_under_keras_3(session, path):
    """The Keras 1/2-era fixtures: every model builds after translation; a marked bug the run can judge is
    confirmed (or not run for a reason that is not the build); a clean twin gets no run-only finding."""
    from test_fixtures import parse_expectations

    from tflint_gesture.dryrun import confirm

    text = path.read_text(encoding="utf-8")
    findings, runs = dry_run_text(session, text, path.name)
    assert runs, "the slicer found no model"
    sliced = [run for run in runs if run.reason is None]  # the others need data the dry run does not load
    assert all(run.translations for run in sliced), "a Keras 1/2-era fixture needs at least one translation"
    for run in sliced:
        assert run.ran, run.answer  # built, compiled and trained (or raised in the loss: the marked bug)
        assert not (run.error and run.error.get("phase") == "build"), run.error
    expected = parse_expectations(text, path.name)
    judged = [f for f in findings if (f.line, f.code) in expected and f.code in confirm.RULES]
    for finding in judged:
        assert finding.confirmation in ("confirmed", "not-run"), (finding.code, finding.observation)
        if finding.confirmation == "not-run":
            assert "could not build" not in finding.observation
    assert not [f for f in findings if f.code.startswith("TFG8")], [(f.code, f.observation) for f in findings]
    if path.name.startswith("bad_"):
        assert judged, [(f.code, f.line) for f in findings]  # the marked bug is one the run can judge
