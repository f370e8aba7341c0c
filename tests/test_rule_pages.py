"""Every rule has a page in rules/CODE.md, and the page's examples are proof, not prose.

The pages are generated from the rule classes (tests/test_rule_generator.py checks they are fresh);
every `INVALID` example of a rule must be reported with its expected code and every `VALID` example
must stay silent (Fixit's self-test), and the generated pages keep the shape below.

For each rule in `tflint_gesture.rules.all_rules()`:
- rules/CODE.md exists and starts with `# CODE: name`;
- its `**Severity:** ... · **Family:** ... · **Fix:** ...` line agrees with the class;
- it has the sections What it does / Why is this bad? / Example / Use instead / When it stays silent;
- the first ```python block under `## Example`, linted with `check_text`, reports CODE;
- the first ```python block under `## Use instead` reports nothing at all (no code, any severity).

And no page exists for a code that has no rule.

The Markdown helpers are tested on an inline page first, so that a failure of the page tests is a
failure of a page or of a rule, not of this file's parsing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import assert_analysed, assert_silent, lint
from tflint_gesture.config import Settings
from tflint_gesture.engine import check_text
from tflint_gesture.rules import all_rules
from tflint_gesture.rules.pages import snippet

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"

REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "When it stays silent", "Severity")

_FENCE = re.compile(r"^(`{3,}|~{3,})\s*([\w+-]*)")
_PAGE_NAME = re.compile(r"^[A-Z]{3}\d{3}\.md$")
_SEVERITY_LINE = re.compile(
    r"^\*\*Severity:\*\*\s*(?P<severity>[\w-]+)\s*·\s*"
    r"\*\*Family:\*\*\s*(?P<family>[^·]+?)\s*·\s*"
    r"\*\*Fix:\*\*\s*(?P<fix>.+?)\s*$"
)


# --------------------------------------------------------------------------------------------
# Markdown helpers (deliberately small: headings and fenced blocks, fences respected)
# --------------------------------------------------------------------------------------------


def _fenced_lines(text: str):
    """Yield (line, inside_fence) for each line; fence delimiter lines count as inside."""
    fence: str | None = None
    for line in text.splitlines():
        match = _FENCE.match(line.lstrip())
        if fence is None:
            if match:
                fence = match.group(1)
                yield line, True
                continue
            yield line, False
        else:
            yield line, True
            stripped = line.strip()
            if stripped.startswith(fence[0] * len(fence)) and stripped.strip(fence[0]) == "":
                fence = None


def title(text: str) -> str | None:
    """The text of the first level-1 heading outside code blocks."""
    for line, fenced in _fenced_lines(text):
        if not fenced and line.startswith("# "):
            return line[2:].strip()
    return None


def sections(text: str) -> dict[str, str]:
    """Level-2 sections by heading text -> body (up to the next level-1/2 heading). Fences respected."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line, fenced in _fenced_lines(text):
        if not fenced and (line.startswith("## ") or line.startswith("# ")):
            if line.startswith("## "):
                current = found.setdefault(line[3:].strip(), [])
            else:
                current = None
            continue
        if current is not None:
            current.append(line)
    return {name: "\n".join(body) + "\n" for name, body in found.items()}


def code_blocks(text: str, language: str = "python") -> list[str]:
    """The contents of the fenced blocks tagged `language`, in order."""
    blocks: list[str] = []
    body: list[str] | None = None
    fence: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if fence is None:
            match = _FENCE.match(stripped)
            if match:
                fence = match.group(1)
                body = [] if match.group(2).lower() == language else None
            continue
        if stripped.startswith(fence[0] * len(fence)) and stripped.strip(fence[0]) == "":
            if body is not None:
                blocks.append("\n".join(body) + "\n")
            fence, body = None, None
            continue
        if body is not None:
            body.append(line)
    return blocks


def first_python_block(page: str, section: str) -> str:
    body = sections(page).get(section)
    assert body is not None, f"no `## {section}` section"
    blocks = code_blocks(body)
    assert blocks, f"no ```python block under `## {section}`"
    return blocks[0]


def severity_line(page: str) -> re.Match | None:
    for line, fenced in _fenced_lines(page):
        if not fenced:
            match = _SEVERITY_LINE.match(line.strip())
            if match:
                return match
    return None


def _describe(findings) -> str:
    lines = [f"  {f.line}:{f.column} {f.code} [{f.severity.value}] {f.message}" for f in findings]
    return "\n".join(lines) or "  (none)"


# --------------------------------------------------------------------------------------------
# Self-test of the helpers on an inline page
# --------------------------------------------------------------------------------------------

_SAMPLE = '''# TFG999: sample-rule

**Severity:** warning · **Family:** loss vs labels · **Fix:** none yet

One sentence.

## What it does
Text with `## not a heading` inline.

## Example
```text
not python
```

```python
import numpy as np
## a comment that looks like a heading
x = 1
```

```python
second = True
```

## Use instead
~~~python
# a comment that looks like a title
y = 2
~~~

## When it stays silent
```
## inside an untagged fence
```
Done.
'''


def test_helpers_on_inline_page():
    assert title(_SAMPLE) == "TFG999: sample-rule"
    found = sections(_SAMPLE)
    assert list(found) == ["What it does", "Example", "Use instead", "When it stays silent"]
    assert "## not a heading" in found["What it does"]
    # A `## ...` line inside a fence neither ends the section nor starts a new one.
    assert "## inside an untagged fence" in found["When it stays silent"]
    first = "import numpy as np\n## a comment that looks like a heading\nx = 1\n"
    assert first_python_block(_SAMPLE, "Example") == first
    assert code_blocks(found["Example"]) == [first, "second = True\n"]
    assert code_blocks(found["Example"], "text") == ["not python\n"]
    assert first_python_block(_SAMPLE, "Use instead") == "# a comment that looks like a title\ny = 2\n"
    match = severity_line(_SAMPLE)
    assert match is not None
    assert (match["severity"], match["family"], match["fix"]) == ("warning", "loss vs labels", "none yet")
    with pytest.raises(AssertionError):
        first_python_block(_SAMPLE, "References")


def test_helpers_unclosed_fence_yields_no_block():
    page = "## Example\n```python\nx = (\n"
    assert code_blocks(sections(page)["Example"]) == []


# --------------------------------------------------------------------------------------------
# The pages
# --------------------------------------------------------------------------------------------

RULES = {rule.code: rule for rule in all_rules()}
CODES = sorted(RULES)


def _page(code: str) -> str:
    path = RULES_DIR / f"{code}.md"
    assert path.is_file(), f"missing rule page {path}"
    return path.read_text(encoding="utf-8")


def test_there_are_rules():
    assert CODES, "all_rules() returned nothing"


@pytest.mark.parametrize("code", CODES)
def test_page_heading_and_metadata(code):
    rule = RULES[code]
    page = _page(code)
    assert title(page) == f"{rule.code}: {rule.name}", "the `# CODE: name` heading must match the rule class"
    match = severity_line(page)
    assert match is not None, "no `**Severity:** ... · **Family:** ... · **Fix:** ...` line"
    assert match["severity"] == rule.severity.value
    assert match["family"] == rule.family


@pytest.mark.parametrize("code", CODES)
def test_page_sections(code):
    found = sections(_page(code))
    missing = [name for name in REQUIRED_SECTIONS if name not in found]
    assert not missing, f"missing sections: {missing}"
    empty = [name for name in REQUIRED_SECTIONS if not found[name].strip()]
    assert not empty, f"empty sections: {empty}"


@pytest.mark.parametrize("code", CODES)
def test_severity_section_gives_the_reason_for_the_default(code):
    """`## Severity` opens with the rule's default severity in bold, then says why it is that one."""
    text = sections(_page(code))["Severity"].strip()
    assert text.startswith(f"**{RULES[code].severity.value}"), text[:80]
    assert len(text.split()) >= 12, "a reason, not just the word"


# Run-only codes (TFG8xx, `dry_run_only = True`) have no static check: their Examples are run through
# the dry run in tests/test_dryrun_pages.py instead.
STATIC_CODES = [code for code in CODES if not getattr(RULES[code], "dry_run_only", False)]


@pytest.mark.parametrize("code", STATIC_CODES)
def test_example_reports_the_rule(code):
    source = first_python_block(_page(code), "Example")
    # A rule about the file as a whole (TFG003: its length) shows its Example under small settings.
    settings = Settings(**RULES[code].INVALID[0].settings) if RULES[code].INVALID[0].settings else None
    findings = check_text("example.py", source, settings)
    assert any(f.code == code for f in findings), (
        f"the `## Example` of {code} must be reported as {code}; findings:\n{_describe(findings)}"
    )


@pytest.mark.parametrize("code", CODES)
def test_use_instead_is_clean(code):
    # For TFG001 this only says that the fixed file parses and that the rest of the fixed script is
    # right too; the decode-error half of TFG001 (bytes that are not text) cannot be written in a
    # Markdown page, so it has no example here.
    source = first_python_block(_page(code), "Use instead")
    if code != "TFG001":  # the analysis looked: the fixed script is a TensorFlow/Keras script it understood
        assert_analysed(source, "framework")
    findings = check_text("use_instead.py", source)
    assert not findings, (
        f"the `## Use instead` of {code} must have no findings at all; got:\n{_describe(findings)}"
    )


def test_no_orphan_pages():
    pages = sorted(p.stem for p in RULES_DIR.glob("*.md") if _PAGE_NAME.match(p.name))
    orphans = [code for code in pages if code not in RULES]
    assert not orphans, f"rule pages without a rule: {orphans}"


# --------------------------------------------------------------------------------------------
# The rules' own examples: every INVALID fires, every VALID is silent
# --------------------------------------------------------------------------------------------

INVALID_CASES = [(code, index) for code in STATIC_CODES for index in range(len(RULES[code].INVALID))]
VALID_CASES = [(code, index) for code in CODES for index in range(len(RULES[code].VALID))]


def test_every_rule_has_examples():
    assert all(RULES[code].INVALID and RULES[code].VALID for code in CODES)
    assert len(INVALID_CASES) >= len(STATIC_CODES) and len(VALID_CASES) >= len(CODES)


@pytest.mark.parametrize("code,index", INVALID_CASES)
def test_invalid_example_fires(code, index):
    example = RULES[code].INVALID[index]
    source = snippet(example.code)
    settings = Settings(**example.settings) if example.settings else None
    # TFG001's example is a file that does not parse: `lint` refuses those, the engine reports them.
    findings = check_text("example.py", source, settings) if example.expect == "TFG001" else lint(source, "example.py", settings)
    assert any(f.code == example.expect for f in findings), (
        f"INVALID[{index}] of {code} must be reported as {example.expect}; findings:\n{_describe(findings)}"
    )


@pytest.mark.parametrize("code,index", VALID_CASES)
def test_valid_example_is_silent(code, index):
    # The analysis saw a TensorFlow/Keras script, and nothing at all is reported on it.
    assert_silent(snippet(RULES[code].VALID[index].code), sees="framework", path="valid.py")
