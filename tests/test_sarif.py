"""`--format sarif`: valid SARIF 2.1.0 (checked against the schema), with every rule described and
every finding placed, its evidence as related locations and a fingerprint that survives moved lines."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest
from helpers import REPO_ROOT, run_cli

from tflint_gesture.findings import Evidence, Finding, Severity
from tflint_gesture.findings import Summary
from tflint_gesture.report.sarif import RULE_PAGE_URL, sarif_document
from tflint_gesture.rules import all_rules

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0-rtm.5.json").read_text(encoding="utf-8"))
LEVEL = {"error": "error", "warning": "warning", "info": "note"}

# RFC 3986 characters, and every % followed by two hex digits (jsonschema has no uri checker offline)
_URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _uri_ok(value: object) -> bool:
    return isinstance(value, str) and bool(_URI_CHARS.match(value)) and not _BAD_PERCENT.search(value)


def validate(document: dict) -> None:
    checker = jsonschema.FormatChecker()
    checker.checks("uri")(_uri_ok)
    checker.checks("uri-reference")(_uri_ok)
    jsonschema.Draft4Validator(SCHEMA, format_checker=checker).validate(document)


def _uris(document: dict) -> list[str]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("uri", "helpUri", "informationUri"):
                    found.append(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    return found


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory):
    """SARIF and JSON of the same run over a copy of the bundled fixtures."""
    from tflint_gesture.cli import Options, execute

    work = tmp_path_factory.mktemp("sarif")
    shutil.copytree(REPO_ROOT / "fixtures", work / "fixtures")
    import io
    import os

    old = os.getcwd()
    os.chdir(work)
    try:
        outputs = {}
        for fmt in ("sarif", "json"):
            out, err = io.StringIO(), io.StringIO()
            code = execute(Options(paths=["fixtures"], output_format=fmt, no_cache=True, jobs=1), out, err)
            assert code == 1, err.getvalue()
            outputs[fmt] = json.loads(out.getvalue())
    finally:
        os.chdir(old)
    return work, outputs["sarif"], outputs["json"]


def test_schema_rejects_a_broken_log():
    """The validator is live: the same log without `version`, or with a string line, is refused."""
    finding = Finding("train.py", 3, 1, 3, 9, "TFG101", "n", Severity.ERROR, "m")
    good = sarif_document([finding], Summary(files_checked=1))
    validate(good)
    broken = copy.deepcopy(good)
    del broken["version"]
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)
    broken = copy.deepcopy(good)
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = "3"
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)
    broken = copy.deepcopy(good)
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "a b.py"
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)


def test_fixture_run_is_valid_sarif(fixture_run):
    _, sarif, _ = fixture_run
    validate(sarif)
    assert sarif["version"] == "2.1.0"
    assert len(sarif["runs"]) == 1
    assert all(_uri_ok(uri) for uri in _uris(sarif))


def test_driver_lists_every_rule_with_descriptions_help_and_level(fixture_run):
    _, sarif, _ = fixture_run
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["name"] == "tflint-gesture"
    assert driver["version"]
    assert driver["informationUri"].startswith("https://")
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert list(rules) == [rule.code for rule in all_rules()]
    for rule in all_rules():
        entry = rules[rule.code]
        assert entry["name"] == rule.name
        assert entry["shortDescription"]["text"] == rule.summary
        assert len(entry["fullDescription"]["text"]) > 20
        assert entry["helpUri"] == RULE_PAGE_URL.format(code=rule.code)
        assert entry["helpUri"].endswith(f"/rules/{rule.code}.md")
        assert entry["defaultConfiguration"]["level"] == LEVEL[rule.severity.value]
        # the pages stay behind the link: the log's size follows the findings, not the manual
        assert "help" not in entry


def test_every_finding_is_a_result_in_the_same_place(fixture_run):
    work, sarif, plain = fixture_run
    run = sarif["runs"][0]
    results = run["results"]
    findings = plain["findings"]
    assert len(results) == len(findings) > 10
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root.startswith("file://") and root.endswith("/")
    for result, finding in zip(results, findings):
        assert result["ruleId"] == finding["code"]
        assert rule_ids[result["ruleIndex"]] == finding["code"]
        assert result["level"] == LEVEL[finding["severity"]]
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert unquote(artifact["uri"]) == finding["path"]
        assert (work / unquote(artifact["uri"])).is_file()
        related = result.get("relatedLocations", [])
        if finding.get("cell") is not None:  # the .ipynb's own line: checked in the notebook tests below
            assert result["message"]["text"] == f"cell {finding['cell']}, line {finding['line']}: {finding['message']}"
            continue
        assert result["message"]["text"] == finding["message"]
        region = location["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (finding["line"], finding["column"])
        assert (region["endLine"], region["endColumn"]) == (finding["end_line"], finding["end_column"])
        assert [(r["physicalLocation"]["region"]["startLine"], r["message"]["text"]) for r in related] == [
            (e["line"], e["note"]) for e in finding["evidence"]
        ]
        assert len({r["id"] for r in related}) == len(related)
        # notebooks: the region is inside the cell, and the cell index is a property
        assert result.get("properties", {}).get("cell") == finding.get("cell")


def test_fingerprints_are_unique_and_stable(fixture_run):
    _, sarif, _ = fixture_run
    prints = [r["partialFingerprints"]["tflintGestureLineHash/v1"] for r in sarif["runs"][0]["results"]]
    assert len(set(prints)) == len(prints)
    assert all(re.fullmatch(r"[0-9a-f]{64}", p) for p in prints)


def _only_result(path: Path) -> dict:
    from tflint_gesture.config import Settings
    from tflint_gesture.engine import check_file

    findings = check_file(path, Settings(), display_path=path.name)
    assert findings, "the script must have a finding"
    document = sarif_document(findings, Summary(files_checked=1), cwd=str(path.parent))
    validate(document)
    return document["runs"][0]["results"][0]


def test_fingerprint_survives_lines_added_above_and_changes_with_the_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    script = tmp_path / "train.py"
    source = (REPO_ROOT / "fixtures" / "bad_landmarks_sparse_loss_onehot.py").read_text(encoding="utf-8")
    script.write_text(source, encoding="utf-8")
    before = _only_result(script)

    script.write_text("# a new header comment\n\n\n" + source, encoding="utf-8")
    moved = _only_result(script)
    line = lambda r: r["locations"][0]["physicalLocation"]["region"]["startLine"]  # noqa: E731
    assert line(moved) == line(before) + 3
    assert moved["partialFingerprints"] == before["partialFingerprints"]

    lines = source.splitlines(keepends=True)
    index = line(before) - 1
    lines[index] = lines[index].replace("loss=", "loss =", 1)
    assert lines[index] != source.splitlines(keepends=True)[index]
    script.write_text("".join(lines), encoding="utf-8")
    edited = _only_result(script)
    assert edited["ruleId"] == before["ruleId"]
    assert edited["partialFingerprints"] != before["partialFingerprints"]


def test_paths_needing_escapes_and_paths_outside_the_folder(tmp_path):
    inside = Finding("data dir/train #1.py", 2, 1, 2, 5, "TFG101", "n", Severity.WARNING, "m",
                     evidence=[Evidence("data dir/load%.py", 7, "labels made here")])
    outside = Finding(str(tmp_path / "elsewhere" / "x y.py"), 1, 1, 1, 2, "TFG301", "n", Severity.INFO, "m")
    document = sarif_document([inside, outside], Summary(files_checked=2), cwd=str(tmp_path / "work"))
    validate(document)
    first, second = document["runs"][0]["results"]
    artifact = first["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact["uri"] == "data%20dir/train%20%231.py"
    assert unquote(artifact["uri"]) == "data dir/train #1.py"
    assert first["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "data%20dir/load%25.py"
    assert first["level"] == "warning" and second["level"] == "note"
    far = second["locations"][0]["physicalLocation"]["artifactLocation"]
    assert far["uri"].startswith("file:///") and "uriBaseId" not in far
    assert unquote(far["uri"]).endswith("/elsewhere/x y.py")


def test_run_errors_are_notifications_and_mark_the_run_unsuccessful():
    document = sarif_document([], Summary(files_checked=0, errors=["missing.py: No such file or directory"]))
    validate(document)
    (invocation,) = document["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"].startswith("missing.py")
    assert document["runs"][0]["results"] == []
    clean = sarif_document([], Summary(files_checked=3))
    validate(clean)
    assert clean["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_notebook_finding_has_cell_region_and_cell_property(tmp_path):
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Train\n"]},
            {"cell_type": "code", "metadata": {}, "source": ["import numpy as np\n", "model.compile(loss='mse')\n"],
             "outputs": [], "execution_count": None},
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook, indent=1), encoding="utf-8")  # as nbformat writes it
    finding = Finding("nb.ipynb", 2, 1, 2, 10, "TFG107", "n", Severity.WARNING, "m",
                      evidence=[Evidence("nb.ipynb", 1, "imported here")])
    finding.cell = 2  # works whether or not Finding declares the field
    object.__setattr__(finding.evidence[0], "cell", 2)  # Evidence is frozen
    plain = Finding("nb.ipynb", 2, 1, 2, 10, "TFG107", "n", Severity.WARNING, "m")
    plain.cell = None
    document = sarif_document([finding, plain], Summary(files_checked=1), cwd=str(tmp_path))
    validate(document)
    with_cell, without = document["runs"][0]["results"]
    region = with_cell["locations"][0]["physicalLocation"]["region"]
    physical = (tmp_path / "nb.ipynb").read_text().splitlines()
    assert physical[region["startLine"] - 1].strip() == '"model.compile(loss=\'mse\')\\n"'  # the line in the file
    assert region["startLine"] != 2 and "startColumn" not in region
    assert with_cell["message"]["text"] == "cell 2, line 2: m"
    assert with_cell["properties"]["cell"] == 2
    assert with_cell["relatedLocations"][0]["properties"] == {"cell": 2}
    evidence_region = with_cell["relatedLocations"][0]["physicalLocation"]["region"]
    assert physical[evidence_region["startLine"] - 1].strip() == '"import numpy as np\\n",'
    # minified JSON has no line per source line: the location is the whole file
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    minified = sarif_document([finding], Summary(files_checked=1), cwd=str(tmp_path))
    validate(minified)
    assert "region" not in minified["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert "cell" not in without.get("properties", {})
    # the fingerprint reads the line inside the cell, not line 2 of the JSON file
    from tflint_gesture.report.fingerprints import LineReader

    assert LineReader().line(str(tmp_path / "nb.ipynb"), 2, cell=2) == "model.compile(loss='mse')"


def test_cli_sarif_output(cli, tmp_path):
    script = tmp_path / "train.py"
    shutil.copy(REPO_ROOT / "fixtures" / "bad_landmarks_sparse_loss_onehot.py", script)
    result = cli("train.py", "--format", "sarif", "--no-cache", cwd=tmp_path)
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    validate(document)
    assert [r["ruleId"] for r in document["runs"][0]["results"]] == ["TFG101"]


def test_paths_are_relative_to_the_repository_root_from_any_folder(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "src" / "train").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "fixtures" / "bad_landmarks_sparse_loss_onehot.py", repo / "src" / "train" / "fit.py")
    proc = run_cli("train", "--format", "sarif", "--no-cache", cwd=repo / "src")
    assert proc.returncode == 1, proc.stderr
    document = json.loads(proc.stdout)
    validate(document)
    run = document["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.as_uri() + "/"
    artifact = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "src/train/fit.py", "uriBaseId": "%SRCROOT%"}


def test_size_follows_the_findings(tmp_path):
    shutil.copy(REPO_ROOT / "fixtures" / "bad_landmarks_sparse_loss_onehot.py", tmp_path / "train.py")
    proc = run_cli("train.py", "--format", "sarif", "--no-cache", cwd=tmp_path)
    assert len(json.loads(proc.stdout)["runs"][0]["results"]) == 1
    assert len(proc.stdout.encode()) < 40_000, len(proc.stdout.encode())  # every rule listed, no rule pages
