"""The README must stay true: every rule listed with its page, and the two quick-start commands first."""

from pathlib import Path

from tflint_gesture.rules import all_rules

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_rule_is_listed_with_its_page_and_severity():
    for rule in all_rules():
        row = f"| [{rule.code}](rules/{rule.code}.md) | `{rule.name}` | {rule.severity.value} |"
        assert row in README, f"README rule table lacks or misstates {rule.code}: expected a row starting {row!r}"


def test_quick_start_commands_come_first():
    head = README.split("## What a finding looks like")[0]
    assert "pip install . && tflint-gesture fixtures/" in head
    assert "pip install -e '.[test,dryrun,lsp]' && python -m pytest -q" in head


def test_ci_runs_the_readme_test_command():
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest -q" in ci
    assert "'.[test,dryrun,lsp]'" in ci
