"""The dry run is refused on CI for pull requests unless the pipeline opts in (issue 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

from tflint_gesture.dryrun.trust import OPT_IN_ENV, pull_request_ci, refusal

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "bad_wave_detector_softmax_single_unit.py"


@pytest.mark.parametrize("env", [
    {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request"},
    {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request_target"},
    {"GITLAB_CI": "true", "CI_MERGE_REQUEST_IID": "42"},
    {"BUILD_REASON": "PullRequest"},
    {"BITBUCKET_PR_ID": "7"},
    {"CIRCLE_PULL_REQUEST": "https://example.invalid/pr/3"},
    {"TRAVIS_PULL_REQUEST": "12"},
    {"BUILDKITE_PULL_REQUEST": "5"},
    {"JENKINS_URL": "http://ci.invalid/", "CHANGE_ID": "9"},
])
def test_pull_request_runs_are_recognised(env):
    assert pull_request_ci(env) is not None
    assert refusal(env, opted_in=False) is not None
    assert refusal(env, opted_in=True) is None
    assert refusal({**env, OPT_IN_ENV: "1"}, opted_in=False) is None


@pytest.mark.parametrize("env", [
    {},
    {"CI": "true"},
    {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push"},
    {"GITLAB_CI": "true"},
    {"TRAVIS_PULL_REQUEST": "false"},
    {"BUILDKITE_PULL_REQUEST": "false"},
    {"GITHUB_EVENT_NAME": "pull_request"},  # not on GitHub Actions
])
def test_other_runs_are_not_refused(env):
    assert pull_request_ci(env) is None
    assert refusal(env, opted_in=False) is None


def test_cli_refuses_the_dry_run_on_a_pull_request_and_still_gates(tmp_path):
    env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request"}  # and nothing else of this shell
    done = run_cli("--dry-run", "--format", "json", str(FIXTURE), cwd=tmp_path, env=env, inherit_env=False, timeout=120)
    assert done.returncode == 1, done.stderr  # the static gate still fails on the finding
    assert "refusing --dry-run on CI for a pull request" in done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert findings and all(f["confirmation"] == "not-run" for f in findings)
    assert all("pull request" in f["observation"] for f in findings)
