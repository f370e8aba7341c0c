"""The new-rule scaffold writes a registered rule, its page, its catalogue entry and two fixtures, and
everything it writes fails the tests until the author has filled it in.

The scaffold writes into the package it runs from, so the tests run it on a copy of this checkout
(the package, the pages, an empty fixtures folder) in a fresh interpreter with the copy first on
PYTHONPATH: the checkout itself is never written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO_ROOT
from tflint_gesture.rules.new_rule import TODO, class_name

CODE, NAME = "TFG605", "warmup-missing-on-large-batch"


def _copy_checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    shutil.copytree(REPO_ROOT / "tflint_gesture", root / "tflint_gesture",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO_ROOT / "rules", root / "rules")
    shutil.copy(REPO_ROOT / "README.md", root / "README.md")
    (root / "fixtures").mkdir()
    return root


def _run(root: Path, *args: str, code: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(root))  # the copy, not the checkout, is imported
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", *args]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)


def scaffold_todos(root: Path) -> list[str]:
    """The files under `root`'s package and fixtures that still hold a scaffold TODO."""
    found = []
    for folder in (root / "tflint_gesture" / "rules", root / "fixtures"):
        for path in sorted(folder.rglob("*.py")):
            if path.name != "new_rule.py" and TODO in path.read_text(encoding="utf-8"):
                found.append(path.relative_to(root).as_posix())
    return found


def test_class_name():
    assert class_name("layer-after-output") == "LayerAfterOutput"
    assert class_name("loss-frozen") == "LossFrozen"


def test_no_scaffold_todo_left_in_the_checkout():
    """A scaffolded rule cannot be merged half-written: every TODO(new_rule) must be replaced."""
    assert (REPO_ROOT / "tflint_gesture" / "rules" / "loss_labels").is_dir()  # the scan looks where rules live
    assert scaffold_todos(REPO_ROOT) == []


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory):
    root = _copy_checkout(tmp_path_factory.mktemp("scaffold"))
    done = _run(root, "tflint_gesture.rules.new_rule", CODE, NAME, "--family", "optimization", "--severity", "info")
    return root, done


def test_scaffold_writes_the_rule_and_its_fixtures(scaffolded):
    root, done = scaffolded
    assert done.returncode == 0, done.stderr
    module = root / "tflint_gesture" / "rules" / "optimization" / "tfg605_warmup_missing_on_large_batch.py"
    bad = root / "fixtures" / "bad_warmup_missing_on_large_batch.py"
    clean = root / "fixtures" / "clean_warmup_missing_on_large_batch.py"
    text = module.read_text(encoding="utf-8")
    assert "class WarmupMissingOnLargeBatch(Rule):" in text
    assert f'code = "{CODE}"' in text and "severity = Severity.INFO" in text and 'family = "optimization"' in text
    assert f"# expect: {CODE}" in bad.read_text(encoding="utf-8")
    assert "# expect:" not in clean.read_text(encoding="utf-8").replace("`# expect:`", "")
    compile(bad.read_text(encoding="utf-8"), str(bad), "exec")  # fixtures parse (no TFG001 hides them)
    compile(clean.read_text(encoding="utf-8"), str(clean), "exec")
    # Exactly these files are new: the rule module, two fixtures and the generated page.
    written = sorted(line.split(" ", 1)[1] for line in done.stdout.splitlines() if line.startswith("wrote "))
    assert written == sorted(str(p) for p in (module, bad, clean, root / "rules" / f"{CODE}.md"))
    assert sorted(scaffold_todos(root)) == sorted(p.relative_to(root).as_posix() for p in (bad, clean, module))


def test_scaffold_registers_the_rule_and_regenerates_page_and_catalogue(scaffolded):
    root, _ = scaffolded
    page = (root / "rules" / f"{CODE}.md").read_text(encoding="utf-8")
    assert page.startswith(f"# {CODE}: {NAME}\n\n**Severity:** info · **Family:** optimization")
    assert f'RuleInfo("{CODE}", "{NAME}", Severity.INFO, "optimization"' in (
        root / "tflint_gesture" / "codes.py").read_text(encoding="utf-8")
    assert f"| [{CODE}](rules/{CODE}.md) | `{NAME}` | info |" in (root / "README.md").read_text(encoding="utf-8")
    check = _run(root, "tflint_gesture.rules.catalogue", "--check")
    assert check.returncode == 0, check.stderr


def test_the_scaffolded_examples_fail_the_self_test_until_written(scaffolded):
    root, _ = scaffolded
    probe = (
        "import json\n"
        "from tflint_gesture.engine import check_text\n"
        "from tflint_gesture.rules import rule_class\n"
        "from tflint_gesture.rules.pages import snippet\n"
        f"rule = rule_class('{CODE}')\n"
        "invalid = [f.code for f in check_text('x.py', snippet(rule.INVALID[0].code))]\n"
        "import libcst\n"
        "from tflint_gesture.facts import build_facts\n"
        "seen = build_facts(libcst.parse_module(snippet(rule.VALID[0].code)), None).frameworks\n"
        "print(json.dumps({'module': rule.__module__, 'invalid': invalid, 'valid_sees': sorted(seen)}))\n"
    )
    done = _run(root, code=probe)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["module"] == "tflint_gesture.rules.optimization.tfg605_warmup_missing_on_large_batch"
    assert CODE not in result["invalid"]  # test_invalid_example_fires fails on it
    # and test_valid_example_is_silent fails too: assert_silent(sees="framework") sees no TensorFlow/Keras script
    assert result["valid_sees"] == []


@pytest.mark.parametrize("args, why", [
    (("TFG101", "another-name", "--family", "loss_labels"), "TFG101 is taken"),
    (("TFG606", "softmax-on-single-unit", "--family", "output_head"), "name softmax-on-single-unit is taken"),
    (("TFG606", "Not_Kebab", "--family", "optimization"), "not a kebab-case name"),
    (("606", "some-name", "--family", "optimization"), "not a rule code"),
])
def test_scaffold_refuses_and_writes_nothing(tmp_path, args, why):
    root = _copy_checkout(tmp_path)
    before = sorted(p.relative_to(root) for p in root.rglob("*") if "__pycache__" not in p.parts)
    done = _run(root, "tflint_gesture.rules.new_rule", *args)
    assert done.returncode == 2
    assert why in done.stderr
    assert sorted(p.relative_to(root) for p in root.rglob("*") if "__pycache__" not in p.parts) == before
