"""Speed and verdicts of `--dry-run`: TensorFlow's import, each model's run, and what the run proves.

    /work/venv/bin/python bench/bench_dryrun.py [--write-doc] [--repeat N]
    /work/venv/bin/python bench/bench_dryrun.py --verdicts FOLDER [FOLDER ...]
    /work/venv/bin/python bench/bench_dryrun.py --models FILE [FILE ...] [--repeat N]

Measures:
  1. `import tensorflow` in a fresh interpreter (median of --repeat runs), and the worker's own
     start (import inside the sandbox, as the worker reports it);
  2. every compiled model of `fixtures/*.py` through one sandboxed worker, as the CLI runs it, --repeat
     passes (each model's median; --models FILE...: only those files' models): the time the worker
     spends per model (slice exec, 4 training steps (3 for large samples), the checks the file's findings
     ask for) and the parent's wall time per request (plus the pipe);
  3. `tflint-gesture --dry-run fixtures/ -q --exit-zero` end to end;
  4. (--verdicts, also part of --write-doc over fixtures/) the dry run over every .py of the folders,
     the static pass first, as `--dry-run` runs it: confirmed / refuted / inconclusive / not-run per
     rule code; the findings the `# expect:` markers call true bugs that were refuted; the share of
     judgeable error findings (TFG1xx, TFG2xx, TFG401, TFG5xx) confirmed, both of all of them and of
     those the dry run could run (the others are listed with why not); the share of models whose
     build failed, and of those the failures that are Keras 2/3 API differences; worker seconds per
     model (after the one TensorFlow import).
With --write-doc the delimited dry-run section of docs/benchmarks.md is replaced (or appended);
raw numbers go to bench/out/dryrun_results.json.
"""

from __future__ import annotations

import argparse
import json
import re
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOC = ROOT / "docs" / "benchmarks.md"
OUT = HERE / "out"
from doc_sections import markers, replace_section  # noqa: E402 - bench/ is on the path

BEGIN, END = markers("bench_dryrun")
TARGET_MODEL_S = 2.0

sys.path.insert(0, str(ROOT))


def tensorflow_import(repeat: int) -> list:
    times = []
    for _ in range(repeat):
        code = "import time; t = time.perf_counter(); import tensorflow; print(time.perf_counter() - t)"
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, timeout=600)
        times.append(float(proc.stdout.strip().splitlines()[-1]))
    return times


def fixture_models(paths: list, passes: int = 1) -> dict:
    """Every compiled model of `paths` through one worker, `passes` times over: a model's times are the
    median of its passes (another process's burst on a 2-core machine moves one pass, not the median)."""
    from tflint_gesture.dryrun.run import Session, analyse_file, attach_checks
    from tflint_gesture.engine import check_file

    requests, not_run = [], []
    for path in paths:
        path = Path(path).resolve()
        shown = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
        text = path.read_text(encoding="utf-8")
        prepared = analyse_file(text, shown)
        attach_checks(prepared, check_file(path, display_path=shown))
        for run, request in prepared:
            if request is None:
                not_run.append({"file": shown, "reason": run.reason})
            else:
                requests.append((shown, request))
    rows: list = [None] * len(requests)
    started = time.perf_counter()
    with Session() as session:
        first = None
        for _ in range(max(1, passes)):
            for i, (shown, request) in enumerate(requests):
                t = time.perf_counter()
                answer = session.run(request)
                wall = time.perf_counter() - t
                if first is None:
                    first = wall
                row = rows[i] = rows[i] or {"file": shown, "status": answer.get("status"),
                                            "checks": sorted(request["checks"]), "reason": answer.get("reason"),
                                            "passes": {"wall_s": [], "worker_s": [], "cpu_s": []}}
                for key, value in (("wall_s", wall), ("worker_s", answer.get("seconds")),
                                   ("cpu_s", answer.get("cpu_seconds"))):
                    if isinstance(value, (int, float)):
                        row["passes"][key].append(value)
        stats = session.stats
    for row in rows:
        for key, values in row["passes"].items():
            row[key] = statistics.median(values) if values else None
    return {"rows": rows, "not_run": not_run, "import_in_worker_s": stats.import_seconds, "guards": stats.guards,
            "versions": stats.versions, "passes": max(1, passes),
            "restarts": stats.restarts, "total_s": time.perf_counter() - started, "first_request_s": first}


# Build errors that are a Keras 2/3 API difference, not a bug of the script.
API_ERRORS = re.compile(r"Unrecognized keyword argument|Argument\(s\) not recognized|No module named 'keras|"
                        r"has no attribute|cannot import name|unexpected keyword argument|is not supported in Keras 3|"
                        r"must be passed as a keyword argument")
JUDGEABLE = ("TFG1", "TFG2", "TFG5")  # error findings of these families, and TFG401 (the definition)


def verdicts(folders: list) -> dict:
    """The dry run over every .py below `folders`: verdict counts per code, refuted true bugs, build failures."""
    from tflint_gesture.dryrun import confirm
    from tflint_gesture.dryrun.run import Session, analyse_file, attach_checks, judge
    from tflint_gesture.engine import check_file

    sys.path.insert(0, str(ROOT / "tests"))
    from test_fixtures import parse_expectations

    per_code: dict = {}
    every: list = []  # every finding's verdict, to compare two runs
    refuted_bugs, judgeable, confirmed_judgeable, builds, seconds, timings, files = [], [], [], [], [], [], 0
    started = time.perf_counter()
    with Session() as session:
        for folder in folders:
            for path in sorted(Path(folder).rglob("*.py")):
                files += 1
                path = path.resolve()
                shown = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
                text = path.read_text(encoding="utf-8")
                expected = parse_expectations(text, shown)
                findings = check_file(path, display_path=shown)
                prepared = analyse_file(text, shown)
                attach_checks(prepared, findings)
                runs = []
                for run, request in prepared:
                    if request is not None:
                        run.answer = session.run(request)
                        if isinstance(run.answer.get("seconds"), (int, float)):
                            seconds.append(run.answer["seconds"])
                            timings.append({"file": shown, "line": run.anchor_line, "seconds": run.answer["seconds"],
                                            "cpu_seconds": run.answer.get("cpu_seconds"),
                                            "checks": sorted(request["checks"]), "steps": len(run.answer.get("losses") or [])})
                    builds.append(_build_outcome(shown, run))
                    runs.append(run)
                findings = findings + judge(text, shown, findings, runs)
                for f in findings:
                    every.append({"file": shown, "line": f.line, "code": f.code, "verdict": f.confirmation,
                                  "observation": (f.observation or "")[:400]})
                    per_code.setdefault(f.code, {}).setdefault(f.confirmation or "none", 0)
                    per_code[f.code][f.confirmation or "none"] += 1
                    true_bug = (f.line, f.code) in expected
                    if true_bug and f.confirmation == confirm.REFUTED:
                        refuted_bugs.append({"file": shown, "line": f.line, "code": f.code, "observation": f.observation})
                    if true_bug and f.code in confirm.RULES and (f.code == "TFG401" or (
                            f.code.startswith(JUDGEABLE) and f.severity.value == "error")):
                        judgeable.append({"file": shown, "line": f.line, "code": f.code, "verdict": f.confirmation,
                                          "observation": f.observation})
                        if f.confirmation == confirm.CONFIRMED:
                            confirmed_judgeable.append(judgeable[-1])
        versions = session.stats.versions
        import_s = session.stats.import_seconds
    failed = [b for b in builds if b["failed"]]
    return {"folders": [_shown_folder(f) for f in folders], "files": files, "per_code": per_code, "refuted_true_bugs": refuted_bugs,
            "judgeable": judgeable, "confirmed_judgeable": len(confirmed_judgeable), "models": len(builds),
            "builds_failed": failed, "builds_failed_keras_api": [b for b in failed if b["keras_api"]],
            "worker_seconds": seconds, "model_timings": timings, "verdicts": every, "import_in_worker_s": import_s, "versions": versions,
            "total_s": time.perf_counter() - started}


def _shown_folder(folder) -> str:
    path = Path(folder).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _build_outcome(shown: str, run) -> dict:
    """Did building this model fail (the slice raised while building, or the slicer could not cut it)?"""
    answer = run.answer or {}
    error = answer.get("error") or {}
    message = ""
    if answer.get("status") in ("error", "not-run") and error.get("phase") == "build":
        message = f"{error.get('type')}: {error.get('message')}"
    return {"file": shown, "line": run.anchor_line, "failed": bool(message), "error": message,
            "keras_api": bool(message and API_ERRORS.search(message)), "translations": list(getattr(run, "translations", [])),
            "ran": run.ran, "reason": None if run.ran else run.not_run_reason()}


def verdict_table(res: dict) -> list:
    codes = sorted(res["per_code"])
    kinds = ("confirmed", "refuted", "inconclusive", "not-run")
    lines = [f"Dry run over {', '.join(f'`{f}`' for f in res['folders'])}: {res['files']} files, {res['models']} "
             f"models (Keras {res['versions'].get('keras', '?')}, TensorFlow {res['versions'].get('tensorflow', '?')}).",
             "", "| code | " + " | ".join(kinds) + " |", "|---|" + "---|" * len(kinds)]
    for code in codes:
        counts = res["per_code"][code]
        lines.append(f"| {code} | " + " | ".join(str(counts.get(k, 0)) for k in kinds) + " |")
    judged = len(res["judgeable"])
    share = res["confirmed_judgeable"] / judged if judged else 0.0
    ran = sum(1 for item in res["judgeable"] if item["verdict"] in ("confirmed", "refuted", "inconclusive"))
    ran_share = res["confirmed_judgeable"] / ran if ran else 0.0
    failed, api = len(res["builds_failed"]), len(res["builds_failed_keras_api"])
    models = res["models"] or 1
    sec = res["worker_seconds"]
    cpu = [t["cpu_seconds"] for t in res.get("model_timings", []) if isinstance(t.get("cpu_seconds"), (int, float))]
    lines += ["",
              f"- true bugs (expect markers) refuted: **{len(res['refuted_true_bugs'])}**",
              f"- judgeable error findings confirmed: **{res['confirmed_judgeable']} of {judged} ({share:.0%})** "
              f"of all judgeable-family error findings; **{res['confirmed_judgeable']} of {ran} ({ran_share:.0%})** "
              f"of those the dry run could run (confirmed + refuted + inconclusive); {judged - ran} not-run "
              f"(the model needs data or code the dry run does not have, listed below)",
              f"- builds failed: **{failed} of {res['models']} ({failed / models:.0%})**, of which Keras 2/3 API "
              f"differences: **{api} ({api / models:.0%} of the models)**",
              f"- worker seconds per model after the TensorFlow import: median "
              f"{statistics.median(sec) if sec else 0:.2f} s, 90th percentile {_p90(sec):.2f} s, max "
              f"{max(sec) if sec else 0:.2f} s ({sum(1 for v in sec if v >= TARGET_MODEL_S)} at or above "
              f"{TARGET_MODEL_S:g} s); worker CPU seconds (all threads): median {statistics.median(cpu) if cpu else 0:.2f} s, "
              f"max {max(cpu) if cpu else 0:.2f} s"]
    for item in res["judgeable"]:
        if item["verdict"] != "confirmed":
            lines.append(f"  - not confirmed: `{item['file']}:{item['line']}` {item['code']} {item['verdict']}: "
                         f"{(item['observation'] or '')[:160]}")
    for item in res["builds_failed"]:
        lines.append(f"  - build failed: `{item['file']}:{item['line']}`: {item['error'][:160]}")
    return lines


def _p90(values: list) -> float:
    if len(values) >= 10:
        return statistics.quantiles(values, n=10)[8]
    return max(values) if values else 0.0


def cli_run() -> dict:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "tflint_gesture", "--dry-run", "fixtures/", "-q", "--exit-zero"],
                          cwd=ROOT, capture_output=True, text=True, timeout=1800)
    return {"wall_s": time.perf_counter() - t, "exit": proc.returncode, "summary": proc.stdout.strip().splitlines()[-1]
            if proc.stdout.strip() else proc.stderr.strip()[-300:]}


def section(res: dict) -> str:
    rows = res["models"]["rows"]
    ran = [r for r in rows if r["status"] in ("ok", "error")]
    worker = [r["worker_s"] for r in ran if isinstance(r["worker_s"], (int, float))]
    cpu = [r["cpu_s"] for r in ran if isinstance(r.get("cpu_s"), (int, float))] or [0.0]
    walls = [r["wall_s"] for r in ran[1:] if r["wall_s"] is not None]  # the first includes the worker's start
    over = [r for r in ran if (r["worker_s"] or 0) >= TARGET_MODEL_S]
    q = statistics.quantiles(worker, n=10) if len(worker) >= 10 else [max(worker or [0])] * 9
    tf_import = res["tensorflow_import_s"]
    slow = sorted(ran, key=lambda r: -(r["worker_s"] or 0))[:5]
    passes = res["models"].get("passes", 1)
    passes_text = (f"; every model run {passes} times in the same warm worker, its times the median of its "
                   f"{passes} runs" if passes > 1 else "")
    lines = [
        BEGIN, "", "## Dry run (`--dry-run`)", "",
        f"Generated by `bench/bench_dryrun.py` on {res['machine']}; TensorFlow {res['tensorflow']}, "
        f"Keras {res['keras']}.", "",
        "- **TensorFlow import**, once per run: `import tensorflow` in a fresh interpreter, median of "
        f"{len(tf_import)}: **{statistics.median(tf_import):.2f} s** (min {min(tf_import):.2f}, max {max(tf_import):.2f}). "
        f"Inside the sandboxed worker (resource limits, Landlock, seccomp, audit hook): "
        f"{res['models']['import_in_worker_s']:.2f} s; the first request, worker start included: "
        f"{res['models']['first_request_s']:.2f} s.",
        f"- **Per model**: the {len(ran)} compiled models of `fixtures/*.py` that the slicer can build "
        f"({len(res['models']['not_run'])} more are `not-run`: their size depends on data the analysis cannot "
        f"describe, code the dry run never runs, ...), one worker, 4 training steps on a batch of 16 (3 steps on a batch "
        f"of 4 for samples above 40,000 values), plus the checks the file's findings ask for"
        f"{passes_text}. Time in the worker per model: median **{statistics.median(worker):.2f} s**, "
        f"90th percentile {q[8]:.2f} s, max {max(worker):.2f} s; {len(over)} of {len(ran)} at or above the "
        f"{TARGET_MODEL_S:g} s target; worker CPU seconds (all threads) median {statistics.median(cpu):.2f} s, max "
        f"{max(cpu):.2f} s, {sum(1 for c in cpu if c >= TARGET_MODEL_S)} at or above {TARGET_MODEL_S:g} s. Parent "
        f"wall per request (pipe included, worker start excluded): median {statistics.median(walls):.2f} s. Worker "
        f"restarts: {res['models']['restarts']}. Machine load (1-minute average) before / after: "
        f"{' / '.join(f'{v:.2f}' for v in res.get('load', []))} on {os.cpu_count()} CPUs.",
        f"- **End to end**: `tflint-gesture --dry-run fixtures/ -q --exit-zero`: {res['cli']['wall_s']:.1f} s wall "
        f"(`{res['cli']['summary']}`).", "",
        "Slowest models (worker seconds):", "",
        "| file | worker s | worker CPU s | checks |", "|---|---|---|---|",
    ]
    for r in slow:
        cpu_text = f"{r['cpu_s']:.2f}" if isinstance(r.get("cpu_s"), (int, float)) else "-"
        lines.append(f"| `{r['file']}` | {r['worker_s']:.2f} | {cpu_text} | {', '.join(r['checks']) or '-'} |")
    lines += ["", "The slow ones are recurrent models trained whole (a 16-frame CNN + LSTM on 64x64 frames, a "
              "bidirectional LSTM run op by op eagerly) and 224x224 MobileNetV2 models (from random weights: building "
              "one alone takes ~0.45 CPU s, an eager forward pass ~0.2 s). What keeps them down: a frozen backbone of "
              "pure Keras layers runs once per batch, its output reused by the training steps and the checks "
              "(`dryrun/frozen_cache.py`: the same answer, ~0.7 CPU s less for a frozen MobileNetV2), a gradient "
              "tape that watches only the trainable variables (a frozen backbone is not backpropagated), a "
              "recurrent model with 32+ time steps (or a slow eager forward pass) run as one traced `tf.function` "
              "traced once, a batch of 4 for large samples, and `gc.freeze()` after the TensorFlow import (each "
              "model's `clear_session()` collection no longer walks TensorFlow's objects). Wall time depends on what "
              "else runs on the machine; the CPU seconds less so. Raw numbers: `bench/out/dryrun_results.json`; "
              "`bench/bench_dryrun.py --models FILE ...` times chosen files' models the same way.", ""]
    lines += ["### Verdicts", ""] + verdict_table(res["verdicts"]) + ["", END]
    return "\n".join(lines)



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-doc", action="store_true")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of the TensorFlow import, and passes of every model through the warm worker")
    parser.add_argument("--verdicts", nargs="+", metavar="FOLDER",
                        help="only the verdict table over these folders (no timing of the import or the CLI)")
    parser.add_argument("--models", nargs="+", metavar="FILE",
                        help="only the worker times of these files' models, --repeat passes in one warm worker")
    args = parser.parse_args()
    if args.models:
        models = fixture_models([Path(f) for f in args.models], args.repeat)
        for r in models["rows"]:
            print(f"{r['file']}: worker s {r['passes']['worker_s']}, CPU s {r['passes']['cpu_s']}, {r['status']}, "
                  f"checks {r['checks'] or '-'}")
        return 0
    if args.verdicts:
        res = verdicts([Path(f) for f in args.verdicts])
        print("\n".join(verdict_table(res)))
        OUT.mkdir(exist_ok=True)
        (OUT / "dryrun_verdicts.json").write_text(json.dumps(res, indent=2, default=str) + "\n")
        return 1 if res["refuted_true_bugs"] else 0
    res = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python "
                      f"{platform.python_version()}, {platform.system()} {platform.release()}"}
    res["load"] = [os.getloadavg()[0]]
    res["tensorflow_import_s"] = tensorflow_import(args.repeat)
    print(f"import tensorflow: {[round(t, 2) for t in res['tensorflow_import_s']]}")
    res["models"] = fixture_models(sorted((ROOT / "fixtures").glob("*.py")), args.repeat)
    res["tensorflow"] = res["models"]["versions"].get("tensorflow", "?")
    res["keras"] = res["models"]["versions"].get("keras", "?")
    for r in res["models"]["rows"]:
        print(f"{r['worker_s'] if r['worker_s'] is not None else '-':>6} {r['status']:8} {r['file']}")
    res["cli"] = cli_run()
    print(res["cli"])
    res["verdicts"] = verdicts([ROOT / "fixtures"])
    res["load"].append(os.getloadavg()[0])
    text = section(res)
    print("\n" + text)
    OUT.mkdir(exist_ok=True)
    (OUT / "dryrun_results.json").write_text(json.dumps(res, indent=2, default=str) + "\n")
    if args.write_doc:
        replace_section("bench_dryrun", text)
        print(f"\nupdated the dry-run section of {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
