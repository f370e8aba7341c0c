"""Start-up benchmark: one training script, interpreter start included, next to what users compare.

    /work/venv/bin/python bench/bench_startup.py [--runs 15] [--no-others] [--write-doc]

Every command runs as a subprocess in a folder outside any repository holding two generated scripts
(`bench/generate.py` script 0): the 100-line script issue 17 measured, and the 300-line script of
the other benchmarks. The package's bytecode is compiled first (`compileall`), as an installed wheel's
is, so no run pays for compiling (`PYTHONDONTWRITEBYTECODE`, set on this machine, would otherwise make
every run compile the package from source). Each command runs once to warm the OS caches, then
`--runs` rounds, each round running every command once, in turn, so that load on the shared machine
hits them alike:

- `python -c pass` and `python -c "import libcst"`: the interpreter, and the parser's own import;
- tflint-gesture cold: `python -m tflint_gesture FILE -q --exit-zero --cache-dir DIR`, DIR deleted
  before each run (the run also writes the cache); `--no-cache`: neither reads nor writes it;
- tflint-gesture warm: the same with DIR filled (a cache hit: no parse, no rules);
- pylint (`-sn --exit-zero`, default checks) and flake8 (`--exit-zero`) on the 300-line file
  (`--no-others` leaves them out: pylint alone takes ~5 s a run).

The ratios against `import libcst` are per round (each run over the `import libcst` run of the same
round), then the median over the rounds: wall time and CPU time (user + system of the child; CPU
does not count the time the shared machine gave to others). `--write-doc` replaces the section
between the `bench_startup` markers of docs/benchmarks.md, with the in-process breakdown of the cold
run printed by `bench/startup_breakdown.py`.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402
from doc_sections import markers, replace_section  # noqa: E402 - bench/ is on the path

BEGIN, END = markers("bench_startup")
LIBCST = "python -c 'import libcst'"
SIZES = (100, generate.SINGLE_FILE_LINES)


def run_once(argv: list[str], cwd: Path, env: dict, before=None) -> tuple[float, float]:
    if before is not None:
        before()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)


def commands(py: str, folder: Path, others: bool) -> dict[str, tuple[list[str], object]]:
    """name -> (argv, what to do before each run)."""
    out: dict[str, tuple[list[str], object]] = {
        "python -c pass": ([py, "-c", "pass"], None),
        LIBCST: ([py, "-c", "import libcst"], None),
    }
    for lines in SIZES:
        cache = folder / f"cache{lines}"
        tflint = [py, "-m", "tflint_gesture", f"train{lines}.py", "-q", "--exit-zero", "--cache-dir", str(cache)]
        out[f"tflint-gesture, {lines} lines, cold cache"] = (tflint, lambda cache=cache: shutil.rmtree(cache, True))
        out[f"tflint-gesture, {lines} lines, --no-cache"] = ([py, "-m", "tflint_gesture", f"train{lines}.py", "-q",
                                                             "--exit-zero", "--no-cache"], None)
        out[f"tflint-gesture, {lines} lines, warm cache"] = (tflint, None)
    if others:
        big = f"train{SIZES[-1]}.py"
        out["pylint (300 lines)"] = ([py, "-m", "pylint", big, "-sn", "--exit-zero"], None)
        out["flake8 (300 lines)"] = ([py, "-m", "flake8", big, "--exit-zero"], None)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-others", action="store_true", help="leave pylint and flake8 out")
    parser.add_argument("--write-doc", action="store_true")
    parser.add_argument("--render-only", action="store_true", help="re-render bench/out/startup_results.json")
    args = parser.parse_args()
    if args.render_only:
        saved = json.loads((HERE / "out" / "startup_results.json").read_text())
        ratios = ratio_lines(saved["results"])
        print("\n".join(ratios))
        if args.write_doc:
            replace_section("bench_startup", render(saved["results"], ratios, {int(k): v for k, v in saved["lines"].items()},
                                                    saved["runs"], saved.get("breakdown", "")))
        return
    compileall.compile_dir(str(ROOT / "tflint_gesture"), quiet=1)  # what an installed wheel ships
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    env.pop("NO_COLOR", None)
    with tempfile.TemporaryDirectory(prefix="tflint-gesture-startup-") as tmp:
        folder = Path(tmp)
        for lines in SIZES:
            (folder / f"train{lines}.py").write_text(generate.generate_script(generate.DEFAULT_SEED, 0, lines))
        counted = {lines: (folder / f"train{lines}.py").read_text().count("\n") for lines in SIZES}
        table = commands(sys.executable, folder, not args.no_others)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in table}
        for argv, before in table.values():  # warm-up: OS caches
            run_once(argv, folder, env, before)
        for _ in range(args.runs):
            for name, (argv, before) in table.items():
                if name.endswith("warm cache"):  # the cold run of this round emptied it
                    run_once(argv, folder, env)
                times[name].append(run_once(argv, folder, env, before))
        breakdown = subprocess.run([sys.executable, str(HERE / "startup_breakdown.py"), str(folder / f"train{SIZES[-1]}.py"),
                                    str(folder / f"train{SIZES[0]}.py")], env=env, capture_output=True, text=True,
                                   cwd=folder).stdout
    results = summarise(times)
    ratios = ratio_lines(results)
    for name, r in results.items():
        print(f"{name:<42} median {r['wall']:.3f} s (min {r['min']:.3f})  CPU {r['cpu']:.3f} s"
              + (f"  / import libcst: wall {r['ratio_wall']:.2f}x CPU {r['ratio_cpu']:.2f}x" if "ratio_wall" in r else ""))
    print("\n".join(ratios))
    print(breakdown)
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "startup_results.json").write_text(json.dumps({"lines": counted, "runs": args.runs,
                                                                   "results": results, "breakdown": breakdown}, indent=2))
    if args.write_doc:
        replace_section("bench_startup", render(results, ratios, counted, args.runs, breakdown))


def summarise(times: dict[str, list[tuple[float, float]]]) -> dict[str, dict]:
    """Medians per command, and per-round ratios over `import libcst` (their median)."""
    base = times[LIBCST]
    out = {}
    for name, runs in times.items():
        row = {"wall": statistics.median(w for w, _ in runs), "cpu": statistics.median(c for _, c in runs),
               "min": min(w for w, _ in runs)}
        if name.startswith("tflint-gesture"):
            row["ratio_wall"] = statistics.median(w / b for (w, _), (b, _) in zip(runs, base))
            row["ratio_cpu"] = statistics.median(c / b for (_, c), (_, b) in zip(runs, base))
        out[name] = row
    return out


def ratio_lines(r: dict) -> list[str]:
    lines = []
    for size in SIZES:
        cold = r[f"tflint-gesture, {size} lines, cold cache"]
        wall_ok, cpu_ok = cold["ratio_wall"] <= 1.3, cold["ratio_cpu"] <= 1.3
        met = ("met" if wall_ok and cpu_ok else "met in wall time only" if wall_ok else
               "met in CPU time only" if cpu_ok else "not met")
        lines.append(f"{size} lines, cold cache / import libcst: {cold['ratio_wall']:.2f}x wall, {cold['ratio_cpu']:.2f}x "
                     f"CPU (median of the rounds' ratios; target <= 1.3x: {met})")
    warm = r[f"tflint-gesture, {SIZES[-1]} lines, warm cache"]["wall"]
    lines.append(f"warm cache: {warm:.3f} s (target <= 0.2 s: {'met' if warm <= 0.2 else 'not met'})")
    cold = r[f"tflint-gesture, {SIZES[-1]} lines, cold cache"]["wall"]
    for other in ("pylint (300 lines)", "flake8 (300 lines)"):
        if other in r:
            lines.append(f"{SIZES[-1]} lines cold vs {other.split()[0]}: {_faster(r[other]['wall'], cold)}; warm: "
                         f"{_faster(r[other]['wall'], warm)}")
    return lines


def _faster(other: float, ours: float) -> str:
    return f"{other / ours:.2f}x faster" if other >= ours else f"{ours / other:.2f}x slower"


def render(results: dict, ratios: list[str], lines: dict, runs: int, breakdown: str) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    out = [BEGIN, "", "## Start-up: one file, interpreter start included", "",
           f"Generated by `bench/bench_startup.py` on {platform.machine()}, {os.cpu_count()} CPUs, Python "
           f"{platform.python_version()}; generated scripts of {lines[SIZES[0]]} and {lines[SIZES[-1]]} lines; "
           f"{runs} rounds, each running every command once in turn; bytecode compiled beforehand; 1-minute load "
           f"average at the end: {load:.1f} (the machine is shared: the CPU columns are the steadier ones).", "",
           "Command: `/work/venv/bin/python bench/bench_startup.py --write-doc`", "",
           "| command | median wall s | min wall s | CPU s | / import libcst (wall) | / import libcst (CPU) |",
           "|---|---|---|---|---|---|"]
    for name, r in results.items():
        ratio = (f"{r['ratio_wall']:.2f}x | {r['ratio_cpu']:.2f}x" if "ratio_wall" in r else " | ")
        out.append(f"| {name} | {r['wall']:.3f} | {r['min']:.3f} | {r['cpu']:.3f} | {ratio} |")
    out += ["", *[f"- {line}" for line in ratios], "", "Where the time of a cold run goes, measured inside one process "
            "(`bench/startup_breakdown.py`, median of 9 fresh processes, CPU milliseconds):", "", breakdown.strip(), "", END]
    return "\n".join(out)


if __name__ == "__main__":
    main()
