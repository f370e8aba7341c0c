"""`--statistics`: one line per rule code with its count, like `ruff check --statistics`.

`[*]` marks a code whose findings all have an automatic fix (`--fix`), `[-]` one where only some do.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Sequence

from tflint_gesture.findings import Finding


def statistics_rows(findings: Sequence[Finding]) -> list[dict]:
    """Per code, most frequent first: code, name, count and how many are fixable with --fix."""
    counts = Counter(f.code for f in findings)
    names = {f.code: f.name for f in findings}
    fixable = Counter(f.code for f in findings if f.fix_safety == "safe")
    return [{"code": code, "name": names[code], "count": count, "fixable": fixable[code]}
            for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def render_statistics(findings: Sequence[Finding], as_json: bool = False) -> str:
    rows = statistics_rows(findings)
    if as_json:
        return json.dumps(rows, indent=2) + "\n"
    if not rows:
        return ""
    width = max(len(str(row["count"])) for row in rows)
    lines = []
    for row in rows:
        mark = "[*]" if row["fixable"] == row["count"] else "[-]" if row["fixable"] else "   "
        lines.append(f"{row['count']:>{width}}  {row['code']}  {mark} {row['name']}")
    return "\n".join(lines) + "\n"



def render_fix_list(title: str, entries: Sequence[tuple[str, str, str]]) -> str:
    """`--show-fixes`: (path, code, name) triples as ruff lists them, per file and code; `title` has
    a `{}` for the count ("Fixed {}:"):

        Fixed 2 findings:
        - train.py:
            2 × TFG100 (unused-noqa)
    """
    if not entries:
        return ""
    per_file: dict[str, Counter] = {}
    names = {}
    for path, code, name in entries:
        per_file.setdefault(path, Counter())[code] += 1
        names[code] = name
    lines = [title.format(f"{len(entries)} {'finding' if len(entries) == 1 else 'findings'}")]
    for path in sorted(per_file):
        lines.append(f"- {path}:")
        for code, count in sorted(per_file[path].items()):
            lines.append(f"    {count} × {code} ({names[code]})")
    return "\n".join(lines) + "\n"


__all__ = ["render_fix_list", "render_statistics", "statistics_rows"]
