"""`--format github`: one workflow command per finding, escaped the way the Actions runner parses it."""

from __future__ import annotations

import json
import re
import shutil
from urllib.parse import unquote

from helpers import REPO_ROOT

from tflint_gesture.findings import Evidence, Finding, Severity
from tflint_gesture.report import Summary
from tflint_gesture.report.github import annotation, escape_data, escape_property, render_github

# ::command key=value,key=value::message  (the runner splits properties on "," and "=")
_COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def parse(line: str) -> tuple[str, dict, str]:
    """Undo the encoding like the runner does (actions/runner ActionCommand unescaping)."""
    match = _COMMAND.match(line)
    assert match, line
    props = {}
    for pair in match.group(2).split(","):
        key, value = pair.split("=", 1)
        props[key] = unquote(value)
    return match.group(1), props, unquote(match.group(3))


def make(**changes) -> Finding:
    values = dict(path="train.py", line=12, column=5, end_line=12, end_column=40, code="TFG101",
                  name="sparse-loss-with-one-hot-labels", severity=Severity.ERROR, message="bad loss")
    values.update(changes)
    return Finding(**values)


def test_escaping_rules():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_data("a: b, c") == "a: b, c"  # the message keeps ':' and ','
    assert escape_property("dir,x/a:b%.py\n") == "dir%2Cx/a%3Ab%25.py%0A"


def test_single_line_finding_has_columns_title_evidence_and_fix():
    finding = make(evidence=[Evidence("train.py", 4, "labels one-hot here"), Evidence("data.py", 9, "made here")],
                   fix="use categorical_crossentropy")
    line = annotation(finding)
    assert line.startswith(
        "::error file=train.py,line=12,col=5,endLine=12,endColumn=40,title=TFG101 sparse-loss-with-one-hot-labels::"
    )
    command, props, message = parse(line)
    assert command == "error"
    assert message.splitlines() == [
        "bad loss",
        "train.py:4: labels one-hot here",
        "data.py:9: made here",
        "fix: use categorical_crossentropy",
    ]
    assert "\n" not in line


def test_severity_maps_to_command_and_multiline_range_has_no_columns():
    warning = annotation(make(severity=Severity.WARNING, line=3, end_line=6, end_column=2))
    command, props, _ = parse(warning)
    assert command == "warning"
    assert props == {"file": "train.py", "line": "3", "endLine": "6", "title": "TFG101 sparse-loss-with-one-hot-labels"}
    assert parse(annotation(make(severity=Severity.INFO)))[0] == "notice"


def test_awkward_path_and_message_survive_the_round_trip():
    finding = make(path="runs,v2/a:b 100%.py", message="50% of rows,\nthen: more")
    command, props, message = parse(annotation(finding))
    assert props["file"] == "runs,v2/a:b 100%.py"
    assert message == "50% of rows,\nthen: more"


def test_notebook_cell_finding_points_at_the_file_and_names_the_cell():
    finding = make(path="nb.ipynb", line=3)
    finding.cell = 7  # works whether or not Finding declares the field
    command, props, message = parse(annotation(finding))
    assert "line" not in props and "col" not in props
    assert props["file"] == "nb.ipynb"
    assert message.startswith("cell 7, line 3: bad loss")


def test_render_ends_with_summary_and_reports_run_errors():
    out = render_github([make(), make(line=20, end_line=20)], Summary(files_checked=2, errors=["x.py: No such file"]))
    lines = out.splitlines()
    assert [l.split(" ", 1)[0] for l in lines[:2]] == ["::error", "::error"]
    assert lines[2] == "::error title=tflint-gesture::x.py: No such file"
    assert lines[-1] == "2 findings in 2 files; 1 path could not be checked"


def test_cli_github_format_matches_json(cli, tmp_path):
    shutil.copytree(REPO_ROOT / "fixtures", tmp_path / "fixtures")
    github = cli("fixtures", "--format", "github", "--no-cache", cwd=tmp_path)
    plain = cli("fixtures", "--format", "json", "--no-cache", cwd=tmp_path)
    assert github.exit_code == plain.exit_code == 1
    findings = json.loads(plain.stdout)["findings"]
    commands = [line for line in github.stdout.splitlines() if line.startswith("::")]
    assert len(commands) == len(findings) > 10
    for line, finding in zip(commands, findings):
        command, props, message = parse(line)
        assert command == {"error": "error", "warning": "warning", "info": "notice"}[finding["severity"]]
        assert props["file"] == finding["path"]
        assert props["title"] == f"{finding['code']} {finding['name']}"
        if finding.get("cell") is None:
            assert props["line"] == str(finding["line"])
            assert message.splitlines()[0] == finding["message"]
        else:  # a notebook: the message says which cell and line; `line` is that line in the .ipynb file
            physical = (tmp_path / props["file"]).read_text(encoding="utf-8").splitlines()[int(props["line"]) - 1]
            cell_source = json.loads((tmp_path / props["file"]).read_text(encoding="utf-8"))["cells"][finding["cell"] - 1]
            assert json.loads(physical.strip().rstrip(",")) == cell_source["source"][finding["line"] - 1]
            assert message.splitlines()[0] == f"cell {finding['cell']}, line {finding['line']}: {finding['message']}"
        assert (tmp_path / props["file"]).is_file()
