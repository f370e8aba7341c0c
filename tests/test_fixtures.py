"""The fixture corpus: realistic training scripts whose expected findings are marked in comments.

A line ending in `# expect: TFG101` (or `# expect: TFG101, TFG301`) must produce exactly those
findings on that line, and no other finding may appear anywhere in the file. Markers are read
from COMMENT tokens only (via `tokenize`), so text inside strings or docstrings never counts.
"""

from __future__ import annotations

import functools
import io
import re
import tokenize
from pathlib import Path

import pytest

from tflint_gesture.engine import check_file
from tflint_gesture.rules import all_rules

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
MIN_FIXTURES = 40

# The last comment of the token: `# noqa: TFG101  # expect: TFG100` marks the noqa line itself.
_MARKER_RE = re.compile(r"#\s*expect\s*:(?P<codes>[^#]*)$", re.IGNORECASE)
_CODE_RE = re.compile(r"^TFG\d{3}$")


class MarkerError(ValueError):
    """A malformed `# expect:` marker (typo in a code, empty list)."""


def parse_expectations(source: str, name: str = "<string>") -> set[tuple[int, str]]:
    """The (line, code) pairs announced by `# expect:` comments in `source`."""
    expected: set[tuple[int, str]] = set()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError) as exc:
        raise MarkerError(f"{name}: cannot tokenize the file to read its markers: {exc}") from None
    for tok in tokens:
        if tok.type != tokenize.COMMENT:
            continue
        match = _MARKER_RE.search(tok.string)
        if match is None:
            continue
        line = tok.start[0]
        if tok.line.strip().startswith("#"):
            raise MarkerError(f"{name}:{line}: an expect marker must end the code line it refers to")
        codes = [c.strip().upper() for c in match.group("codes").split(",")]
        if not codes or any(not _CODE_RE.match(c) for c in codes):
            raise MarkerError(f"{name}:{line}: malformed expect marker {tok.string!r}")
        for code in codes:
            expected.add((line, code))
    return expected


def fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES_DIR.rglob("*.py") if p.is_file())


def _fixture_id(path: Path) -> str:
    return path.relative_to(FIXTURES_DIR).as_posix()


def _expected_for(path: Path) -> set[tuple[int, str]]:
    return parse_expectations(path.read_text(encoding="utf-8"), _fixture_id(path))


# --- the marker parser itself -------------------------------------------------------------------

_PARSER_SAMPLE = '''\
"""Docstring that mentions # expect: TFG999 must not count."""
import tensorflow as tf
text = "# expect: TFG998 inside a string does not count either"
model.compile(loss="sparse_categorical_crossentropy")  # expect: TFG101
model.fit(x, y)  #expect:TFG301 ,  tfg401
x = 1  # an ordinary comment mentioning expect without the colon form
layers.Dropout(0.2),  # Expect: TFG205
'''


def test_marker_parser_reads_only_comments():
    assert parse_expectations(_PARSER_SAMPLE) == {
        (4, "TFG101"),
        (5, "TFG301"),
        (5, "TFG401"),
        (7, "TFG205"),
    }


def test_marker_parser_rejects_malformed_codes():
    with pytest.raises(MarkerError):
        parse_expectations("x = 1  # expect: TFG10\n")
    with pytest.raises(MarkerError):
        parse_expectations("x = 1  # expect:\n")
    with pytest.raises(MarkerError):
        parse_expectations("x = 1  # expect: TFG101,, TFG102\n")
    with pytest.raises(MarkerError):
        parse_expectations("x = (\n  1)  # expect: TFG101\nif (:\n")
    with pytest.raises(MarkerError):
        parse_expectations("# expect: TFG101\nmodel.fit(x, y)\n")


# --- the corpus -----------------------------------------------------------------------------------

def test_enough_fixtures():
    files = fixture_files()
    assert len(files) >= MIN_FIXTURES, f"only {len(files)} fixture files in {FIXTURES_DIR}"


def test_fixtures_cover_every_rule():
    covered: set[str] = set()
    for path in fixture_files():
        covered |= {code for _, code in _expected_for(path)}
    wanted = {rule.code for rule in all_rules()  # TFG003: a file over max-file-lines (tests/test_max_file_lines.py)
              if rule.code not in ("TFG001", "TFG003") and not getattr(rule, "dry_run_only", False)}  # TFG8xx: --dry-run only
    missing = sorted(wanted - covered)
    assert not missing, f"no fixture expects these rule codes: {', '.join(missing)}"
    unknown = sorted(covered - wanted)
    assert not unknown, f"fixtures expect codes that no rule has: {', '.join(unknown)}"


def test_fixtures_have_clean_look_alikes():
    """Both kinds exist: fixtures with findings and fixtures that must stay silent."""
    files = fixture_files()
    silent = [p for p in files if p.name.startswith("clean_")]
    assert silent, "no clean_*.py fixtures"
    for path in silent:
        assert not _expected_for(path), f"{_fixture_id(path)} is named clean_ but has expect markers"


def _describe(findings_by_key, keys) -> str:
    lines = []
    for line, code in sorted(keys):
        found = findings_by_key.get((line, code))
        if found:
            for f in found:
                lines.append(f"    {code} line {line}: {f.message}")
        else:
            lines.append(f"    {code} line {line}")
    return "\n".join(lines)


@functools.lru_cache(maxsize=1)
def _findings_by_file() -> dict:
    """Every fixture linted once; findings grouped by the file they are located in.

    A multi-file project (a folder of fixtures importing each other) can report a finding in an
    imported module while linting the importer (the bug is only visible across files), so a
    file's markers are compared with the findings located in it by any run.
    """
    grouped: dict = {}
    for fixture in fixture_files():
        for f in check_file(fixture):
            grouped.setdefault(Path(f.path).resolve(), {}).setdefault((f.line, f.code, f.column, f.message), f)
    return grouped


@pytest.mark.parametrize("path", fixture_files(), ids=_fixture_id)
def test_fixture_findings(path: Path):
    expected = _expected_for(path)
    findings = list(_findings_by_file().get(path.resolve(), {}).values())
    by_key: dict[tuple[int, str], list] = {}
    for f in findings:
        by_key.setdefault((f.line, f.code), []).append(f)
    found = set(by_key)
    missing = expected - found
    unexpected = found - expected
    if missing or unexpected:
        parts = [f"{_fixture_id(path)}: findings differ from the expect markers"]
        if missing:
            parts.append("  missing (expected, not reported):")
            parts.append(_describe(by_key, missing))
        if unexpected:
            parts.append("  unexpected (reported, not expected):")
            parts.append(_describe(by_key, unexpected))
        pytest.fail("\n".join(parts), pytrace=False)
