"""Where a cold one-file run spends its time, phase by phase, inside one fresh process.

    /work/venv/bin/python bench/startup_breakdown.py FILE [FILE...] [--runs 7]

For each file, `--runs` fresh processes each import and run the phases of a cold run in the order
the command does them, timing each in CPU time (`time.process_time`, steadier than wall time on a
shared machine); the table is the median per phase, in milliseconds. The import of the package is split into the `@dataclass` class creations it makes
(Python 3.11 generates and compiles each class's methods at import: the biggest part) and the rest.
The phases are the command's own functions, called one after the other, so that their sum is the
run minus the interpreter's start (`python -c pass`); the end of the process costs nothing
(`cli.entry` leaves through `os._exit`, while `python -c "import libcst"` pays the interpreter's
teardown, ~14 ms: the reason the command's own ratio is lower than the sum below).
"""

from __future__ import annotations

import sys  # the rest is imported after the measurement: stdlib modules libcst imports must not be preloaded

PHASES = ("import libcst", "import tflint_gesture: @dataclass creations", "import tflint_gesture: the rest",
          "settings", "cache key", "discovery + pre-screen", "libcst parse", "facts", "rules", "report")


def measure(path: str) -> dict[str, float]:
    """One cold run's phases, in seconds (run in a fresh process)."""
    import dataclasses
    import io
    import time

    clock = time.process_time  # CPU time of the process (the parser thread included): the machine is shared
    spent = {"dataclass": 0.0}
    original = dataclasses._process_class

    def timed(cls, *args, **kwargs):
        start = clock()
        try:
            return original(cls, *args, **kwargs)
        finally:
            spent["dataclass"] += clock() - start

    out: dict[str, float] = {}
    start = clock()
    import libcst  # noqa: F401

    out["import libcst"] = clock() - start
    dataclasses._process_class = timed
    start = clock()
    from pathlib import Path

    from tflint_gesture import cache, cli_fast, config, discovery, engine, parallel, runner  # noqa: F401
    from tflint_gesture.facts import build_facts
    from tflint_gesture.parsing import parse_module
    from tflint_gesture.report.text import render_text
    from tflint_gesture.rules import all_rules
    from tflint_gesture.screen import skip_reason

    rules = [rule for rule in all_rules() if rule.code != "TFG001"]
    imported = clock() - start
    dataclasses._process_class = original
    out["import tflint_gesture: @dataclass creations"] = spent["dataclass"]
    out["import tflint_gesture: the rest"] = imported - spent["dataclass"]

    start = clock()
    cli_fast.parse([path, "-q"])
    settings = config.load_settings([path])
    out["settings"] = clock() - start
    start = clock()
    cache.compute_salt(settings)
    out["cache key"] = clock() - start
    start = clock()
    found = discovery.discover([path], settings)
    text = Path(found.files[0]).read_text()
    skip_reason(text, Path(found.files[0]))
    out["discovery + pre-screen"] = clock() - start
    start = clock()
    module = parse_module(text)
    out["libcst parse"] = clock() - start
    start = clock()
    facts = build_facts(module, Path(path), text)
    out["facts"] = clock() - start
    start = clock()
    reports = [report for rule in rules for report in rule().check(facts)]
    out["rules"] = clock() - start
    start = clock()
    from tflint_gesture.findings import Summary

    io.StringIO().write(render_text([], Summary(files_checked=1), color=False, quiet=True))
    out["report"] = clock() - start
    out["findings"] = len(reports)
    return out


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] == "--once":
        measured = measure(args[1])
        import json

        print(json.dumps(measured))
        return
    import json
    import statistics
    import subprocess

    runs = 9
    if "--runs" in args:
        runs = int(args[args.index("--runs") + 1])
        del args[args.index("--runs"):args.index("--runs") + 2]
    for path in args:
        samples = [json.loads(subprocess.run([sys.executable, __file__, "--once", path], capture_output=True, text=True,
                                             check=True).stdout) for _ in range(runs)]
        lines = open(path, encoding="utf-8").read().count("\n")
        medians = {phase: statistics.median(s[phase] for s in samples) * 1000 for phase in PHASES}
        libcst = medians["import libcst"]
        ours = sum(medians.values()) - libcst
        print(f"| {lines}-line script | ms | share of `import libcst` (same process) |")
        print("|---|---|---|")
        for phase in PHASES:
            print(f"| {phase} | {medians[phase]:.1f} | {medians[phase] / libcst:.1%} |")
        print(f"| **all but `import libcst`** | **{ours:.1f}** | **{ours / libcst:.1%}** |")
        work = sum(medians[phase] for phase in ("libcst parse", "facts", "rules"))
        print(f"| parse + facts + rules alone | {work:.1f} | {work / libcst:.1%} |")
        print()


if __name__ == "__main__":
    main()
