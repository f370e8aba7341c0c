"""The job summary of the GitHub Action (`action.yml`): a Markdown table of findings per code.

`python -m tflint_gesture.report.step_summary STATS.json EXIT_CODE` reads the output of
`--statistics --format json` and prints the Markdown that the action appends to
`$GITHUB_STEP_SUMMARY`: one row per code (linked to its rule page) with its count and how many
`--fix` can fix, and a line saying whether the gate passed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def render_step_summary(rows: list[dict] | None, exit_code: int) -> str:
    from tflint_gesture.report.sarif import RULE_PAGE_URL

    lines = ["## tflint-gesture", ""]
    if rows is None:
        lines.append(f"The check did not run to the end (exit code {exit_code}); see the step's log.")
        return "\n".join(lines) + "\n"
    if not rows:
        lines.append("No findings.")
    else:
        lines += ["| code | rule | findings | fixable with `--fix` |", "|---|---|---:|---:|"]
        for row in rows:
            url = RULE_PAGE_URL.format(code=row["code"])
            lines.append(f"| [{row['code']}]({url}) | `{row['name']}` | {row['count']} | {row['fixable']} |")
        total = sum(row["count"] for row in rows)
        lines += ["", f"**{total} finding{'' if total == 1 else 's'}**"]
    verdict = {0: "passed", 1: "failed: findings at or above `--fail-on`"}.get(exit_code, f"error (exit code {exit_code})")
    lines += ["", f"Gate: {verdict}."]
    return "\n".join(lines) + "\n"


def _read(path: Path) -> list[dict] | None:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return rows if isinstance(rows, list) else None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or not args[1].lstrip("-").isdigit():
        print("usage: python -m tflint_gesture.report.step_summary STATS.json EXIT_CODE", file=sys.stderr)
        return 2
    sys.stdout.write(render_step_summary(_read(Path(args[0])), int(args[1])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
