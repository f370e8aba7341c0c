"""Verdicts and run-only findings from measured answers (no TensorFlow: the answers are written here the
way the worker reports them), and the synthetic data specs built from facts."""

from __future__ import annotations

import libcst as cst
import pytest

from tflint_gesture.dryrun import confirm, synth
from tflint_gesture.dryrun.materialize import BATCH, SEED, batch_for, materialize, materialize_labels
from tflint_gesture.dryrun.confirm import ModelRun
from tflint_gesture.findings import Finding, Severity


def run_with(answer=None, reason=None, **fields) -> ModelRun:
    run = ModelRun(path="t.py", lines={10, 11, 12}, anchor_line=12, loss_line=11, model_line=10, fit_line=12,
                   answer=answer, reason=reason, **fields)
    return run


def ok(**values) -> dict:
    base = {"status": "ok", "x_source": "facts", "y_source": "facts", "losses": [1.0, 0.9, 0.8, 0.7], "grad_norm": 1.0, "none_grads": 0, "trainable": 4,
            "outputs": {"shape": [3], "min": 0.1, "max": 0.6, "mean": 0.33, "all_one": False, "in_unit": True,
                        "rows_sum_to_one": True, "finite": True},
            "x": {"shape": [16, 8], "dtype": "float32"}, "y": {"shape": [16], "dtype": "int32"},
            "x_note": "x", "y_note": "y", "checks": {}}
    base.update(values)
    return base


def test_not_run_keeps_the_reason():
    verdict, observation = confirm.verdict("TFG201", run_with(reason="the model needs `n` (line 3)"))
    assert verdict == "not-run" and "line 3" in observation
    assert confirm.verdict("TFG201", None)[0] == "not-run"


def test_rule_without_measurement_is_not_run():
    assert confirm.verdict("TFG301", run_with(ok()))[0] == "not-run"


@pytest.mark.parametrize("all_one, expected", [(True, "confirmed"), (False, "refuted")])
def test_single_unit_softmax(all_one, expected):
    answer = ok(losses=[0.7, 0.7, 0.7, 0.7])
    answer["outputs"].update(all_one=all_one, shape=[1])
    verdict, observation = confirm.verdict("TFG201", run_with(answer))
    assert verdict == expected
    if all_one:
        assert "frozen at 0.7" in observation


@pytest.mark.parametrize("value", [1 - 6e-8, 1 + 6e-8, 0.99999994])
def test_single_unit_softmax_within_float32_rounding_is_confirmed(value):
    """A one-unit softmax returns 0.99999994 on some CPUs: float32 rounding, not a varying output."""
    import numpy as np

    from tflint_gesture.dryrun.measure import output_stats

    stats = output_stats(np.full((16, 1), value, dtype="float64"))
    assert stats["all_one"] and stats["constant"] and stats["in_unit"]
    answer = ok(losses=[0.7, 0.7 + 6e-8, 0.7 - 6e-8, 0.7], outputs=stats)
    verdict, observation = confirm.verdict("TFG201", run_with(answer))
    assert verdict == "confirmed", observation
    assert "float32 rounding" in observation and "frozen at 0.7" in observation


@pytest.mark.parametrize("value", [1 - 1e-4, 0.9])
def test_single_unit_output_clearly_below_one_is_not_all_one(value):
    import numpy as np

    from tflint_gesture.dryrun.measure import output_stats

    values = np.full((16, 1), 1.0)
    values[3, 0] = value
    stats = output_stats(values)
    assert not stats["all_one"] and not stats["constant"]
    verdict, observation = confirm.verdict("TFG201", run_with(ok(outputs=stats)))
    assert verdict == "refuted", observation


def test_spare_output_unit_advice_is_not_judged_by_a_fit():
    """TFG203's info variant (one unit more than 0-based ids need) trains fine: the run neither confirms nor
    refutes it, while the error variant on the same run is still judged."""
    answer = ok(y={"shape": [16], "dtype": "int32"})
    answer["outputs"]["shape"] = [4]
    run = run_with(answer, loss_name="sparse_categorical_crossentropy")
    verdict, observation = confirm.verdict("TFG203", run, "info")
    assert verdict == "not-run" and "spare output unit" in observation
    assert confirm.verdict("TFG203", run, "error")[0] != "not-run"


def test_label_shapes_raise_broadcast_or_fit():
    raised = ok(status="error", error={"type": "ValueError", "message": "shapes differ", "phase": "loss"})
    assert confirm.verdict("TFG101", run_with(raised))[0] == "confirmed"
    broadcast = ok(y={"shape": [16, 2], "dtype": "float32"})
    broadcast["outputs"]["shape"] = [1]
    assert confirm.verdict("TFG502", run_with(broadcast, loss_name="mean_squared_error"))[0] == "confirmed"
    fine = ok(y={"shape": [16, 1], "dtype": "float32"})
    fine["outputs"]["shape"] = [1]
    assert confirm.verdict("TFG502", run_with(fine, loss_name="mean_squared_error"))[0] == "refuted"
    sparse = ok(y={"shape": [16], "dtype": "int32"})
    assert confirm.verdict("TFG101", run_with(sparse, loss_name="sparse_categorical_crossentropy"))[0] == "refuted"
    guessed = ok(y_source="loss")
    assert confirm.verdict("TFG102", run_with(guessed))[0] == "inconclusive"


def test_learning_rate_comparison():
    slow = ok(losses=[1.4, 1.4, 1.4, 1.4], learning_rate=1e-7,
              checks={"learning_rate": {"losses": [1.4, 1.3, 1.2, 1.1], "learning_rate": 1e-3}})
    assert confirm.verdict("TFG601", run_with(slow))[0] == "confirmed"
    same = ok(losses=[1.4, 1.3, 1.2, 1.1], learning_rate=1e-3,
              checks={"learning_rate": {"losses": [1.4, 1.3, 1.2, 1.1], "learning_rate": 1e-3}})
    assert confirm.verdict("TFG601", run_with(same))[0] == "refuted"
    diverged = ok(losses=[1.4, 30.0, "nan", "nan"], learning_rate=5.0,
                  checks={"learning_rate": {"losses": [1.4, 1.3, 1.2, 1.1], "learning_rate": 1e-3}})
    assert confirm.verdict("TFG601", run_with(diverged))[0] == "confirmed"
    # a tenfold jump at the script's rate (and none at the usual one) is the unstable training the rule names,
    # even when the last step happens to come back near the start (RMSprop at 0.5, measured)
    spiked = ok(losses=[1.764, 25460.0, 11.7, 1.682], learning_rate=0.5,
                checks={"learning_rate": {"losses": [1.764, 1.612, 1.556, 1.525], "learning_rate": 1e-3}})
    assert confirm.verdict("TFG601", run_with(spiked))[0] == "confirmed"
    both_jump = ok(losses=[1.764, 25460.0, 11.7, 1.682], learning_rate=0.5,
                   checks={"learning_rate": {"losses": [1.764, 30.0, 1.556, 1.525], "learning_rate": 1e-3}})
    assert confirm.verdict("TFG601", run_with(both_jump))[0] == "inconclusive"


@pytest.mark.parametrize("spread, expected", [(255.0, "confirmed"), (1.0, "refuted"), (12.0, "inconclusive")])
def test_raw_pixels_threshold(spread, expected):
    answer = ok(first_layer={"layer": "conv2d", "min": 0.0, "max": spread, "spread": spread})
    assert confirm.verdict("TFG401", run_with(answer))[0] == expected


@pytest.mark.parametrize("spread, expected", [(0.0039, "confirmed"), (1.0, "refuted"), (0.05, "inconclusive")])
def test_double_scaling_threshold(spread, expected):
    answer = ok(first_layer={"layer": "dense", "min": 0.0, "max": spread, "spread": spread})
    assert confirm.verdict("TFG404", run_with(answer))[0] == expected


# ------------------------------------------------------------------------------------ run-only codes
def test_run_only_codes_from_answers():
    nan = confirm.run_only(run_with(ok(losses=[2.3, "nan", "nan", "nan"])))
    assert [(f.code, f.line) for f in nan] == [("TFG802", 12)]
    frozen = confirm.run_only(run_with(ok(losses=[1.5, 1.5, 1.5, 1.5], trainable=0)))
    assert [f.code for f in frozen] == ["TFG803"] and "no trainable weights" in frozen[0].message
    exploding = confirm.run_only(run_with(ok(grad_norm=5e4)))
    assert [f.code for f in exploding] == ["TFG804"]
    vanishing = confirm.run_only(run_with(ok(grad_norm=1e-9)))
    assert [f.code for f in vanishing] == ["TFG804"] and "vanish" in vanishing[0].message
    assert confirm.run_only(run_with(ok())) == []


def test_fit_raised_needs_a_shape_or_dtype_error():
    shape = ok(status="error", error={"type": "ValueError", "message": "Input 0 is incompatible", "phase": "forward",
                                      "slice_line": None, "layer_slice_line": 2, "shape_or_dtype": True})
    run = run_with(shape, line_map=[7, 10, 11])
    (finding,) = confirm.run_only(run)
    assert finding.code == "TFG801" and finding.line == 10  # the line that created the layer
    guessed = ok(status="error", y_source="loss", error={"type": "ValueError", "message": "shapes", "phase": "loss",
                                                         "shape_or_dtype": True})
    assert confirm.run_only(run_with(guessed)) == []  # labels made up to fit the loss prove nothing
    other = ok(status="error", error={"type": "NameError", "message": "name 'x' is not defined", "phase": "build",
                                      "slice_line": 1, "shape_or_dtype": False})
    assert confirm.run_only(run_with(other)) == []


def test_judge_silences_a_run_only_code_when_the_static_pass_named_the_cause():
    from tflint_gesture.dryrun.run import judge

    static = Finding(path="t.py", line=11, column=1, end_line=11, end_column=5, code="TFG601",
                     name="implausible-learning-rate", severity=Severity.WARNING, message="lr")
    run = run_with(ok(losses=[2.3, 80.0, "nan", "nan"]))
    new = judge("x = 1\n" * 20, "t.py", [static], [run])
    assert new == []
    assert static.confirmation == "confirmed" and "nan" in static.observation


def test_judge_respects_noqa_and_selection():
    from tflint_gesture.dryrun.run import judge

    text = "\n" * 11 + "model.fit(x, y)  # noqa: TFG802\n"
    assert judge(text, "t.py", [], [run_with(ok(losses=[1.0, "nan", "nan", "nan"]))]) == []
    text = "\n" * 11 + "model.fit(x, y)\n"
    (finding,) = judge(text, "t.py", [], [run_with(ok(losses=[1.0, "nan", "nan", "nan"]))])
    assert finding.code == "TFG802" and finding.confirmation == "confirmed" and finding.column == 1


# ------------------------------------------------------------------------------------ synthetic data
def facts_of(source: str):
    from tflint_gesture.facts import build_facts
    from tflint_gesture.facts.queries import inputs_of, labels_of

    facts = build_facts(cst.parse_module(source))
    (call,) = facts.fits()
    return inputs_of(call), labels_of(call), call.compile.loss


def test_specs_follow_the_facts():
    x, y, loss = facts_of('''
from tensorflow import keras
(x, y), _ = keras.datasets.mnist.load_data()
y1 = keras.utils.to_categorical(y, 10)
model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="categorical_crossentropy")
model.fit(x, y1)
''')
    spec = synth.input_spec(x)
    assert spec["dist"] == "pixels" and spec["shape"] == [28, 28] and spec["dtype"] == "uint8"
    labels = synth.label_spec(y, loss)
    assert labels["kind"] == "one_hot" and labels["classes"] == 10 and labels["source"] == "facts"


def test_specs_from_the_loss_when_labels_are_unknown():
    x, y, loss = facts_of('''
import numpy as np
from tensorflow import keras
x = np.load("x.npy")
y = np.load("y.npy")
model = keras.Sequential([keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x / 255.0, y)
''')
    labels = synth.label_spec(y, loss)
    assert labels["kind"] == "class_ids" and labels["source"] == "loss"
    assert synth.input_spec(x)["dist"] == "uniform"


def test_double_scaled_range():
    x, _, _ = facts_of('''
from tensorflow import keras
(x, y), _ = keras.datasets.mnist.load_data()
x = x / 255.0
x = x / 255.0
model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y)
''')
    spec = synth.input_spec(x)
    assert spec["dist"] == "uniform" and spec["high"] == pytest.approx(1 / 255) and spec["low"] == 0.0


def test_materialize_is_deterministic():
    np = pytest.importorskip("numpy")
    spec = {"shape": [4], "dtype": "float32", "dist": "pixels", "low": 0.0, "high": 255.0}
    a = materialize(spec, None, np.random.default_rng(SEED))
    b = materialize(spec, None, np.random.default_rng(SEED))
    assert a.shape == (BATCH, 4) and (a == b).all() and a.max() <= 255
    labels = materialize_labels({"kind": "one_hot", "classes": None}, [5], np.random.default_rng(0))
    assert labels.shape == (BATCH, 5) and (labels.sum(axis=1) == 1).all()
    assert batch_for([[28, 28, 1]]) == 16 and batch_for([[96, 96, 3]]) == 16
    assert batch_for([[128, 128, 3]]) == batch_for([[224, 224, 3]]) == 4
    assert batch_for([[96, 96, 3], [96, 96, 3]]) == 4  # the inputs of a sample together


def test_fit_raised_on_the_line_of_a_static_loss_finding_confirms_it():
    from tflint_gesture.dryrun.run import judge

    static = Finding(path="t.py", line=11, column=1, end_line=11, end_column=5, code="TFG107",
                     name="regression-loss-on-classifier", severity=Severity.WARNING, message="mse on softmax")
    answer = ok(status="error", error={"type": "InvalidArgumentError", "message": "Incompatible shapes: [16] vs. [16,3]",
                                       "phase": "loss", "shape_or_dtype": True})
    assert judge("x = 1\n" * 20, "t.py", [static], [run_with(answer)]) == []
    assert static.confirmation == "confirmed" and "Incompatible shapes" in static.observation
    unrelated = Finding(path="t.py", line=12, column=1, end_line=12, end_column=5, code="TFG301",
                        name="no-validation", severity=Severity.INFO, message="no validation")
    (new,) = judge("x = 1\n" * 20, "t.py", [unrelated], [run_with(answer)])
    assert new.code == "TFG801" and new.line == 11


def _build_error(message="Computed output size would be zero or negative", shape=True) -> dict:
    return {"status": "error", "error": {"type": "ValueError", "message": message, "phase": "build", "slice_line": 2,
                                         "layer_slice_line": 2, "shape_or_dtype": shape},
            "versions": {"keras": "3.15.1", "tensorflow": "2.21.0"}}


def test_translated_script_that_does_not_build_is_not_run_never_blamed():
    """A Keras 1/2 script Keras 3 cannot build after translation: not-run with the reason, no TFG801, no
    confirmation of a shape finding (the failure may be a Keras 2/3 difference)."""
    translated = run_with(_build_error(), line_map=[7, 10], translations=["border_mode= -> padding= (line 10)"])
    for code in ("TFG501", "TFG401", "TFG201"):
        verdict, observation = confirm.verdict(code, translated)
        assert verdict == "not-run", (code, observation)
        assert observation.startswith("could not build the model: ValueError")
        assert "border_mode= -> padding= (line 10)" in observation and "Keras 3.15.1" in observation
    assert confirm.run_only(translated) == []
    # The same error on a Keras 3 script is the script's own shape bug.
    modern = run_with(_build_error(), line_map=[7, 10])
    assert confirm.verdict("TFG501", modern)[0] == "confirmed"
    assert [f.code for f in confirm.run_only(modern)] == ["TFG801"]
    assert confirm.verdict("TFG401", modern)[0] == "not-run"


def test_observations_carry_the_versions():
    from tflint_gesture.dryrun.run import judge

    answer = ok(losses=[0.7, 0.7, 0.7, 0.7], versions={"keras": "3.15.1", "tensorflow": "2.21.0"})
    answer["outputs"].update(all_one=True, shape=[1])
    run = run_with(answer, translations=["lr= -> learning_rate= (line 11)"])
    finding = Finding(path="t.py", line=10, column=1, end_line=10, end_column=5, code="TFG201", name="x",
                      severity=Severity.ERROR, message="m")
    judge("", "t.py", [finding], [run])
    assert finding.confirmation == "confirmed"
    assert "Keras 3.15.1, TensorFlow 2.21.0" in finding.observation
    assert "Keras 1/2 API translated for the run: lr= -> learning_rate= (line 11)" in finding.observation


def test_observations_say_when_the_run_used_a_smaller_batch_or_fewer_steps():
    from tflint_gesture.dryrun.run import judge

    notes = ["a batch of 4 and 3 steps: samples of 150,528 values"]
    for run_notes, said in ((notes, True), ([], False)):
        answer = ok(losses=[0.7, 0.7, 0.7], run_notes=run_notes)
        answer["outputs"].update(all_one=True, shape=[1])
        finding = Finding(path="t.py", line=10, column=1, end_line=10, end_column=5, code="TFG201", name="x",
                          severity=Severity.ERROR, message="m")
        judge("", "t.py", [finding], [run_with(answer)])
        assert finding.confirmation == "confirmed"
        assert all(note in finding.observation for note in notes) is said, finding.observation


def test_model_shape_verdicts_say_what_was_assumed():
    """TFG501 compares the data with the declared input: inputs made from the model prove nothing. TFG503 is a
    rank problem inside a model that declares its input: running that input is the evidence, labels known."""
    from tflint_gesture.dryrun.run import judge

    from_model = ok(x_source="model", y_source="facts", versions={"keras": "3.15.1", "tensorflow": "2.21.0"})
    assert confirm.verdict("TFG501", run_with(from_model))[0] == "inconclusive"
    verdict, observation = confirm.verdict("TFG503", run_with(from_model))
    assert verdict == "refuted" and "declared input (assumed" in observation
    guessed_labels = ok(x_source="model", y_source="loss")
    assert confirm.verdict("TFG503", run_with(guessed_labels))[0] == "inconclusive"
    assert confirm.verdict("TFG501", run_with(ok(y_source="loss")))[0] == "refuted"  # data known, labels irrelevant
    finding = Finding(path="t.py", line=10, column=1, end_line=10, end_column=5, code="TFG105", name="x",
                      severity=Severity.WARNING, message="m")
    judge("", "t.py", [finding], [run_with(ok(x_source="model", y_source="loss"))])
    assert "inputs assumed shaped like the model's declared input" in finding.observation
    assert "labels assumed as the loss expects them" in finding.observation


@pytest.mark.parametrize("declared, fed, expected", [
    ([[24]], [16, 24, 1], "confirmed"),  # Keras 3 squeezes the extra axis and trains
    ([[180, 180, 3]], [8, 256, 256, 3], "confirmed"),  # a convolutional model trains on another size, with a warning
    ([[24, 1]], [16, 24, 1], "refuted"),
    ([[None, 3]], [16, 20, 3], "refuted"),  # a free time axis takes any length
])
def test_input_shape_mismatch_that_keras_lets_through_is_confirmed(declared, fed, expected):
    answer = ok(declared_inputs=declared, x={"shape": fed, "dtype": "float32"})
    verdict, observation = confirm.verdict("TFG501", run_with(answer))
    assert verdict == expected, observation
    if expected == "confirmed":
        assert "declared (" in observation and "fed (" in observation


def test_assumed_output_width_is_never_judged_against_the_labels():
    assumed = ["the output layer's units `n` (line 9) come from data the dry run does not load: 5 classes (assumed)"]
    for code in ("TFG203", "TFG502"):
        verdict, observation = confirm.verdict(code, run_with(ok(), assumptions=assumed))
        assert verdict == "not-run" and "output width was assumed" in observation
    raised = ok(status="error", error={"type": "ValueError", "message": "Arguments target and output must have the "
                                       "same rank", "phase": "loss", "shape_or_dtype": True})
    assert confirm.verdict("TFG102", run_with(raised, assumptions=assumed))[0] == "confirmed"  # rank, not width
    assert confirm.run_only(run_with(raised, assumptions=assumed)) == []
    assert [f.code for f in confirm.run_only(run_with(raised))] == ["TFG801"]


@pytest.mark.parametrize("kind, shape", [("class_ids", []), ("one_hot", [5]), ("class_ids", [3])])
def test_synthetic_labels_always_hold_the_largest_class(kind, shape):
    """A head one unit short must meet an out-of-range id in every run: a batch of 4 over 5 classes drawn at
    random misses a given id about 40% of the time, which would let the run refute a true bug."""
    import numpy as np

    for seed in range(20):
        labels = materialize_labels({"kind": kind, "classes": 5, "shape": shape, "source": "facts", "dtype": "int32"},
                                    [5], np.random.default_rng(seed), batch=4)
        ids = labels.argmax(axis=-1) if kind == "one_hot" else labels
        assert ids.max() == 4
