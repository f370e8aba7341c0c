"""Start-up benchmark: one training script, interpreter start included, next to what users compare.

    /work/venv/bin/python bench/bench_startup.py [--runs 10] [--write-doc]

Every command runs as a subprocess in a folder outside any repository, holding one ~300-line
generated script (`bench/generate.py` script 0, the single-file benchmark script); each is run once
to warm the OS caches, then `--runs` times, alternating the commands so that load on the machine
hits them alike. Wall time is the median; CPU is the child's user+system time (median).

- `python -c pass` and `python -c "import libcst"`: the interpreter, and the parser's own import;
- tflint-gesture cold: `python -m tflint_gesture FILE -q --exit-zero --cache-dir DIR`, DIR deleted
  before each run (the run also writes the cache); `--no-cache`: neither reads nor writes it;
- tflint-gesture warm: the same with DIR filled (a cache hit: no parse, no rules);
- pylint (`-sn --exit-zero`, default checks) and flake8 (`--exit-zero`) on the same file.

Ratios printed: cold and warm over `import libcst` (target: cold <= 1.3x), warm against the 0.2 s
target, and tflint-gesture against pylint and flake8. `--write-doc` replaces the section between
the `bench_startup` markers of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
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
DOC = ROOT / "docs" / "benchmarks.md"
from doc_sections import markers, replace_section  # noqa: E402 - bench/ is on the path

BEGIN, END = markers("bench_startup")

sys.path.insert(0, str(HERE))
import generate  # noqa: E402


def run_once(argv: list[str], cwd: Path, env: dict, before=None) -> tuple[float, float]:
    if before is not None:
        before()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--write-doc", action="store_true")
    parser.add_argument("--render-only", action="store_true", help="re-render bench/out/startup_results.json")
    args = parser.parse_args()
    if args.render_only:
        saved = json.loads((HERE / "out" / "startup_results.json").read_text())
        ratios = ratio_lines(saved["results"])
        print("\n".join(ratios))
        if args.write_doc:
            replace_section("bench_startup", render(saved["results"], ratios, saved["lines"], saved.get("runs", args.runs)))
        return
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    env.pop("NO_COLOR", None)
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="tflint-gesture-startup-") as tmp:
        folder = Path(tmp)
        script = folder / "train.py"
        script.write_text(generate.generate_script(generate.DEFAULT_SEED, 0, generate.SINGLE_FILE_LINES))
        cache = folder / "cache"

        def clear_cache() -> None:
            shutil.rmtree(cache, ignore_errors=True)

        tflint = [py, "-m", "tflint_gesture", "train.py", "-q", "--exit-zero", "--cache-dir", str(cache)]
        commands = {
            "python -c pass": ([py, "-c", "pass"], None),
            "python -c 'import libcst'": ([py, "-c", "import libcst"], None),
            "tflint-gesture, cold cache": (tflint, clear_cache),
            "tflint-gesture --no-cache": ([py, "-m", "tflint_gesture", "train.py", "-q", "--exit-zero", "--no-cache"],
                                          None),
            "tflint-gesture, warm cache": (tflint, None),
            "pylint": ([py, "-m", "pylint", "train.py", "-sn", "--exit-zero"], None),
            "flake8": ([py, "-m", "flake8", "train.py", "--exit-zero"], None),
        }
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for name, (argv, before) in commands.items():  # warm-up: OS caches, .pyc files
            run_once(argv, folder, env, before)
        for _ in range(args.runs):
            for name, (argv, before) in commands.items():
                if name == "tflint-gesture, warm cache":
                    run_once(tflint, folder, env)  # make sure the cache is filled (the cold run before cleared it)
                times[name].append(run_once(argv, folder, env, before))
        lines = script.read_text().count("\n")
    results = {name: {"wall": statistics.median(w for w, _ in t), "cpu": statistics.median(c for _, c in t),
                      "min": min(w for w, _ in t)} for name, t in times.items()}
    ratios = ratio_lines(results)
    for name, r in results.items():
        print(f"{name:<30} median {r['wall']:.3f} s  (min {r['min']:.3f})  CPU {r['cpu']:.3f} s")
    for line in ratios:
        print(line)
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "startup_results.json").write_text(json.dumps({"lines": lines, "runs": args.runs,
                                                                     "results": results}, indent=2))
    if args.write_doc:
        replace_section("bench_startup", render(results, ratios, lines, args.runs))


def ratio_lines(r: dict) -> list[str]:
    libcst = r["python -c 'import libcst'"]["wall"]
    cold, warm = r["tflint-gesture, cold cache"]["wall"], r["tflint-gesture, warm cache"]["wall"]
    return [
        f"cold / import libcst: {cold / libcst:.2f}x (target <= 1.3x: {'met' if cold / libcst <= 1.3 else 'not met'})",
        f"warm: {warm:.3f} s (target <= 0.2 s: {'met' if warm <= 0.2 else 'not met'}); warm / import libcst: "
        f"{warm / libcst:.2f}x",
        f"cold vs pylint: {_faster(r['pylint']['wall'], cold)}; warm vs pylint: {_faster(r['pylint']['wall'], warm)}",
        f"cold vs flake8: {_faster(r['flake8']['wall'], cold)}; warm vs flake8: {_faster(r['flake8']['wall'], warm)}",
    ]


def _faster(other: float, ours: float) -> str:
    return f"{other / ours:.2f}x faster" if other >= ours else f"{ours / other:.2f}x slower"


def render(results: dict, ratios: list[str], lines: int, runs: int) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    out = [BEGIN, "", "## Start-up: one file, interpreter start included", "",
           f"Generated by `bench/bench_startup.py` on {platform.machine()}, {os.cpu_count()} CPUs, Python "
           f"{platform.python_version()}; a {lines}-line generated script; median of {runs} runs per command, "
           f"commands alternated; 1-minute load average at the end: {load:.1f} (the machine is shared).", "",
           "Command: `/work/venv/bin/python bench/bench_startup.py --write-doc`", "",
           "| command | median wall s | min wall s | CPU s |", "|---|---|---|---|"]
    for name, r in results.items():
        out.append(f"| {name} | {r['wall']:.3f} | {r['min']:.3f} | {r['cpu']:.3f} |")
    out += ["", *[f"- {line}" for line in ratios]]
    if not (ROOT / "tflint_gesture" / "codes.py").exists():
        out.append("- The cache key still reads the rule set from the rule classes here (no static catalogue "
                   "`tflint_gesture/codes.py` in this checkout), so a cache hit imports libcst and the rules; with "
                   "the catalogue a hit imports neither.")
    out += ["", END]
    return "\n".join(out)



if __name__ == "__main__":
    main()
