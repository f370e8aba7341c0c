"""Scaling benchmark: one generated training script of 1k, 10k, 100k and 250k lines, analysed whole.

    /work/venv/bin/python bench/bench_scale.py [--sizes 1000,10000,100000,250000] [--write-doc]

For each size, in fresh processes (so peak memory is the size's own):

- **libcst parse**: `libcst.parse_module(text)`, nothing else (CPU seconds, peak RSS);
- **analysis**: `engine.check_file(path, Settings(max_file_lines=0))`, everything the command does to
  one file (read, decode, pre-screen, parse, facts, rules, positions of the findings), no limit;
- **default limit**: the same with the default `max-file-lines` (100,000): above it, the TFG003 skip.

Each file has at most the size's lines (generated 40 lines short: the generator ends on a whole
helper function), so the 100,000-line file is analysed under the default limit rather than skipped.
Printed per size: lines, findings, seconds (CPU), peak RSS in MB, and the ratio analysis / libcst
parse measured in the same run. CPU time, because the machine is shared (wall times are shown too).
`--write-doc` replaces the section between the `bench_scale` markers of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOC = ROOT / "docs" / "benchmarks.md"
from doc_sections import markers, replace_section  # noqa: E402 - bench/ is on the path

BEGIN, END = markers("bench_scale")
MARGIN = 40  # the generator ends a script with a whole helper: asking for 40 lines fewer keeps it at most the size
MEMORY_TARGET_MB = 400


_MEASURE = r"""
import json, resource, sys, time
from pathlib import Path
path, mode = Path(sys.argv[1]), sys.argv[2]
start_cpu, start_wall = time.process_time(), time.perf_counter()
findings = None
if mode == "parse":
    import libcst
    libcst.parse_module(path.read_text(encoding="utf-8"))
else:
    from tflint_gesture.config import Settings
    from tflint_gesture.engine import check_file
    result = check_file(path, Settings() if mode == "default" else Settings(max_file_lines=0))
    findings = [f.code for f in result]
cpu, wall = time.process_time() - start_cpu, time.perf_counter() - start_wall
try:  # this process's own high-water mark (ru_maxrss also counts the parent's pages copied before exec)
    status = Path("/proc/self/status").read_text()
    peak = int(status.split("VmHWM:")[1].split()[0]) / 1024
except (OSError, IndexError, ValueError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"cpu": cpu, "wall": wall, "peak_mb": peak, "findings": findings}))
"""


def measure(path: Path, mode: str) -> dict:
    """One fresh interpreter; imports happen before the clock starts only for the parse (libcst) and
    inside it for the analysis: the difference is the package's import, a fraction of a second."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(path), mode], capture_output=True, text=True,
                         env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,250000")
    parser.add_argument("--write-doc", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="tflint-gesture-scale-") as tmp:
        for size in sizes:
            path = Path(tmp) / f"train_{size}_lines.py"  # written by a child: this process stays small
            written = Path(tmp) / f"train_{size - MARGIN}_lines.py"  # at most `size` lines: 100,000 is analysed
            subprocess.run([sys.executable, str(HERE / "generate.py"), tmp, "--lines", str(size - MARGIN)], check=True,
                           stdout=subprocess.DEVNULL)  # under the default limit, not skipped for a line too many
            written.rename(path)
            text = path.read_text(encoding="utf-8")
            parse = measure(path, "parse")
            analysis = measure(path, "analysis")
            default = measure(path, "default")
            row = {"lines": text.count("\n"), "parse": parse, "analysis": analysis, "default": default,
                   "ratio": analysis["cpu"] / parse["cpu"]}
            rows.append(row)
            print(f"{row['lines']:>8,} lines: libcst parse {parse['cpu']:7.2f} s CPU {parse['peak_mb']:7.0f} MB | "
                  f"analysis {analysis['cpu']:7.2f} s CPU {analysis['peak_mb']:6.0f} MB "
                  f"({len(analysis['findings'])} findings) | ratio {row['ratio']:.2f}x | default limit: "
                  f"{default['cpu']:.2f} s {default['peak_mb']:.0f} MB {sorted(set(default['findings']))}",
                  flush=True)
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "scale_results.json").write_text(json.dumps(rows, indent=2))
    if args.write_doc:
        replace_section("bench_scale", render(rows))


def render(rows: list[dict]) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        BEGIN, "", "## Scaling: one file from 1,000 to 250,000 lines", "",
        f"Generated by `bench/bench_scale.py` on {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; 1-minute load average at the end: {load:.1f} (the machine is shared: CPU "
        "time is the number to compare, wall time is shown for completeness). Each measurement is one fresh "
        "process; the file is `bench/generate.py` script 3 (its fit has a TFG101 bug) grown to the size with helper functions.", "",
        "Command: `/work/venv/bin/python bench/bench_scale.py --write-doc`", "",
        "| lines | libcst parse: CPU s | peak MB | analysis (no limit): CPU s | wall s | peak MB | findings "
        "| analysis / parse | default limit: CPU s | peak MB | result |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        p, a, d = row["parse"], row["analysis"], row["default"]
        result = ", ".join(sorted(set(d["findings"]))) or "no findings"
        lines.append(f"| {row['lines']:,} | {p['cpu']:.2f} | {p['peak_mb']:.0f} | {a['cpu']:.2f} | {a['wall']:.2f} | "
                     f"{a['peak_mb']:.0f} | {len(a['findings'])} | {row['ratio']:.2f}x | {d['cpu']:.2f} | "
                     f"{d['peak_mb']:.0f} | {result} |")
    worst = max(row["default"]["peak_mb"] for row in rows)
    lines += ["", f"- Peak memory with the default `max-file-lines`: at most {worst:.0f} MB over these sizes (target < "
              f"{MEMORY_TARGET_MB} MB: {'met' if worst < MEMORY_TARGET_MB else 'NOT met'}).",
              "- *analysis / parse*: the whole analysis of the file (read, pre-screen, parse, facts, rules, "
              "positions) over libcst's own `parse_module` of the same text, CPU time, same run. Target: 1.5x.",
              "- *default limit*: `max-file-lines` = 100,000; a longer file is one TFG003 (info) finding, decided "
              "from its line count before anything is parsed.", "", END]
    return "\n".join(lines)



if __name__ == "__main__":
    main()
