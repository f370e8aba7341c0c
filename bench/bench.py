"""Speed benchmark of tflint-gesture on a generated corpus of realistic Keras training scripts.

    /work/venv/bin/python bench/bench.py [--files N] [--quick] [--write-doc] [--regen]

One run:
  1. generates (or reuses) `bench/corpus/` with `bench/generate.py` (seeded; file 0 is the
     ~300-line script of the single-file measurement);
  2. times the static pass `engine.check_text(path, text)` over all files (texts read beforehand),
     `libcst.parse_module` alone on the same texts (the floor), the CLI over the corpus folder, and
     the single-file CLI including interpreter start (`python -m`, the console script, `python -c pass`);
  3. profiles the static pass once with cProfile;
  4. prints a table and, with --write-doc, writes docs/benchmarks.md. Raw numbers go to
     bench/out/results.json.

CPU time is `time.process_time` (this process only), wall time `time.perf_counter`; every in-process
measurement is warmed up once. Subprocess CPU comes from `resource.getrusage(RUSAGE_CHILDREN)`.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import importlib.metadata
import io
import json
import os
import platform
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = HERE / "corpus"
OUT = HERE / "out"
DOC = ROOT / "docs" / "benchmarks.md"
MANIFEST = CORPUS / "manifest.json"

sys.path.insert(0, str(HERE))
import generate  # noqa: E402

TARGET_RATIO = 3.0  # static pass CPU / parse-floor CPU
TARGET_SINGLE_S = 0.35  # single-file CLI wall time, interpreter start included
SINGLE_RUNS = 10


# ------------------------------------------------------------------------------------------------
# corpus
# ------------------------------------------------------------------------------------------------


def _generator_digest() -> str:
    return hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:16]


def ensure_corpus(files: int, seed: int, regen: bool) -> tuple[list[Path], str]:
    """The corpus files, regenerated unless a manifest says they are what this generator makes."""
    wanted = {"generator_version": generate.GENERATOR_VERSION, "generator_sha": _generator_digest(),
              "seed": seed, "files": files}
    if not regen and MANIFEST.exists():
        try:
            have = json.loads(MANIFEST.read_text())
        except ValueError:
            have = {}
        paths = [CORPUS / generate.file_name(i) for i in range(files)]
        present = sorted(CORPUS.glob("*.py"))
        if {k: have.get(k) for k in wanted} == wanted and present == paths:
            return paths, "reused"
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    start = time.perf_counter()
    paths = generate.generate_corpus(CORPUS, files, seed)
    MANIFEST.write_text(json.dumps(wanted, indent=2) + "\n")
    return paths, f"generated in {time.perf_counter() - start:.1f} s"


# ------------------------------------------------------------------------------------------------
# in-process timing
# ------------------------------------------------------------------------------------------------


def timed_passes(fn, items, repeat: int) -> dict:
    """Warm up once (collecting exceptions), then `repeat` timed passes over `items`.

    Returns the median CPU and wall seconds of a pass, and for each item its fastest wall time."""
    crashes = []
    for name, text in items:  # warm-up, and the exception check
        try:
            fn(name, text)
        except Exception:  # noqa: BLE001 - reported, never swallowed silently
            crashes.append((name, traceback.format_exc()))
    crashed = {name for name, _ in crashes}
    work = [(n, t) for n, t in items if n not in crashed]
    cpu, wall = [], []
    per_file = {n: float("inf") for n, _ in work}
    perf, proc = time.perf_counter, time.process_time
    for _ in range(repeat):
        gc.collect()
        c0, w0 = proc(), perf()
        for name, text in work:
            t0 = perf()
            fn(name, text)
            dt = perf() - t0
            if dt < per_file[name]:
                per_file[name] = dt
        cpu.append(proc() - c0)
        wall.append(perf() - w0)
    return {"cpu_s": statistics.median(cpu), "wall_s": statistics.median(wall), "cpu_runs": cpu,
            "wall_runs": wall, "per_file_s": per_file, "crashes": crashes, "files": len(work)}


def profile_pass(fn, items, top: int = 15) -> dict:
    """cProfile one pass; the top functions by cumulative and by own time."""
    prof = cProfile.Profile()
    gc.collect()
    w0 = time.perf_counter()
    prof.enable()
    for name, text in items:
        fn(name, text)
    prof.disable()
    wall = time.perf_counter() - w0
    stats = pstats.Stats(prof, stream=io.StringIO())
    # 100% = the cumulative time of check_text (what the phases are shares of)
    total = max((v[3] for (f, _l, func), v in stats.stats.items() if func == "check_text" and "engine" in f),
                default=stats.total_tt)

    def rows(key):
        entries = sorted(stats.stats.items(), key=lambda kv: kv[1][3 if key == "cum" else 2], reverse=True)
        out = []
        for (file, line, func), (cc, nc, tt, ct, _callers) in entries:
            if func in ("<lambda>",) and "bench.py" in file:
                continue
            if "bench/bench.py" in file or func == "<method 'disable' of '_lsprof.Profiler' objects>":
                continue
            out.append({"function": _short(file, line, func), "ncalls": nc, "tottime_s": tt, "cumtime_s": ct})
            if len(out) == top:
                break
        return out

    phases = {}
    for (file, line, func), (cc, nc, tt, ct, _c) in stats.stats.items():
        short = _short(file, line, func)
        if func == "parse_module" and "libcst" in file:
            phases["parse (libcst.parse_module)"] = phases.get("parse (libcst.parse_module)", 0) + ct
        elif func == "build_facts":
            phases["facts (build_facts)"] = phases.get("facts (build_facts)", 0) + ct
        elif func == "check" and "tflint_gesture/rules/" in file and not short.startswith("tflint_gesture/rules/base"):
            phases["rules (Rule.check)"] = phases.get("rules (Rule.check)", 0) + ct
        elif func == "resolve" and "libcst/metadata/wrapper" in file:
            phases["positions (MetadataWrapper.resolve)"] = phases.get("positions (MetadataWrapper.resolve)", 0) + ct
    return {"total_s": total, "wall_s": wall, "by_cumulative": rows("cum"), "by_tottime": rows("tot")[:10], "phases": phases}


def _short(file: str, line: int, func: str) -> str:
    if file == "~":
        return func
    f = file.replace(os.sep, "/")
    if "/site-packages/" in f:
        f = f.split("/site-packages/", 1)[1]
    elif f.startswith(str(ROOT).replace(os.sep, "/") + "/"):
        f = f[len(str(ROOT)) + 1:]
    elif "/lib/python" in f:
        f = "stdlib/" + f.split("/lib/python", 1)[1].split("/", 1)[1]
    return f"{f}:{line}({func})"


# ------------------------------------------------------------------------------------------------
# subprocess timing
# ------------------------------------------------------------------------------------------------


def run_cmd(cmd: list[str], runs: int, warmup: int = 1) -> dict:
    """Median/min wall time (and median child CPU) of `runs` runs, after `warmup` untimed runs."""
    env = dict(os.environ)  # unchanged: OPENBLAS_* and the rest stay as they are
    last = None
    for _ in range(warmup):
        last = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    walls, cpus = [], []
    for _ in range(runs):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        last = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        walls.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
    return {"cmd": cmd, "median_s": statistics.median(walls), "min_s": min(walls), "max_s": max(walls),
            "cpu_median_s": statistics.median(cpus), "runs": walls, "returncode": last.returncode,
            "stdout": last.stdout.strip(), "stderr": last.stderr.strip()}


def import_times(file: Path, top: int = 8) -> dict:
    """Where the single-file CLI's start-up goes, from one `-X importtime` run: top-level imports,
    packages (each package's outermost imports summed) and the modules with the most own time."""
    cmd = [sys.executable, "-X", "importtime", "-m", "tflint_gesture", str(file), "--exit-zero", "-q", "--no-cache"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    entries = []  # (depth, module, self_us, cumulative_us), in completion order (children first)
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)", line)
        if m:
            entries.append((len(m.group(3)) // 2, m.group(4), int(m.group(1)), int(m.group(2))))
    # read backwards, parents come before their children; a package's time is the sum of its
    # imports that have no ancestor in the same package (nested other packages included)
    packages: dict[str, int] = {}
    stack: list[str] = []  # root package per depth
    for depth, module, _s, cum in reversed(entries):
        del stack[depth:]
        root = module.split(".")[0]
        if root not in stack:
            packages[root] = packages.get(root, 0) + cum
        stack.append(root)
    total = sum(c for d, _m, _s, c in entries if d == 0)
    ms = lambda us: us / 1000  # noqa: E731
    return {
        "total_ms": ms(total),
        "top_level": [{"module": m, "cumulative_ms": ms(c)} for d, m, _s, c in
                      sorted((e for e in entries if e[0] == 0), key=lambda e: -e[3])[:top]],
        "packages": [{"package": k, "cumulative_ms": ms(v)} for k, v in
                     sorted(packages.items(), key=lambda kv: -kv[1])[:top]],
        "own_time": [{"module": m, "self_ms": ms(s_)} for _d, m, s_, _c in
                     sorted(entries, key=lambda e: -e[2])[:top]],
    }


# ------------------------------------------------------------------------------------------------
# machine
# ------------------------------------------------------------------------------------------------


def machine_info() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()

    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "tflint_gesture")
    return {
        "nproc": affinity,
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "libcst": importlib.metadata.version("libcst"),
        "tflint_gesture": importlib.metadata.version("tflint-gesture"),
        "commit": git("rev-parse", "--short", "HEAD") + (" (tflint_gesture/ modified)" if dirty else ""),
        "openblas_env": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS")},
    }


# ------------------------------------------------------------------------------------------------
# main
# ------------------------------------------------------------------------------------------------


def per_kloc_ms(seconds: float, lines: int) -> float:
    return seconds * 1000 / (lines / 1000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="tflint-gesture speed benchmark")
    parser.add_argument("--files", type=int, default=None, help="corpus size (default 200, --quick 50)")
    parser.add_argument("--quick", action="store_true", help="50 files, one timed pass, one CLI corpus run")
    parser.add_argument("--repeat", type=int, default=None, help="timed passes in process (default 3, --quick 1)")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--regen", action="store_true", help="regenerate the corpus even if it is current")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--write-doc", action="store_true", help=f"write {DOC.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    files = args.files or (50 if args.quick else 200)
    repeat = args.repeat or (1 if args.quick else 3)
    cli_runs = 1 if args.quick else 3

    import libcst

    from tflint_gesture.engine import check_text

    paths, corpus_note = ensure_corpus(files, args.seed, args.regen)
    items = [(p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8")) for p in paths]
    lines_of = {n: t.count("\n") for n, t in items}
    total_lines = sum(lines_of.values())
    single = paths[0]
    print(f"corpus: {len(items)} files, {total_lines} lines ({min(lines_of.values())}-{max(lines_of.values())} "
          f"per file), {corpus_note}; single file {single.relative_to(ROOT)} ({lines_of[items[0][0]]} lines)")

    findings: dict[str, int] = {}
    per_file_findings: dict[str, int] = {}

    def static(name, text):
        return check_text(name, text)

    def parse(name, text):
        return libcst.parse_module(text)

    # one extra untimed pass that counts findings (not part of any timing)
    for name, text in items:
        try:
            found = check_text(name, text)
            per_file_findings[name] = len(found)
            for f in found:
                findings[f.code] = findings.get(f.code, 0) + 1
        except Exception:  # noqa: BLE001 - timed_passes reports it with the traceback
            pass

    print(f"static pass: warm-up + {repeat} timed pass(es) ...", flush=True)
    st = timed_passes(static, items, repeat)
    print(f"parse floor: warm-up + {repeat} timed pass(es) ...", flush=True)
    pf = timed_passes(parse, items, repeat)
    timed_lines = sum(lines_of[n] for n in st["per_file_s"])
    for name, tb in st["crashes"]:
        print(f"\nCRASH in check_text on {name}:\n{tb}", file=sys.stderr)

    script = Path(sys.executable).with_name("tflint-gesture")
    console = str(script) if script.exists() else (shutil.which("tflint-gesture") or "tflint-gesture")
    print(f"CLI over the corpus folder: {cli_runs} run(s) ...", flush=True)
    cli_corpus = run_cmd([console, CORPUS.relative_to(ROOT).as_posix(), "--exit-zero", "-q", "--no-cache"], cli_runs)
    cli_corpus["files_reported"] = _files_reported(cli_corpus["stdout"])
    cli_files = None
    if cli_corpus["files_reported"] != len(items):
        # the folder is gitignored, and discovery honours .gitignore below a folder named on the
        # command line; files named explicitly are always checked, so time that as well
        print(f"  the folder run checked {cli_corpus['files_reported']} files; timing the explicit file list too",
              flush=True)
        cli_files = run_cmd([console, *[n for n, _ in items], "--exit-zero", "-q", "--no-cache"], cli_runs)
        cli_files["files_reported"] = _files_reported(cli_files["stdout"])
    print(f"single-file CLI: {SINGLE_RUNS} runs each ...", flush=True)
    rel_single = single.relative_to(ROOT).as_posix()
    one_m = run_cmd([sys.executable, "-m", "tflint_gesture", rel_single, "--exit-zero", "-q", "--no-cache"], SINGLE_RUNS)
    one_script = run_cmd([console, rel_single, "--exit-zero", "-q", "--no-cache"], SINGLE_RUNS)
    py_pass = run_cmd([sys.executable, "-c", "pass"], SINGLE_RUNS)
    imports = import_times(single)

    prof = None
    if not args.no_profile:
        print("profiling one static pass ...", flush=True)
        prof = profile_pass(static, [(n, t) for n, t in items if n in st["per_file_s"]])

    # derived numbers
    ratio = st["cpu_s"] / pf["cpu_s"]
    res = {
        "machine": machine_info(),
        "command": " ".join(["/work/venv/bin/python" if sys.executable.startswith("/work/venv") else "python",
                             "bench/bench.py", *(argv if argv is not None else sys.argv[1:])]),
        "corpus": {"files": len(items), "lines": total_lines, "min_lines": min(lines_of.values()),
                   "max_lines": max(lines_of.values()), "seed": args.seed,
                   "generator_version": generate.GENERATOR_VERSION, "note": corpus_note,
                   "findings": dict(sorted(findings.items())), "single_file": rel_single,
                   "single_file_lines": lines_of[items[0][0]]},
        "repeat": repeat,
        "static": _summary(st, timed_lines),
        "parse": _summary(pf, timed_lines),
        "ratio_cpu": ratio,
        "cli_corpus": cli_corpus,
        "cli_files": cli_files,
        "single_m": one_m,
        "single_script": one_script,
        "python_pass": py_pass,
        "imports": imports,
        "crashes": [{"file": n, "traceback": tb} for n, tb in st["crashes"] + pf["crashes"]],
        "slowest": _slowest(st["per_file_s"], lines_of, per_file_findings),
        "ratio_by_findings": _ratio_split(st["per_file_s"], pf["per_file_s"], per_file_findings),
        "profile": prof,
    }
    res["targets"] = {
        "ratio": {"target": f"<= {TARGET_RATIO:g}x", "value": ratio, "met": ratio <= TARGET_RATIO},
        "single_script": {"target": f"< {TARGET_SINGLE_S} s", "value": one_script["median_s"],
                          "met": one_script["median_s"] < TARGET_SINGLE_S},
        "single_m": {"target": f"< {TARGET_SINGLE_S} s", "value": one_m["median_s"],
                     "met": one_m["median_s"] < TARGET_SINGLE_S},
    }

    text = render(res)
    print()
    print(text["console"])
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(res, indent=2, default=str) + "\n")
    if args.write_doc:
        DOC.write_text(text["doc"].rstrip("\n") + "\n" + _other_sections())
        print(f"\nwrote {DOC.relative_to(ROOT)}")
    return 1 if res["crashes"] else 0


def _other_sections() -> str:
    """The sections other benchmark scripts keep in the same document (`<!-- name:begin -->` ...
    `<!-- name:end -->`): this script rewrites only its own part and carries those over."""
    if not DOC.exists():
        return ""
    found = re.findall(r"(<!-- [\w-]+:begin.*?<!-- [\w-]+:end -->)", DOC.read_text(), flags=re.S)
    return "".join("\n" + block + "\n" for block in found)


def _files_reported(stdout: str) -> int | None:
    m = re.search(r"in (\d+) files?", stdout)
    return int(m.group(1)) if m else None


def _summary(r: dict, lines: int) -> dict:
    return {"files": r["files"], "lines": lines, "cpu_s": r["cpu_s"], "wall_s": r["wall_s"],
            "files_per_s": r["files"] / r["wall_s"], "cpu_files_per_s": r["files"] / r["cpu_s"],
            "cpu_ms_per_kloc": per_kloc_ms(r["cpu_s"], lines), "wall_ms_per_kloc": per_kloc_ms(r["wall_s"], lines),
            "cpu_runs": r["cpu_runs"], "wall_runs": r["wall_runs"]}


def _ratio_split(static_s: dict, parse_s: dict, found: dict) -> dict:
    """static / parse (sum of per-file fastest wall times) for files with and without findings."""
    out = {}
    for key, keep in (("with_findings", lambda n: found.get(n, 0) > 0), ("without_findings", lambda n: not found.get(n))):
        names = [n for n in static_s if n in parse_s and keep(n)]
        p = sum(parse_s[n] for n in names)
        out[key] = {"files": len(names), "ratio": (sum(static_s[n] for n in names) / p) if p else None}
    return out


def _slowest(per_file: dict, lines_of: dict, found: dict, top: int = 5) -> dict:
    rates = {n: per_kloc_ms(s, lines_of[n]) for n, s in per_file.items()}
    if not rates:
        return {"median_ms_per_kloc": None, "top": [], "outliers": []}
    med = statistics.median(rates.values())
    ranked = sorted(rates.items(), key=lambda kv: kv[1], reverse=True)
    slowest_abs = sorted(per_file.items(), key=lambda kv: kv[1], reverse=True)[:top]
    with_f = [r for n, r in rates.items() if found.get(n)]
    without = [r for n, r in rates.items() if not found.get(n)]
    return {"median_ms_per_kloc": med,
            "with_findings": {"files": len(with_f), "median_ms_per_kloc": statistics.median(with_f) if with_f else None},
            "without_findings": {"files": len(without),
                                 "median_ms_per_kloc": statistics.median(without) if without else None},
            "top": [{"file": n, "ms_per_kloc": r, "ms": per_file[n] * 1000, "lines": lines_of[n],
                     "findings": found.get(n, 0)} for n, r in ranked[:top]],
            "slowest_absolute": [{"file": n, "ms": s * 1000, "lines": lines_of[n]} for n, s in slowest_abs],
            "outliers": [n for n, r in ranked if r > 3 * med]}


# ------------------------------------------------------------------------------------------------
# output
# ------------------------------------------------------------------------------------------------


def _ok(flag: bool) -> str:
    return "met" if flag else "NOT met"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    fmt = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    return [fmt(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *[fmt(r) for r in rows]]


def render(res: dict) -> dict:
    st, pf, c = res["static"], res["parse"], res["corpus"]
    t = res["targets"]
    mach = res["machine"]
    main_rows = [
        ["static pass `check_text` (in process)", f"{st['files_per_s']:.1f}", f"{st['cpu_ms_per_kloc']:.1f}",
         f"{st['wall_s']:.2f} s wall / {st['cpu_s']:.2f} s CPU", ""],
        ["parse floor `libcst.parse_module`", f"{pf['files_per_s']:.1f}", f"{pf['cpu_ms_per_kloc']:.1f}",
         f"{pf['wall_s']:.2f} s wall / {pf['cpu_s']:.2f} s CPU", ""],
        ["ratio static / parse (CPU)", "", "", f"{res['ratio_cpu']:.2f}x", f"<= {TARGET_RATIO:g}x: {_ok(t['ratio']['met'])}"],
    ]
    for label, run in (("CLI `tflint-gesture bench/corpus` (end to end)", res["cli_corpus"]),
                       ("CLI with the files named (end to end)", res["cli_files"])):
        if run is None:
            continue
        n = run["files_reported"] or 0
        note = "" if n == c["files"] else f"checked {n} of {c['files']} files"
        rate = f"{n / run['median_s']:.1f}" if n else "-"
        kloc = f"{per_kloc_ms(run['cpu_median_s'], c['lines']):.1f}" if n == c["files"] else "-"
        main_rows.append([label, rate, kloc, f"{run['median_s']:.2f} s wall / {run['cpu_median_s']:.2f} s CPU", note])
    one_rows = [
        ["console script `tflint-gesture FILE --exit-zero -q`", f"{res['single_script']['median_s']:.3f}",
         f"{res['single_script']['min_s']:.3f}", f"{res['single_script']['cpu_median_s']:.3f}",
         f"< {TARGET_SINGLE_S} s: {_ok(t['single_script']['met'])}"],
        ["`python -m tflint_gesture FILE --exit-zero -q`", f"{res['single_m']['median_s']:.3f}",
         f"{res['single_m']['min_s']:.3f}", f"{res['single_m']['cpu_median_s']:.3f}",
         f"< {TARGET_SINGLE_S} s: {_ok(t['single_m']['met'])}"],
        ["`python -c pass` (reference)", f"{res['python_pass']['median_s']:.3f}", f"{res['python_pass']['min_s']:.3f}",
         f"{res['python_pass']['cpu_median_s']:.3f}", ""],
    ]
    main_tab = _table(["measurement", "files/s", "CPU ms / 1k lines", "total", "target"], main_rows)
    one_tab = _table(["single file, interpreter start included", "median s", "min s", "CPU s", "target"], one_rows)
    imp = res["imports"]
    imp_tab = _table(["package (nested packages included)", "cumulative ms"],
                     [[r["package"], f"{r['cumulative_ms']:.1f}"] for r in imp["packages"]])
    imp_top_tab = _table(["import at top level", "cumulative ms"],
                         [[r["module"], f"{r['cumulative_ms']:.1f}"] for r in imp["top_level"]])
    imp_own_tab = _table(["module, own time", "ms"], [[r["module"], f"{r['self_ms']:.1f}"] for r in imp["own_time"]])
    prof = res["profile"]
    prof_tab = phase_tab = tot_tab = []
    if prof:
        prof_tab = _table(["#", "cumulative s", "own s", "calls", "function"],
                          [[str(i + 1), f"{r['cumtime_s']:.3f}", f"{r['tottime_s']:.3f}", str(r["ncalls"]), f"`{r['function']}`"]
                           for i, r in enumerate(prof["by_cumulative"])])
        tot_tab = _table(["#", "own s", "cumulative s", "calls", "function"],
                         [[str(i + 1), f"{r['tottime_s']:.3f}", f"{r['cumtime_s']:.3f}", str(r["ncalls"]), f"`{r['function']}`"]
                          for i, r in enumerate(prof["by_tottime"])])
        total = prof["total_s"]
        phase_tab = _table(["phase (under cProfile)", "s", "share of check_text"],
                           [[k, f"{v:.3f}", f"{100 * v / total:.0f}%"]
                            for k, v in sorted(prof["phases"].items(), key=lambda kv: -kv[1])])
    slow = res["slowest"]
    slow_tab = _table(["file", "lines", "findings", "ms", "ms / 1k lines"],
                      [[r["file"], str(r["lines"]), str(r["findings"]), f"{r['ms']:.1f}", f"{r['ms_per_kloc']:.1f}"]
                       for r in slow["top"]])
    wf, wo = slow["with_findings"], slow["without_findings"]
    split_note = (f"median per-file rate: {wf['median_ms_per_kloc'] or 0:.1f} ms / 1k lines for the {wf['files']} files "
                  f"with findings, {wo['median_ms_per_kloc'] or 0:.1f} for the {wo['files']} without")
    crashes = res["crashes"]
    cli = res["cli_corpus"]
    cli_note = (f"CLI summary: `{cli['stdout'].splitlines()[-1] if cli['stdout'] else '(no output)'}` "
                f"(exit {cli['returncode']})")
    if cli["files_reported"] != c["files"]:
        cli_note += (f" -- the folder run checked {cli['files_reported']} of {c['files']} files: `bench/corpus/` is "
                     "gitignored and discovery skips gitignored files below a folder named on the command line")
        if res["cli_files"]:
            cli_note += (f"; with the {c['files']} files named explicitly: "
                         f"`{res['cli_files']['stdout'].splitlines()[-1] if res['cli_files']['stdout'] else ''}`")
    findings = ", ".join(f"{k} {v}" for k, v in c["findings"].items()) or "none"
    rs = res["ratio_by_findings"]
    fmt_r = lambda r: "-" if r["ratio"] is None else f"{r['ratio']:.2f}x"  # noqa: E731
    ratio_note = (f"static / parse by file (per-file wall): {fmt_r(rs['with_findings'])} on the "
                  f"{rs['with_findings']['files']} files with findings, {fmt_r(rs['without_findings'])} on the "
                  f"{rs['without_findings']['files']} without")

    console = [
        f"machine: {mach['cpu_model']}, nproc {mach['nproc']}, Python {mach['python']}, libcst {mach['libcst']}",
        f"corpus: {c['files']} files, {c['lines']} lines; findings (in process): {findings}",
        "", *main_tab, "", *one_tab, "", cli_note,
        f"crashes in check_text/parse: {len(crashes)}" + "".join(f"\n  {x['file']}" for x in crashes),
        f"per-file static rate: median {slow['median_ms_per_kloc']:.1f} ms / 1k lines; "
        f"outliers (> 3x median): {len(slow['outliers'])}", split_note, ratio_note,
        "", "slowest files (ms / 1k lines):", *slow_tab,
        "", f"single-file CLI start-up imports (-X importtime, {imp['total_ms']:.0f} ms in all):", *imp_tab,
        "", *imp_own_tab,
    ]
    if prof:
        console += ["", f"profile of one static pass ({prof['wall_s']:.2f} s wall under cProfile), by cumulative time:",
                    *prof_tab, "", "by own time:", *tot_tab, "", *phase_tab,
                    "(phases overlap: positions are resolved lazily from inside the rules/engine)"]

    doc = [
        "# Benchmarks",
        "",
        "Generated by `bench/bench.py` (do not edit by hand; re-run the command below to refresh).",
        "",
        "## What is measured",
        "",
        f"- **Corpus**: {c['files']} generated Keras training scripts, {c['lines']:,} lines "
        f"({c['min_lines']}-{c['max_lines']} lines each), from `bench/generate.py` "
        f"(generator v{c['generator_version']}, seed {c['seed']}) into `bench/corpus/` (gitignored). The scripts "
        "combine the pieces seen in `fixtures/`: four import styles, constants, data loading "
        "(numpy, `.npy`/`.npz`, pandas CSV, `ImageDataGenerator.flow_from_directory`, "
        "`image_dataset_from_directory`, `tf.data`), Sequential-list / `.add` / functional models, "
        "`compile` with string and object losses, callbacks, `fit`/`evaluate`/`predict`, plotting and "
        "report helpers, custom layers/callbacks/training loops, and an argparse `main()` in half of them. "
        f"About one in six has a label/loss/head mismatch (findings: {findings}).",
        "- **Static pass**: `tflint_gesture.engine.check_text(path, text)` over every file, texts read "
        f"beforehand (no I/O), default settings; one warm-up pass, then the median of {res['repeat']} timed "
        "pass(es). CPU = `time.process_time`, wall = `time.perf_counter`.",
        "- **Parse floor**: `libcst.parse_module(text)` alone on the same texts, same procedure. The static "
        "pass cannot be faster than this; the target is to stay within "
        f"{TARGET_RATIO:g}x of it (CPU).",
        "- **CLI over the folder**: `tflint-gesture bench/corpus --exit-zero -q` as a subprocess, end to end "
        f"(interpreter start, discovery, reading, checking, report); median wall of {len(cli['runs'])} run(s) after a warm-up; "
        "CPU from `getrusage(RUSAGE_CHILDREN)`. When the folder run checks fewer files than the corpus has "
        "(discovery honours `.gitignore`, and `bench/corpus/` is gitignored), the same command with every "
        "file named on the command line is timed as well.",
        f"- **Single file**: the {c['single_file_lines']}-line `{c['single_file']}`, median of "
        f"{SINGLE_RUNS} runs (after one warm-up) of the console script and of `python -m tflint_gesture`, "
        f"interpreter start included; target < {TARGET_SINGLE_S} s. `python -c pass` is the reference for the "
        "bare interpreter start.",
        "",
        "## Machine",
        "",
        f"- CPU: {mach['cpu_model']}, nproc {mach['nproc']} (os.cpu_count {mach['cpu_count']})",
        f"- Python {mach['python']} ({mach['implementation']}), {mach['platform']}",
        f"- libcst {mach['libcst']}, tflint-gesture {mach['tflint_gesture']} at commit {mach['commit'] or 'unknown'}",
        f"- OPENBLAS environment left as found: {', '.join(f'{k}={v}' for k, v in mach['openblas_env'].items()) or 'none set'}",
        "- The in-process passes are single-threaded; the subprocess runs use the CLI's defaults.",
        "",
        "## Command",
        "",
        "```",
        f"{res['command']}",
        "```",
        "",
        "## Results",
        "",
        *main_tab,
        "",
        *one_tab,
        "",
        f"{cli_note}.",
        "",
        "### Targets",
        "",
        f"- Static pass within {TARGET_RATIO:g}x of the parse floor (CPU): **{res['ratio_cpu']:.2f}x, "
        f"{_ok(t['ratio']['met'])}** on this corpus, where {rs['with_findings']['files']} of {c['files']} files have "
        f"findings. The cost depends on whether a file has findings: {ratio_note}.",
        f"- Single-file CLI below {TARGET_SINGLE_S} s (median wall, interpreter start included): console script "
        f"**{res['single_script']['median_s']:.3f} s, {_ok(t['single_script']['met'])}**; `python -m` "
        f"**{res['single_m']['median_s']:.3f} s, {_ok(t['single_m']['met'])}**.",
        "",
        "### Robustness on the corpus",
        "",
        (f"- `check_text` raised on {len(crashes)} file(s): " + ", ".join(f"`{x['file']}`" for x in crashes) + "."
         if crashes else "- `check_text` and `parse_module` raised on none of the generated files."),
        f"- Per-file static rate: median {slow['median_ms_per_kloc']:.1f} ms per 1,000 lines; files above 3x the "
        f"median: {len(slow['outliers'])}; {split_note}. Slowest by rate:",
        "",
        *slow_tab,
        "",
        "## Where the time goes",
        "",
        "Single-file start-up: imports of `python -X importtime -m tflint_gesture FILE --exit-zero -q` "
        f"({imp['total_ms']:.0f} ms in all; one run, and -X importtime inflates the numbers a little). By package "
        "(the outermost imports of each package summed), by top-level import, and the modules with the most own time:",
        "",
        *imp_tab,
        "",
        *imp_top_tab,
        "",
        *imp_own_tab,
        "",
    ]
    if prof:
        doc += [
            f"One static pass over the corpus under cProfile ({prof['wall_s']:.2f} s wall with profiling overhead). "
            "Phases: cumulative time of the named functions as a share of `check_text`'s; they overlap, since "
            "positions are resolved lazily from inside the rules and the engine:",
            "",
            *phase_tab,
            "",
            "Top 15 functions by cumulative time:",
            "",
            *prof_tab,
            "",
            "Top 10 by own time:",
            "",
            *tot_tab,
            "",
        ]
    doc += [
        "## How to reproduce",
        "",
        "```",
        "/work/venv/bin/python bench/bench.py --write-doc          # 200 files, 3 timed passes (about a minute)",
        "/work/venv/bin/python bench/bench.py --quick             # 50 files, 1 pass, no doc",
        "/work/venv/bin/python bench/bench.py --files 500 --regen # bigger corpus, regenerated",
        "```",
        "",
        "The corpus is regenerated when the generator (version or source), seed or size changes, and reused "
        "otherwise; file *i* depends only on the seed and *i*. Raw numbers, per-run times and tracebacks of any "
        "crash are in `bench/out/results.json`. Numbers vary by a few percent between runs; compare runs on the "
        "same machine only.",
        "",
    ]
    return {"console": "\n".join(console), "doc": "\n".join(doc)}


if __name__ == "__main__":
    sys.exit(main())
