"""`--baseline FILE`: remember today's findings, then report only new ones.

A team turns the gate on for an existing codebase without touching its files: the first run (or
`--update-baseline`) writes every current finding's fingerprint to FILE (JSON, sorted, meant to be
committed); later runs drop the findings FILE lists and report the rest. The fingerprint
(`fingerprints.py`) hashes the code, the path relative to FILE's folder and the text of the
reported line, not its number, so a finding that moved because lines were added above it stays
baselined, while a finding on an edited line is new. Each entry is used once: a second identical
finding in the same file is new.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from tflint_gesture.findings import Finding
from tflint_gesture.report.fingerprints import LineReader, fingerprints

FORMAT_VERSION = 1


class BaselineError(Exception):
    """The baseline file cannot be read or is not a tflint-gesture baseline."""


@dataclass
class Filtered:
    findings: list[Finding]
    ignored: int  # findings the baseline listed
    stale: int  # baseline entries no finding matched any more (fixed since)


def _keyer(baseline: Path):
    folder = Path(os.path.abspath(baseline)).parent

    def key(path: str) -> str:
        absolute = Path(os.path.abspath(path))
        try:
            return absolute.relative_to(folder).as_posix()
        except ValueError:
            return Path(os.path.relpath(absolute, folder)).as_posix()

    return key


def _prints(findings: Sequence[Finding], baseline: Path) -> list[str]:
    return fingerprints(findings, LineReader(), key_path=_keyer(baseline))


def write_baseline(baseline: Path, findings: Sequence[Finding]) -> None:
    key = _keyer(baseline)
    entries = [
        {"fingerprint": fp, "code": f.code, "path": key(f.path), "line": f.line, "message": f.message}
        for f, fp in zip(findings, _prints(findings, baseline))
    ]
    entries.sort(key=lambda e: (e["path"], e["line"], e["code"], e["fingerprint"]))
    document = {"tool": "tflint-gesture", "version": FORMAT_VERSION, "findings": entries}
    baseline.parent.mkdir(parents=True, exist_ok=True)
    baseline.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_baseline(baseline: Path) -> Counter:
    try:
        document = json.loads(baseline.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{baseline}: cannot read the baseline: {exc}") from None
    except ValueError as exc:
        raise BaselineError(f"{baseline}: not a JSON baseline: {exc}") from None
    if not isinstance(document, dict) or document.get("tool") != "tflint-gesture" or not isinstance(
            document.get("findings"), list):
        raise BaselineError(f"{baseline}: not a tflint-gesture baseline (write one with --update-baseline)")
    if document.get("version") != FORMAT_VERSION:
        raise BaselineError(f"{baseline}: baseline version {document.get('version')!r} is not supported "
                            f"(expected {FORMAT_VERSION}); write it again with --update-baseline")
    return Counter(str(e.get("fingerprint")) for e in document["findings"] if isinstance(e, dict))


def filter_baseline(baseline: Path, findings: Sequence[Finding]) -> Filtered:
    remaining = read_baseline(baseline)
    kept = []
    for finding, fp in zip(findings, _prints(findings, baseline)):
        if remaining[fp] > 0:
            remaining[fp] -= 1
        else:
            kept.append(finding)
    return Filtered(kept, len(findings) - len(kept), sum(remaining.values()))


__all__ = ["BaselineError", "Filtered", "filter_baseline", "read_baseline", "write_baseline"]
