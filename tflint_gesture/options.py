"""What the command line asked for, as plain data: typer (cli.py) and the fast parser (cli_fast.py) both
build an `Options`, and `cli.execute` runs it, so neither parser imports the other."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional


@dataclass
class Options:
    """Everything the command line asked for, independent of typer."""

    paths: list[str] = field(default_factory=list)
    select: Optional[list[str]] = None
    ignore: Optional[list[str]] = None
    output_format: str = "text"
    exit_zero: bool = False
    quiet: bool = False
    config: Optional[Path] = None
    list_rules: bool = False
    explain: Optional[str] = None
    color: Optional[bool] = None
    fail_on: str = "warning"  # the lowest severity that makes the exit code 1; info is advice, printed only
    target_keras: Optional[str] = None  # "auto", "2" or "3"; None: the configuration's (default auto)
    diff_base: Optional[str] = None  # check only the files changed since this git revision
    no_cache: bool = False
    cache_dir: Optional[Path] = None  # default: .tflint-gesture-cache/ by the config file, or in the cwd
    jobs: Optional[int] = None  # worker processes; None: one per CPU
    fix: bool = False  # apply the safe automatic fixes, then report what remains
    diff: bool = False  # print the fixes as a unified diff, write nothing
    unsafe_fixes: bool = False  # also apply (or, alone, show) the fixes that change behaviour
    dry_run: bool = False  # confirm the findings with a short real fit on synthetic tensors (needs TensorFlow)
    dry_run_timeout: float = 20.0  # seconds per model in the dry run
    dry_run_untrusted: bool = False  # run the dry run even on CI for a pull request (dryrun/trust.py)
    # Adoption and CI workflow (issue 18): adoption.py, report/baseline.py, report/statistics.py
    add_noqa: bool = False  # write `# noqa: CODE` on the line of every current finding
    baseline: Optional[Path] = None  # report only findings this baseline file does not list (written when missing)
    update_baseline: bool = False  # rewrite the baseline with the current findings
    statistics: bool = False  # counts per code instead of the findings
    output_file: Optional[Path] = None  # the report goes there, the summary line to the terminal
    extend_select: Optional[list[str]] = None  # codes added to the selection
    show_fixes: bool = False  # list the fixes applied (--fix) or available
    force_exclude: bool = False  # the config's excludes apply to files named on the command line too
    max_file_lines: Optional[int] = None  # None: the config's (default 100,000); 0: no limit
    verbose: bool = False  # say which files were skipped and why, and how many results came from the cache
