"""The README must stay true: every rule listed with its page, and the two quick-start commands first."""

import re
from pathlib import Path

from tflint_gesture.rules import all_rules

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_rule_is_listed_with_its_page_and_severity():
    for rule in all_rules():
        row = f"| [{rule.code}](rules/{rule.code}.md) | `{rule.name}` | {rule.severity.value} |"
        assert row in README, f"README rule table lacks or misstates {rule.code}: expected a row starting {row!r}"


def _quick_start_commands() -> list[str]:
    head = README.split("## What a finding looks like")[0]
    return re.findall(r"```bash\n(.*?)\n```", head, flags=re.S)


def test_quick_start_commands_come_first():
    install_and_lint, install_and_test = _quick_start_commands()[:2]
    assert "pip install . && tflint-gesture fixtures/" in install_and_lint
    assert re.search(r"pip install -e '\.\[test,dryrun[a-z,]*\]' && python -m pytest -q", install_and_test)


def test_ci_runs_the_readme_test_command():
    """.ci/run installs the same extras and runs the very pytest command the README gives."""
    install_and_test = _quick_start_commands()[1]
    extras = re.search(r"pip install -e ('[^']+')", install_and_test).group(1)
    pytest_command = install_and_test[install_and_test.index("python -m pytest"):].strip()
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert f"pip install -e {extras}" in ci
    assert re.search(rf"^{re.escape(pytest_command)}$", ci, flags=re.M), (pytest_command, ci)


def test_readme_states_python_versions_and_the_dry_run_platform():
    import re
    import tomllib

    requires = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"][
        "requires-python"]
    minimum = re.search(r"3\.(\d+)", requires).group(0)
    assert f"Python {minimum} or newer" in README
    assert "platform with TensorFlow wheels" in README


def test_changelog_has_the_current_version_or_unreleased_changes():
    from tflint_gesture import __version__

    changelog = (Path(__file__).resolve().parent.parent / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{__version__}]" in changelog
    assert changelog.index("## [Unreleased]") < changelog.index(f"## [{__version__}]")
