"""Mutant benchmark: recall of tflint-gesture on single-bug mutants of clean training scripts.

    /work/venv/bin/python bench/bench_mutants.py [--json OUT] [--write-doc] [--verbose] [FILE_OR_DIR ...]

Every clean script (default: the official Keras examples in `tests/corpus/keras_examples/` and
`fixtures/clean_*.py`) is linted as it is, then once per applicable mutant: each operator of
`bench/mutation_operators.py` rewrites ONE place of the script (a loss swapped for its sparse twin,
a `to_categorical` dropped, a head one unit short, ...). A mutant is detected when the linter
reports a finding of one of the operator's expected codes that the original did not have (positions
after the mutated lines are shifted back before comparing) and that finding, or one of its evidence
lines, lies within `NEAR` lines of the statement the mutation changed. A new expected finding
elsewhere is counted apart ("far"), so an effect on some other line cannot pass for a detection;
except for the operators that remove a step (`at_use`: a forgotten `/ 255` or `to_categorical`),
whose bug shows where the data is used, not at a line that no longer exists.

It prints detection per operator and per file, every missed mutant, and the findings on the
unmutated originals (which should be none). Deterministic: files sorted, sites in source order, no
randomness. `--write-doc` writes its section of docs/benchmarks.md (bench/doc_sections.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from doc_sections import write_section  # noqa: E402
from mutation_operators import OPERATORS, Module, Operator, Site  # noqa: E402

from tflint_gesture.engine import check_text  # noqa: E402

NEAR = 3  # lines either side of the mutated span


def default_files() -> list[Path]:
    return sorted((ROOT / "tests" / "corpus" / "keras_examples").glob("*.py")) + sorted(
        (ROOT / "fixtures").glob("clean_*.py"))


def expand(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


@dataclass
class Outcome:
    file: str
    operator: str
    line: int
    note: str
    verdict: str  # "detected", "far" (a new expected finding, not near the mutation), "missed", "broken"
    found: list = field(default_factory=list)  # the new findings, "LINE CODE"


def lint(path: Path, text: str) -> list:
    return check_text(_display(path), text, source_path=path)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def judge(operator: Operator, site: Site, original: list, mutant: list, shift: int) -> tuple[str, list]:
    """Compare the mutant's findings with the original's, positions after the mutation shifted back."""
    def back(line: int) -> int:
        if line > site.end_line + shift:
            return line - shift
        return min(line, site.end_line) if line >= site.line else line

    before = Counter((f.code, f.line) for f in original)
    new = []
    for f in mutant:
        key = (f.code, back(f.line))
        if before[key]:
            before[key] -= 1
        else:
            new.append(f)
    if any(f.code == "TFG001" for f in new):
        return "broken", [f"{f.line} {f.code}" for f in new]
    hits = [f for f in new if f.code in operator.expected]
    described = [f"{back(f.line)} {f.code}" for f in new]
    if not hits:
        return "missed", described
    if operator.at_use:
        return "detected", described
    lo, hi = site.statement_line - NEAR, site.statement_end + NEAR
    for f in hits:
        lines = [back(f.line)] + [back(e.line) for e in f.evidence if e.path == f.path]
        if any(lo <= line <= hi for line in lines):
            return "detected", described
    return "far", described


def run_file(path: Path, verbose: bool = False) -> tuple[list, list]:
    text = path.read_text(encoding="utf-8")
    original = lint(path, text)
    mod = Module(text)
    lines = text.count("\n")
    outcomes = []
    for operator in OPERATORS:
        for site in operator.find(mod):
            mutated = mod.mutate(site)
            shift = mutated.count("\n") - lines
            verdict, found = judge(operator, site, original, lint(path, mutated), shift)
            outcomes.append(Outcome(_display(path), operator.name, site.line, site.note, verdict, found))
            if verbose:
                print(f"  {verdict:8} {operator.name} {_display(path)}:{site.line} {site.note}", file=sys.stderr)
    return outcomes, [f"{_display(path)}:{f.line}: {f.code} [{f.severity.value}] {f.message[:100]}" for f in original]


def table(rows: dict, title: str) -> list[str]:
    out = [f"| {title} | mutants | detected | far | missed | recall |", "|---|---:|---:|---:|---:|---:|"]
    for name, c in rows.items():
        total = c["detected"] + c["far"] + c["missed"]
        out.append(f"| {name} | {total} | {c['detected']} | {c['far']} | {c['missed']} | {_pct(c['detected'], total)} |")
    return out


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.0f}%" if b else "-"


def summarise(outcomes: list) -> dict:
    by_op: dict = defaultdict(Counter)
    by_file: dict = defaultdict(Counter)
    for o in outcomes:
        by_op[o.operator][o.verdict] += 1
        by_file[o.file][o.verdict] += 1
    totals = Counter(o.verdict for o in outcomes)
    return {"by_operator": {op.name: by_op[op.name] for op in OPERATORS if op.name in by_op},
            "by_file": dict(sorted(by_file.items())), "totals": totals}


def report(outcomes: list, originals: list, files: int) -> str:
    summary = summarise(outcomes)
    t = summary["totals"]
    scored = t["detected"] + t["far"] + t["missed"]
    lines = [f"{files} clean scripts, {scored} applicable mutants: {t['detected']} detected "
             f"({_pct(t['detected'], scored)}), {t['far']} far, {t['missed']} missed"
             + (f", {t['broken']} not parsable (left out)" if t["broken"] else ""),
             f"findings on the unmutated originals: {len(originals)}", ""]
    lines += table(summary["by_operator"], "operator") + [""]
    lines += table(summary["by_file"], "file") + [""]
    lines.append("missed mutants (file:line operator: change -> new findings):")
    for o in outcomes:
        if o.verdict in ("missed", "far"):
            lines.append(f"  {o.verdict:6} {o.file}:{o.line} {o.operator}: {o.note} -> {', '.join(o.found) or '-'}")
    lines += ["", "findings on the unmutated originals:"] + [f"  {f}" for f in originals]
    return "\n".join(lines)


def doc_section(outcomes: list, originals: list, files: int, baseline: Optional[dict] = None) -> str:
    summary = summarise(outcomes)
    t = summary["totals"]
    scored = t["detected"] + t["far"] + t["missed"]
    rows = table(summary["by_operator"], "operator")
    before = ""
    if baseline is not None:
        old = summarise([Outcome(**o) for o in baseline["outcomes"]])
        ot = old["totals"]
        old_scored = ot["detected"] + ot["far"] + ot["missed"]
        before = (f" Before (`{baseline.get('label', '--baseline')}`, same scripts and operators): {ot['detected']}/"
                  f"{old_scored} ({_pct(ot['detected'], old_scored)}), {len(baseline['originals'])} findings on the "
                  f"originals.")
        rows = [rows[0].replace("| recall |", "| recall | before |"), rows[1] + "---:|"]
        for name, c in summary["by_operator"].items():
            total = c["detected"] + c["far"] + c["missed"]
            o = old["by_operator"].get(name, Counter())
            o_total = o["detected"] + o["far"] + o["missed"]
            rows.append(f"| {name} | {total} | {c['detected']} | {c['far']} | {c['missed']} | "
                        f"{_pct(c['detected'], total)} | {_pct(o['detected'], o_total)} |")
    body = [
        "## Recall on single-bug mutants",
        "",
        "`python bench/bench_mutants.py --write-doc`: every clean script (the official Keras examples in",
        "`tests/corpus/keras_examples/` and `fixtures/clean_*.py`) mutated one place at a time by the operators",
        "of `bench/mutation_operators.py`; a mutant is detected when a finding of one of the operator's codes",
        f"appears that the original did not have, within {NEAR} lines of the mutated statement (itself or an",
        "evidence line; anywhere for the operators that remove a step, whose bug shows where the data is used).",
        "",
        f"**{files} clean scripts, {scored} applicable mutants: {t['detected']} detected "
        f"({_pct(t['detected'], scored)}), {t['far']} detected elsewhere only, {t['missed']} missed; "
        f"{len(originals)} findings on the unmutated originals.**{before}",
        "",
        *rows,
        "",
        *_by_corpus(outcomes, baseline),
        "",
        "Most misses are mutants of scripts whose labels, class count or data come from files (`np.load`, CSV",
        "columns) or from a constant that is the only statement of the class count (`Dense(NUM_CLASSES - 1)` with",
        "labels read from disk): nothing in the file contradicts the mutant, and the rules stay silent by design.",
        "`drop-validation` misses are fits whose model is evaluated on held-out data later (TFG301 accepts that).",
        "The list of every missed mutant is in the script's output.",
    ]
    return "\n".join(body)


def _group(file: str) -> str:
    """The script's folder from the repository's `fixtures`/`tests` down, however the run named it."""
    parts = Path(file).parent.parts
    starts = [i for i, part in enumerate(parts) if part in ("fixtures", "tests")]
    return "/".join(parts[starts[-1]:]) if starts else str(Path(file).parent)


def _by_corpus(outcomes: list, baseline: Optional[dict]) -> list[str]:
    """Recall per folder of clean scripts (the official examples apart from the fixtures), and before."""
    def per_folder(items) -> dict:
        counts: dict = defaultdict(Counter)
        for o in items:
            counts[_group(o.file)][o.verdict] += 1
        return counts

    now = per_folder(outcomes)
    old = per_folder(Outcome(**o) for o in baseline["outcomes"]) if baseline else {}
    rows = ["| scripts in | mutants | detected | recall | before |", "|---|---:|---:|---:|---:|"]
    for folder, c in sorted(now.items()):
        total = c["detected"] + c["far"] + c["missed"]
        o = old.get(folder, Counter())
        before = _pct(o["detected"], o["detected"] + o["far"] + o["missed"]) if baseline else "-"
        rows.append(f"| `{folder}/` | {total} | {c['detected']} | {_pct(c['detected'], total)} | {before} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="clean scripts or folders (default: keras examples + clean fixtures)")
    parser.add_argument("--json", help="write every outcome to this file")
    parser.add_argument("--write-doc", action="store_true", help="write its section of docs/benchmarks.md")
    parser.add_argument("--verbose", action="store_true", help="print each mutant as it is judged")
    parser.add_argument("--baseline", help="the --json of an earlier run (another commit) to compare with in the doc")
    parser.add_argument("--label", help="what --json's run is, for a later --baseline (e.g. a commit)")
    args = parser.parse_args(argv)
    files = expand(args.paths) if args.paths else default_files()
    outcomes, originals = [], []
    for path in files:
        file_outcomes, file_findings = run_file(path, args.verbose)
        outcomes += file_outcomes
        originals += file_findings
    print(report(outcomes, originals, len(files)))
    if args.json:
        Path(args.json).write_text(json.dumps({"outcomes": [asdict(o) for o in outcomes], "originals": originals,
                                               "label": args.label or ""}, indent=1), encoding="utf-8")
    if args.write_doc:
        baseline = json.loads(Path(args.baseline).read_text(encoding="utf-8")) if args.baseline else None
        write_section("bench_mutants", doc_section(outcomes, originals, len(files), baseline))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
