"""Adopting the linter on an existing codebase: `--add-noqa` and `--baseline` as the CLI runs them.

Both let a team turn the gate on today and fail only on new findings: `--add-noqa` by writing a
`# noqa: CODE` where each finding stands (`add_noqa.py`), `--baseline FILE` by keeping the
findings' fingerprints in a file instead (`report/baseline.py`). The CLI calls these after the run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from tflint_gesture.runner import RunResult

PROG = "tflint-gesture"


def run_add_noqa(result: "RunResult", err: TextIO) -> None:
    """Suppress every finding of `result` with a `# noqa` on its line; say what was done on `err`."""
    from tflint_gesture.add_noqa import add_noqa

    done = add_noqa(result.findings)
    for message in done.messages:
        print(f"{PROG}: warning: {message}", file=err)
    print(f"{PROG}: added {done.added} noqa {'code' if done.added == 1 else 'codes'} to "
          f"{done.files} {'file' if done.files == 1 else 'files'}", file=err)


def apply_baseline(baseline: Path, update: bool, result: "RunResult", err: TextIO) -> bool:
    """Write the baseline (missing, or `update`) and return True; else drop the findings it lists
    from `result` and return False. Raises `BaselineError` for a file that is not a baseline."""
    from tflint_gesture.report.baseline import filter_baseline, write_baseline

    if update or not baseline.exists():
        write_baseline(baseline, result.findings)
        count = len(result.findings)
        print(f"{PROG}: wrote {count} {'finding' if count == 1 else 'findings'} to the baseline {baseline}; "
              "later runs report only new ones", file=err)
        return True
    filtered = filter_baseline(baseline, result.findings)
    result.findings = filtered.findings
    if filtered.ignored or filtered.stale:
        stale = (f"; {filtered.stale} baseline {'entry is' if filtered.stale == 1 else 'entries are'} fixed "
                 f"(shrink the file with --update-baseline)") if filtered.stale else ""
        print(f"{PROG}: {filtered.ignored} {'finding' if filtered.ignored == 1 else 'findings'} in the baseline "
              f"{baseline} not reported{stale}", file=err)
    return False


__all__ = ["apply_baseline", "run_add_noqa"]
