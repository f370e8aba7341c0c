"""The four seed snippets of issue 20 (../shared/seeds/, copied in tests/seed_snippets.py), as published,
must each be caught."""

from __future__ import annotations

from seed_snippets import SEED_000_EXAMPLE_1, SEED_000_EXAMPLE_3, SEED_001_PYTORCH, SEED_002_EXAMPLE_1, SEED_003_EXAMPLE_3
from tflint_gesture.engine import check_text
from tflint_gesture.findings import Severity


def codes(source: str) -> set:
    return {(f.code, f.severity) for f in check_text("seed.py", source)}


def test_seed_000_sparse_loss_on_2d_labels_and_regression_targets():
    assert ("TFG101", Severity.ERROR) in codes(SEED_000_EXAMPLE_1)
    assert ("TFG103", Severity.WARNING) in codes(SEED_000_EXAMPLE_3)  # a warning since the severity review (rules/TFG103.md)


def test_seed_001_pytorch_is_recognised():
    assert codes(SEED_001_PYTORCH) == {("TFG002", Severity.INFO)}


def test_seed_002_reshape_of_unknown_scaled_data_into_dense_is_a_rank_mismatch():
    found = [f for f in check_text("seed.py", SEED_002_EXAMPLE_1) if f.code == "TFG501"]
    assert len(found) == 1 and found[0].severity == Severity.WARNING
    assert "input_shape=(num_features,)" in found[0].message


def test_seed_002_look_alike_without_the_reshape_is_silent():
    fixed = SEED_002_EXAMPLE_1.replace("data_scaled = data_scaled.reshape(-1, num_features, 1)", "")
    assert "TFG501" not in {code for code, _ in codes(fixed)}
    assert "TFG301" in {code for code, _ in codes(fixed)}  # the fit itself is still seen


def test_seed_003_overwritten_accumulated_gradients():
    assert ("TFG701", Severity.WARNING) in codes(SEED_003_EXAMPLE_3)  # a dataflow heuristic: warning (rules/TFG701.md)
