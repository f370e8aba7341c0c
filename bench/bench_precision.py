"""Precision benchmark: what tflint-gesture reports on code that is believed correct.

    /work/venv/bin/python bench/bench_precision.py [--json OUT] [--target-keras auto|2|3] [EXTRA_PATH ...]

Every clean script this repository holds is linted with the default settings, through the same
`runner.run` as the command line (discovery, notebooks, imports of project modules, de-duplication):

- `fixtures/clean_*.py`: the clean twins of the buggy fixtures;
- `fixtures/notebooks/clean_*.ipynb`: clean notebooks;
- `fixtures/project_*/`: every file of a fixture project that carries no `# expect:` marker (a finding
  placed on a marked line of a sibling module, through an import, is the intended bug: not counted);
- `tests/corpus/keras_examples/`: verbatim official keras-io / keras examples (see their NOTICE);
- any EXTRA_PATH given (a folder of real scripts or notebooks you believe correct).

It prints, per group and in total, the number of files and the findings per code and severity, then
every finding (path, cell, line, code, severity, message) so each can be judged true, false or
debatable. A finding on this corpus is not automatically false (two official examples use APIs
Keras 3 removed), which is why the benchmark lists instead of asserting; the verdicts are kept with
the change that runs it. Exit status 0, or 2 when a file could not be checked at all.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from tflint_gesture.config import Settings  # noqa: E402
from tflint_gesture.runner import run  # noqa: E402

_MARKER = re.compile(r"#\s*expect\s*:", re.IGNORECASE)
_MARKED = re.compile(r"#\s*expect\s*:\s*(?P<codes>TFG\d{3}(?:\s*,\s*TFG\d{3})*)", re.IGNORECASE)
SEVERITIES = ("error", "warning", "info")


def corpus(extra: list[str]) -> dict[str, list[Path]]:
    """Group name -> the files of that group."""
    fixtures = ROOT / "fixtures"
    groups = {
        "clean fixtures": sorted(fixtures.glob("clean_*.py")),
        "clean notebooks": sorted((fixtures / "notebooks").glob("clean_*.ipynb")),
        "fixture projects (files without markers)": sorted(
            p for p in fixtures.glob("project_*/**/*.py") if not _MARKER.search(p.read_text(encoding="utf-8"))
        ),
        "official keras examples": sorted((ROOT / "tests" / "corpus" / "keras_examples").glob("*.py")),
    }
    for path in extra:
        folder = Path(path)
        files = [folder] if folder.is_file() else sorted(
            p for p in folder.rglob("*") if p.suffix in (".py", ".ipynb") and ".ipynb_checkpoints" not in p.parts)
        groups[f"extra: {path}"] = files
    return groups


def lint(groups: dict[str, list[Path]], target_keras: str) -> dict:
    settings = Settings(target_keras=target_keras)
    out: dict = {"groups": {}, "errors": []}
    for name, files in groups.items():
        result = run(files, settings, cwd=ROOT)
        out["errors"] += result.errors
        found = [f.to_dict() for f in result.findings]
        out["groups"][name] = {
            "files": len(files),
            "findings": [f for f in found if not _announced(f)],
            "announced": len([f for f in found if _announced(f)]),
        }
    return out


def _announced(finding: dict) -> bool:
    """A finding on a line of a fixture script that announces it with `# expect: CODE`."""
    path = ROOT / finding["path"]
    if finding["cell"] is not None or path.suffix != ".py" or not path.is_file():
        return False
    lines = path.read_text(encoding="utf-8").splitlines()
    if not 1 <= finding["line"] <= len(lines):
        return False
    match = _MARKED.search(lines[finding["line"] - 1])
    return match is not None and finding["code"] in match.group("codes").upper()


def table(findings: list[dict]) -> list[str]:
    counts = Counter((f["code"], f["severity"]) for f in findings)
    codes = sorted({code for code, _ in counts})
    rows = [f"    {'code':8} " + " ".join(f"{s:>8}" for s in SEVERITIES)]
    for code in codes:
        rows.append(f"    {code:8} " + " ".join(f"{counts.get((code, s), 0):>8}" for s in SEVERITIES))
    total = Counter(f["severity"] for f in findings)
    rows.append(f"    {'total':8} " + " ".join(f"{total.get(s, 0):>8}" for s in SEVERITIES))
    return rows


def render(report: dict) -> str:
    lines: list[str] = []
    every: list[dict] = []
    for name, group in report["groups"].items():
        findings = group["findings"]
        every += findings
        announced = f" (and {group['announced']} announced by `# expect:` markers)" if group["announced"] else ""
        lines.append(f"{name}: {group['files']} files, {len(findings)} findings{announced}")
        if findings:
            lines += table(findings)
    lines.append("")
    lines.append(f"all: {sum(g['files'] for g in report['groups'].values())} files, {len(every)} findings")
    lines += table(every)
    lines.append("")
    for name, group in report["groups"].items():
        for f in group["findings"]:
            where = f"{f['path']}:" + (f"cell {f['cell']}:" if f["cell"] is not None else "") + f"{f['line']}"
            message = f["message"] if len(f["message"]) <= 160 else f["message"][:157] + "..."
            lines.append(f"[{name}] {where}: {f['code']} [{f['severity']}] {message}")
    for error in report["errors"]:
        lines.append(f"not checked: {error}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("extra", nargs="*", help="more files or folders of code believed correct")
    parser.add_argument("--json", metavar="OUT", help="also write the findings as JSON")
    parser.add_argument("--target-keras", default="auto", choices=("auto", "2", "3"))
    args = parser.parse_args(argv)
    report = lint(corpus(args.extra), args.target_keras)
    sys.stdout.write(render(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 2 if report["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
