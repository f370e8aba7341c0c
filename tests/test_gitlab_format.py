"""`--format gitlab`: the Code Climate subset GitLab's code-quality widget reads."""

from __future__ import annotations

import json
import shutil

from helpers import REPO_ROOT

from tflint_gesture.findings import Finding, Severity
from tflint_gesture.report import Summary
from tflint_gesture.report.gitlab import render_gitlab

REQUIRED = {"description", "check_name", "fingerprint", "severity", "location"}
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def test_cli_gitlab_report_has_what_gitlab_requires(cli, tmp_path):
    shutil.copytree(REPO_ROOT / "fixtures", tmp_path / "fixtures")
    report = cli("fixtures", "--format", "gitlab", "--no-cache", cwd=tmp_path)
    plain = cli("fixtures", "--format", "json", "--no-cache", cwd=tmp_path)
    assert report.exit_code == plain.exit_code == 1
    issues = json.loads(report.stdout)
    findings = json.loads(plain.stdout)["findings"]
    assert isinstance(issues, list) and len(issues) == len(findings) > 10
    notebook_findings = 0
    for issue, finding in zip(issues, findings):
        assert REQUIRED <= set(issue)
        assert issue["check_name"] == finding["code"]
        assert issue["severity"] in GITLAB_SEVERITIES
        assert issue["severity"] == {"error": "critical", "warning": "major", "info": "info"}[finding["severity"]]
        assert issue["location"]["path"] == finding["path"]
        if finding.get("cell") is None:
            assert issue["description"] == f"{finding['code']}: {finding['message']}"
            assert issue["location"]["lines"]["begin"] == finding["line"]
        else:  # a notebook: the physical line of the .ipynb that holds the source line; the description says where
            where = f"cell {finding['cell']}, line {finding['line']}"
            assert issue["description"] == f"{finding['code']}: {where}: {finding['message']}"
            cells = json.loads((tmp_path / finding["path"]).read_text())["cells"]
            source_line = cells[finding["cell"] - 1]["source"][finding["line"] - 1]
            physical = (tmp_path / finding["path"]).read_text().splitlines()[issue["location"]["lines"]["begin"] - 1]
            assert json.loads(physical.strip().rstrip(",")) == source_line
            notebook_findings += 1
        assert (tmp_path / issue["location"]["path"]).is_file()
    assert notebook_findings > 0  # the fixtures hold buggy notebooks
    prints = [issue["fingerprint"] for issue in issues]
    assert len(set(prints)) == len(prints)


def test_identical_lines_get_distinct_fingerprints_and_empty_run_is_an_empty_list(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.py").write_text("fit()\nfit()\n")
    twice = [Finding("t.py", line, 1, line, 6, "TFG301", "no-validation", Severity.INFO, "m") for line in (1, 2)]
    issues = json.loads(render_gitlab(twice, Summary(files_checked=1)))
    assert issues[0]["fingerprint"] != issues[1]["fingerprint"]
    assert json.loads(render_gitlab([], Summary(files_checked=1))) == []
