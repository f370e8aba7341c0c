"""Time the test suite the way people run it: the whole suite serially and on every core (the README's
command), and the fast inner loop (`-m "not slow"`), next to a yardstick measured in the same run
(`python -c "import tensorflow"`, the cost every dry-run test module pays once).

    python bench/bench_suite.py [--write-doc] [--skip-serial]

Each run is a fresh `python -m pytest` subprocess in the repository root; its wall time and its
closing line (passed / failed / skipped) are reported. Never used by the tests themselves.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

from doc_sections import write_section  # bench/ is on the path: the script's own folder

ROOT = Path(__file__).resolve().parents[1]
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
PARALLEL = ["-n", "auto", "--dist", "loadscope"]
RUNS = [  # (label, extra pytest arguments)
    ("whole suite, `-n auto` (the README's command)", PARALLEL),
    ('fast inner loop `-m "not slow"`, `-n auto`', ["-m", "not slow", *PARALLEL]),
    ('fast inner loop `-m "not slow"`, serial', ["-m", "not slow"]),
    ("whole suite, serial", []),
]


def timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    return time.perf_counter() - started, done


def outcome(stdout: str) -> str:
    """pytest's closing counts, e.g. `1571 passed, 1 skipped`."""
    for line in reversed(stdout.splitlines()):
        if re.search(r"\d+ (passed|failed|error)", line):
            return re.sub(r"=+", "", line).strip()
    return "no closing line"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-doc", action="store_true")
    parser.add_argument("--skip-serial", action="store_true", help="leave out the serial whole-suite run")
    args = parser.parse_args()
    yardstick, _ = timed([sys.executable, "-c", "import tensorflow"])
    print(f"yardstick: import tensorflow {yardstick:.1f} s")
    rows, failed = [], False
    for label, extra in RUNS:
        if args.skip_serial and label == "whole suite, serial":
            continue
        seconds, done = timed(PYTEST + extra)
        failed |= done.returncode != 0
        rows.append((label, seconds, outcome(done.stdout)))
        print(f"{label}: {seconds:.0f} s ({seconds / yardstick:.0f}x the yardstick), {rows[-1][2]}")
    if args.write_doc:
        lines = ["## Test suite", "",
                 f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
                 f"command: `python bench/bench_suite.py --write-doc`. Yardstick in the same run: "
                 f"`python -c \"import tensorflow\"` {yardstick:.1f} s.", "",
                 "| run | wall | x yardstick | result |", "|---|---|---|---|"]
        lines += [f"| {label} | {seconds:.0f} s | {seconds / yardstick:.0f}x | {result} |" for label, seconds, result in rows]
        lines += ["", "`slow` = the fuzzing module, the largest bad inputs, the real `pre-commit` run and every test that "
                  "runs real TensorFlow (marked `tensorflow`, made `slow` by tests/conftest.py). `--dist loadscope` "
                  "keeps a module's tests in one xdist worker, so each dry-run module still starts one sandboxed "
                  "TensorFlow worker."]
        write_section("bench_suite", "\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
