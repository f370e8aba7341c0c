"""Refuse the dry run where the code under test is a stranger's pull request.

The dry run executes model-building code sliced from the checked scripts. On a CI run for a pull
request that code comes from the pull request's author, so the dry run is refused there unless the
pipeline's owner opts in. The opt-in is a command-line flag or an environment variable (both set in
the CI configuration), deliberately not a key in the repository's pyproject.toml: a pull request can
edit that file, so it could opt itself in.
"""

from __future__ import annotations

from typing import Mapping, Optional

OPT_IN_ENV = "TFLINT_GESTURE_DRY_RUN_UNTRUSTED"


def pull_request_ci(env: Mapping[str, str]) -> Optional[str]:
    """A short description of the pull-request CI run this environment belongs to, or None."""
    event = env.get("GITHUB_EVENT_NAME", "")
    if env.get("GITHUB_ACTIONS") == "true" and event.startswith("pull_request"):
        return f"GitHub Actions, GITHUB_EVENT_NAME={event}"
    if env.get("GITLAB_CI") and env.get("CI_MERGE_REQUEST_IID"):
        return f"GitLab CI, merge request !{env['CI_MERGE_REQUEST_IID']}"
    if env.get("BUILD_REASON") == "PullRequest" or env.get("SYSTEM_PULLREQUEST_PULLREQUESTID"):
        return "Azure Pipelines, pull request build"
    if env.get("BITBUCKET_PR_ID"):
        return f"Bitbucket Pipelines, pull request {env['BITBUCKET_PR_ID']}"
    if env.get("CIRCLE_PULL_REQUEST"):
        return "CircleCI, pull request build"
    if env.get("TRAVIS_PULL_REQUEST", "false") not in ("", "false"):
        return f"Travis CI, pull request {env['TRAVIS_PULL_REQUEST']}"
    if env.get("BUILDKITE_PULL_REQUEST", "false") not in ("", "false"):
        return f"Buildkite, pull request {env['BUILDKITE_PULL_REQUEST']}"
    if env.get("JENKINS_URL") and env.get("CHANGE_ID"):
        return f"Jenkins, change {env['CHANGE_ID']}"
    return None


def refusal(env: Mapping[str, str], opted_in: bool) -> Optional[str]:
    """Why the dry run must not run here, or None when it may."""
    if opted_in or env.get(OPT_IN_ENV, "").lower() in ("1", "true", "yes"):
        return None
    where = pull_request_ci(env)
    if where is None:
        return None
    return (f"refusing --dry-run on CI for a pull request ({where}): it would execute model-building code from "
            f"the pull request; pass --dry-run-untrusted or set {OPT_IN_ENV}=1 in the CI configuration to run it "
            f"anyway (see docs/security.md)")
