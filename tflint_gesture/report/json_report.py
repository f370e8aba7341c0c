"""Machine-readable output: one JSON object with the findings and the run's totals.

Keys and their order are stable (other tools parse this); `by_severity` always lists all three.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Sequence

from tflint_gesture.findings import Finding, Severity

if TYPE_CHECKING:
    from tflint_gesture.findings import Summary


def summary_dict(findings: Sequence[Finding], summary: "Summary") -> dict:
    by_code = Counter(f.code for f in findings)
    by_severity = Counter(f.severity.value for f in findings)
    return {
        "files_checked": summary.files_checked,
        "findings": len(findings),
        "by_severity": {s.value: by_severity.get(s.value, 0) for s in Severity},
        "by_code": {code: by_code[code] for code in sorted(by_code)},
        "errors": list(summary.errors),
    }


def finding_dict(finding: Finding) -> dict:
    """The stable keys, then `url` (the rule's page) and `fix_edits` (null, or the automatic fix as
    `{applicability, edits: [{content, location, end_location}]}`, set by `fix_edits.py`)."""
    from tflint_gesture.report.sarif import RULE_PAGE_URL

    out = finding.to_dict()
    out["url"] = RULE_PAGE_URL.format(code=finding.code)
    out["fix_edits"] = getattr(finding, "fix_edits", None)
    return out


def render_json(findings: Sequence[Finding], summary: "Summary") -> str:
    document = {
        "findings": [finding_dict(f) for f in findings],
        "summary": summary_dict(findings, summary),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


__all__ = ["finding_dict", "render_json", "summary_dict"]
