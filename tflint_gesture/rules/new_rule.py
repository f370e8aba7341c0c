"""Scaffold a new rule: `python -m tflint_gesture.rules.new_rule TFG605 name --family optimization --severity warning`.

Writes the rule module (`rules/<family>/tfg605_name.py`, found by the registry without any list to
edit), a buggy fixture and its clean twin in `fixtures/`, then regenerates the catalogue and the page.
Every text it writes carries `TODO(new_rule)`: the rule's own examples fail its self-test
(tests/test_rule_pages.py) and tests/test_rule_generator.py fails on any `TODO(new_rule)` left, until
the author has written the rule.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from tflint_gesture.findings import Severity
from tflint_gesture.rules import FAMILIES, all_rules
from tflint_gesture.rules import catalogue

TODO = "TODO(new_rule)"
RULES_PACKAGE = Path(__file__).resolve().parent
FIXTURES_DIR = RULES_PACKAGE.parent.parent / "fixtures"

_CODE = re.compile(r"^TFG\d{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

RULE_TEMPLATE = '''"""{code} {name}: a rule of the {family} family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.facts import Facts
from tflint_gesture.findings import Severity
from tflint_gesture.rules.base import Invalid, Report, Rule, Valid


class {cls}(Rule):
    """{todo}: what the rule reports, in one line."""

    code = "{code}"
    name = "{name}"
    severity = Severity.{severity_member}
    summary = "{todo}: the one line `--list-rules` prints"
    family = "{family}"

    explanation = """
        {todo}: the page's opening sentence: what is wrong, and what it does to training.
        """

    what_it_does = """
        {todo}: what the rule reports, which facts it reads, and where the finding points.
        """

    why_is_this_bad = """
        {todo}: what training does with this bug (the crash or the silent failure, checked in a real run).
        """

    INVALID = [
        Invalid(
            """
            # {todo}: a realistic training script this rule must report
            """,
            expect="{code}",
        ),
    ]

    VALID = [
        Valid(
            """
            # {todo}: a close look-alike that must stay silent (the fixed script)
            """,
        ),
    ]

    when_it_stays_silent = """
        - {todo}: the look-alikes, and every fact that, unknown, keeps the rule silent.
        """

    severity_reason = """
        **{severity}.** {todo}: why this severity (`error` only where training certainly crashes or learns nothing).
        """

    references = """
        - {todo}: [Keras: the API it is about](https://keras.io/api/)
        """

    def check(self, facts: Facts) -> Iterator[Report]:
        # {todo}: read the facts (facts.fits(), facts.compiles, facts/queries.py, facts/models.py) and yield
        # Report(node=..., message="what is wrong, the evidence, the consequence; the fix", fix=...).
        return iter(())
'''

FIXTURE_TEMPLATE = '''"""{todo}: {what} for {code} ({name}): a realistic training script.

{bug}
"""
import numpy as np
from tensorflow import keras

{body}
'''


def class_name(name: str) -> str:
    """`layer-after-output` -> `LayerAfterOutput`."""
    return "".join(part.capitalize() for part in name.split("-"))


def rule_path(code: str, name: str, family: str) -> Path:
    return RULES_PACKAGE / family / f"{code.lower()}_{name.replace('-', '_')}.py"


def fixture_paths(name: str) -> tuple[Path, Path]:
    stem = name.replace("-", "_")
    return FIXTURES_DIR / f"bad_{stem}.py", FIXTURES_DIR / f"clean_{stem}.py"


def refusal(code: str, name: str, family: str) -> str | None:
    """Why this rule cannot be created, or None."""
    if not _CODE.match(code):
        return f"{code!r} is not a rule code like TFG605"
    if not _NAME.match(name):
        return f"{name!r} is not a kebab-case name like layer-after-output"
    if family not in FAMILIES:
        return f"unknown family {family!r}; one of: {', '.join(FAMILIES)}"
    taken = {rule.code: rule for rule in all_rules()}
    if code in taken:
        return f"{code} is taken by {taken[code].name}"
    names = {rule.name: rule for rule in all_rules()}
    if name in names:
        return f"the name {name} is taken by {names[name].code}"
    existing = [path for path in (rule_path(code, name, family), *fixture_paths(name)) if path.exists()]
    if existing:
        return f"{existing[0]} exists"
    return None


def scaffold(code: str, name: str, family: str, severity: Severity) -> list[Path]:
    """Write the rule module and its two fixtures; return their paths."""
    module = rule_path(code, name, family)
    module.write_text(RULE_TEMPLATE.format(code=code, name=name, family=FAMILIES[family], cls=class_name(name),
                                           severity=severity.value, severity_member=severity.name, todo=TODO),
                      encoding="utf-8")
    bad, clean = fixture_paths(name)
    FIXTURES_DIR.mkdir(exist_ok=True)
    bad.write_text(FIXTURE_TEMPLATE.format(
        todo=TODO, what="the bug", code=code, name=name,
        bug="Bug: one sentence on what is wrong; end the offending line with the marker below.",
        body=f'raise NotImplementedError("{TODO}: the buggy script")  # expect: {code}'), encoding="utf-8")
    clean.write_text(FIXTURE_TEMPLATE.format(
        todo=TODO, what="the clean twin", code=code, name=name,
        bug="The same script with the bug fixed: no finding at all (no `# expect:` marker).",
        body=f'raise NotImplementedError("{TODO}: the fixed script")'), encoding="utf-8")
    return [module, bad, clean]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tflint_gesture.rules.new_rule", description=__doc__.split("\n")[0])
    parser.add_argument("code", help="the new code, e.g. TFG605")
    parser.add_argument("name", help="kebab-case name, e.g. layer-after-output")
    parser.add_argument("--family", required=True, choices=sorted(FAMILIES), help="the family package")
    parser.add_argument("--severity", default="warning", choices=[s.value for s in Severity])
    args = parser.parse_args(argv)
    code = args.code.strip().upper()
    why = refusal(code, args.name, args.family)
    if why:
        print(f"new_rule: {why}", file=sys.stderr)
        return 2
    written = scaffold(code, args.name, args.family, Severity(args.severity))
    all_rules.cache_clear()  # the registry finds the new module
    catalogue.main([])
    for path in written:
        print(f"wrote {path}")
    print(f"next: replace every {TODO} in these files, then run `python -m tflint_gesture.rules.catalogue`")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
