"""The mutant benchmark (bench/bench_mutants.py) on a few clean scripts: its operators write real
single bugs, its judge credits only a new finding of the operator's codes near the mutation, and
its output does not change from one run to the next."""

from __future__ import annotations

import sys

from helpers import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "bench"))

import bench_mutants  # noqa: E402
from mutation_operators import OPERATORS, Module  # noqa: E402

MNIST = REPO_ROOT / "fixtures" / "clean_mnist_digits_ten_output_units.py"
BINARY = REPO_ROOT / "fixtures" / "clean_pinch_detector_sigmoid_single_unit.py"


def _by(outcomes):
    return {(o.operator, o.line): o for o in outcomes}


def test_a_clean_script_mutated_one_bug_at_a_time():
    outcomes, originals = bench_mutants.run_file(MNIST)
    assert originals == []  # the clean original has no finding
    got = _by(outcomes)
    # The sparse loss becomes categorical on class ids (line 22): TFG102 at that compile.
    twin = got[("loss-sparse-twin", 22)]
    assert twin.verdict == "detected" and "22 TFG102" in twin.found
    assert got[("softmax-to-sigmoid", 20)].verdict == "detected"
    assert got[("head-units-minus-one", 20)].verdict == "detected"
    # `/ 255.0` removed on line 9 (the training images): raw pixels reach the fit.
    assert got[("drop-pixel-scaling", 9)].verdict == "detected"
    # no operator applies where the script has nothing to mutate: it has no to_categorical, no from_logits
    assert not any(o.operator in ("drop-to-categorical", "drop-from-logits") for o in outcomes)


def test_mutants_are_valid_python_and_change_one_place():
    text = MNIST.read_text(encoding="utf-8")
    mod = Module(text)
    for operator in OPERATORS:
        for site in operator.find(mod):
            mutated = mod.mutate(site)
            compile(mutated, str(MNIST), "exec")
            changed = [i for i, (a, b) in enumerate(zip(text.splitlines(), mutated.splitlines())) if a != b]
            assert mutated != text and changed and changed[0] + 1 >= site.line, (operator.name, site.note)


def test_the_judge_needs_an_expected_code_near_the_mutation():
    operator = next(op for op in OPERATORS if op.name == "loss-sparse-twin")
    site = next(operator.find(Module(MNIST.read_text(encoding="utf-8"))))

    class F:
        def __init__(self, code, line):
            self.code, self.line, self.evidence, self.path = code, line, [], "t.py"

    assert bench_mutants.judge(operator, site, [], [F("TFG102", 22)], 0)[0] == "detected"
    assert bench_mutants.judge(operator, site, [], [F("TFG401", 22)], 0)[0] == "missed"  # not its code
    assert bench_mutants.judge(operator, site, [], [F("TFG102", 2)], 0)[0] == "far"  # not near line 22
    # a finding the original already had is not new
    assert bench_mutants.judge(operator, site, [F("TFG102", 22)], [F("TFG102", 22)], 0)[0] == "missed"


def test_the_report_is_deterministic_and_lists_the_misses():
    first = bench_mutants.run_file(BINARY)
    second = bench_mutants.run_file(BINARY)
    assert first == second
    outcomes, originals = first
    text = bench_mutants.report(outcomes, originals, 1)
    assert text.startswith("1 clean scripts, ")
    assert "| sigmoid-to-softmax-1-unit | 1 | 1 |" in text  # softmax over the one unit: TFG201
    for o in outcomes:
        if o.verdict == "missed":
            assert f"{o.file}:{o.line} {o.operator}" in text
