"""Helpers shared by the rules of the dry run family."""

from __future__ import annotations

from typing import Iterator

from tflint_gesture.rules.base import Report, Rule


class _DryRunRule(Rule):
    family = "dry run"
    dry_run_only = True  # no static check: the page's Example is tested through the dry run

    def check(self, facts) -> Iterator[Report]:
        return iter(())
