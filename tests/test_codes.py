"""The static rule catalogue (`tflint_gesture/codes.py`) is what the rule classes declare, and light.

When a test here fails after a rule was added or its metadata changed, regenerate the catalogue:
`python -m tflint_gesture.rules.catalogue` (then review the diff of tflint_gesture/codes.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tflint_gesture import codes
from tflint_gesture.findings import Severity
from tflint_gesture.rules import all_rules, catalogue

ROOT = Path(__file__).resolve().parent.parent
REGENERATE = "stale catalogue: run `python -m tflint_gesture.rules.catalogue` and review tflint_gesture/codes.py"


def test_catalogue_equals_what_the_rule_classes_declare():
    declared = [rule.describe() for rule in all_rules()]
    assert len(declared) > 30  # the registry really found the family modules' rules
    assert [rule.describe() for rule in codes.RULES] == declared, REGENERATE


def test_catalogue_covers_tool_and_dry_run_codes():
    assert {"TFG001", "TFG002", "TFG801", "TFG802", "TFG803", "TFG804"} <= set(codes.all_codes())
    assert codes.get_rule(" tfg201 ").name == "softmax-on-single-unit"
    assert codes.get_rule("TFG201").severity is Severity.ERROR
    assert codes.get_rule("TFG999") is None


def test_codes_file_is_exactly_what_the_generator_writes():
    text = (ROOT / "tflint_gesture" / "codes.py").read_text(encoding="utf-8")
    assert catalogue.current_block(text).count("RuleInfo(") == len(all_rules())
    assert catalogue.regenerated(text) == text, REGENERATE


def test_generator_notices_a_drifted_entry():
    text = (ROOT / "tflint_gesture" / "codes.py").read_text(encoding="utf-8")
    drifted = text.replace('"softmax-on-single-unit"', '"softmax-single"', 1)
    assert drifted != text
    assert catalogue.regenerated(drifted) == text


def _loaded_after(statement: str) -> list[str]:
    """Modules of libcst and of tflint_gesture.rules loaded by `statement` in a fresh interpreter."""
    probe = (
        f"{statement}\n"
        "import sys\n"
        "print('\\n'.join(sorted(m for m in sys.modules if m.split('.')[0] == 'libcst' or m.startswith('tflint_gesture.rules'))))\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    return done.stdout.split()


def test_importing_the_catalogue_loads_neither_libcst_nor_the_rules():
    assert _loaded_after("import tflint_gesture.rules") != []  # the probe sees them when they are imported
    assert _loaded_after("import tflint_gesture.codes; tflint_gesture.codes.get_rule('TFG101')") == []
