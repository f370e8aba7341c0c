"""The rule class is the one source: pages and catalogue are generated from it, and a rule is one module.

`python -m tflint_gesture.rules.catalogue` writes tflint_gesture/codes.py and rules/TFGnnn.md;
`--check` fails when either is stale, and this file runs it so CI does too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO_ROOT, checkout_env
from tflint_gesture.findings import Severity
from tflint_gesture.rules import FAMILIES, all_rules, rule_modules
from tflint_gesture.rules.base import Invalid, Rule, Valid
from tflint_gesture.rules.catalogue import TABLE_BEGIN, TABLE_END, main, stale_pages
from tflint_gesture.rules.pages import render_page

PAGES = REPO_ROOT / "rules"
CODES_FILE = REPO_ROOT / "tflint_gesture" / "codes.py"


class _Sample(Rule):
    """A rule written only for this test (it is not in any family package, so not registered)."""

    code = "TFG999"
    name = "sample-rule"
    severity = Severity.WARNING
    summary = "a sample"
    family = "loss vs labels"
    automatic_fix = "safe: renames it"
    explanation = """
        One sentence.
        """
    what_it_does = """
        Reports a thing.

        - a list item
          continued
        """
    why_is_this_bad = "It is bad."
    use_instead_intro = "Do this:"
    when_it_stays_silent = "- always"
    severity_reason = "**warning.** Because."
    references = "- [x](https://example.org)"
    INVALID = [Invalid("""
        bad = 1
        """, expect="TFG999")]
    VALID = [Valid("""
        if True:
            good = 1
        """)]


def test_render_page_lays_out_the_attributes():
    assert render_page(_Sample) == (
        "# TFG999: sample-rule\n\n"
        "**Severity:** warning · **Family:** loss vs labels · **Fix:** safe: renames it\n\n"
        "One sentence.\n\n"
        "## What it does\n\nReports a thing.\n\n- a list item\n  continued\n\n"
        "## Why is this bad?\n\nIt is bad.\n\n"
        "## Example\n\n```python\nbad = 1\n```\n\n"
        "## Use instead\n\nDo this:\n\n```python\nif True:\n    good = 1\n```\n\n"
        "## When it stays silent\n\n- always\n\n"
        "## Severity\n\n**warning.** Because.\n\n"
        "## References\n\n- [x](https://example.org)\n"
    )


def test_render_page_refuses_a_rule_without_its_text():
    class Bare(_Sample):
        what_it_does = "   \n"
        VALID = []

    with pytest.raises(ValueError, match="what_it_does, VALID"):
        render_page(Bare)


def test_pages_and_catalogue_are_fresh():
    """The CI check: a page or codes.py edited by hand, or not regenerated after a rule changed, fails."""
    done = subprocess.run([sys.executable, "-m", "tflint_gesture.rules.catalogue", "--check"], cwd=REPO_ROOT,
                          env=checkout_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert stale_pages(PAGES) == {}


def test_check_notices_stale_missing_and_orphan_pages_and_write_fixes_them(tmp_path, capsys):
    pages = tmp_path / "rules"
    shutil.copytree(PAGES, pages)
    codes_file = tmp_path / "codes.py"
    shutil.copy(CODES_FILE, codes_file)
    originals = {path.name: path.read_text(encoding="utf-8") for path in pages.glob("TFG*.md")}
    assert len(originals) == len(all_rules())
    assert main(["--check"], codes_file, pages) == 0

    edited = pages / "TFG101.md"
    edited.write_text(originals["TFG101.md"].replace("crashes", "stops"), encoding="utf-8")
    (pages / "TFG201.md").unlink()
    (pages / "TFG998.md").write_text("# TFG998: gone\n", encoding="utf-8")
    codes_file.write_text(codes_file.read_text(encoding="utf-8").replace('"softmax-on-single-unit"', '"x"', 1),
                          encoding="utf-8")
    capsys.readouterr()
    assert main(["--check"], codes_file, pages) == 1
    reported = capsys.readouterr().err
    for name in ("TFG101.md", "TFG201.md", "TFG998.md", "codes.py"):
        assert name in reported
    assert "TFG102.md" not in reported

    assert main([], codes_file, pages) == 0
    assert main(["--check"], codes_file, pages) == 0
    assert {path.name: path.read_text(encoding="utf-8") for path in pages.glob("TFG*.md")} == originals
    assert codes_file.read_text(encoding="utf-8") == CODES_FILE.read_text(encoding="utf-8")


def test_the_readme_rule_table_is_generated_and_checked(tmp_path, capsys):
    """The README's table between its markers is rendered from the rules: a stale row fails --check and
    a plain run rewrites it, leaving the rest of the README as it was."""
    pages = tmp_path / "rules"
    shutil.copytree(PAGES, pages)
    codes_file = tmp_path / "codes.py"
    shutil.copy(CODES_FILE, codes_file)
    readme = tmp_path / "README.md"
    original = (PAGES.parent / "README.md").read_text(encoding="utf-8")
    assert TABLE_BEGIN in original and TABLE_END in original
    readme.write_text(original, encoding="utf-8")
    assert main(["--check"], codes_file, pages, readme) == 0

    readme.write_text(original.replace("| `softmax-on-single-unit` | error |", "| `softmax-on-single-unit` | info |"),
                      encoding="utf-8")
    capsys.readouterr()
    assert main(["--check"], codes_file, pages, readme) == 1
    assert "README.md" in capsys.readouterr().err
    assert main([], codes_file, pages, readme) == 0
    assert readme.read_text(encoding="utf-8") == original
    for rule in all_rules():
        assert f"| [{rule.code}](rules/{rule.code}.md) | `{rule.name}` | {rule.severity.value} | {rule.summary} |" in original


def _module_path(rule: type[Rule]) -> Path:
    return Path(sys.modules[rule.__module__].__file__)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_a_rule_is_one_module_named_for_it(rule):
    path = _module_path(rule)
    assert path.name == f"{rule.code.lower()}_{rule.name.replace('-', '_')}.py"
    assert FAMILIES.get(path.parent.name) == rule.family, "a rule lives in the package of its family"
    module = sys.modules[rule.__module__]
    own = [value for value in vars(module).values()
           if isinstance(value, type) and issubclass(value, Rule) and getattr(value, "code", None)
           and value.__module__ == module.__name__]
    assert own == [rule]


def test_every_rule_module_is_registered():
    rule_files = [name for name in rule_modules() if name.rpartition(".")[2].startswith("tfg")]
    assert len(rule_files) == len(all_rules()) > 40
    assert sorted(rule.__module__ for rule in all_rules()) == sorted(rule_files)


def test_no_rule_module_is_over_600_lines():
    rules_dir = REPO_ROOT / "tflint_gesture" / "rules"
    long = {path.relative_to(rules_dir).as_posix(): n for path in rules_dir.rglob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 600}
    assert not long, long


def test_the_loss_and_scaling_rules_state_only_their_condition_and_message():
    """One skeleton each (issue 15): the loop and lookups live in the base, the rule says what it judges."""
    from tflint_gesture.rules import rule_class
    from tflint_gesture.rules.input_scaling.common import UnscaledInputRule
    from tflint_gesture.rules.loss_labels.common import LossVsHeadRule, LossVsLabelsRule

    shapes = {LossVsLabelsRule: (("TFG101", "TFG102", "TFG103", "TFG104", "TFG107", "TFG108"), {"judge"}),
              LossVsHeadRule: (("TFG105", "TFG106"), {"loss_applies", "judge"}),
              UnscaledInputRule: (("TFG401", "TFG402"), {"unscaled", "message", "fix_advice"})}
    for base, (rule_codes, own) in shapes.items():
        for code in rule_codes:
            rule = rule_class(code)
            assert issubclass(rule, base), code
            assert "check" not in vars(rule) and own <= set(vars(rule)), code
