"""The fault suite, short enough for CI: a feed streams in while each service is killed with
SIGKILL, the broker and PostgreSQL are restarted (the suite's own), with duplicated, reordered,
poison, oversized and old-version messages; afterwards every service's read model and the
e-mails sent equal a clean replay of the same log into empty databases.

The full version is one command: `python -m tests.faults --records 60000 --kills 10`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.faults.scenario import Options, run
from tests.support.reports import report as measured

pytestmark = [
    pytest.mark.e2e, pytest.mark.kafka, pytest.mark.postgres, pytest.mark.timeout(1500),
    pytest.mark.skipif(shutil.which("java") is None, reason="the broker needs Java"),
]

# Today's notifier is not exactly-once (a kill between sending and recording repeats an
# e-mail) and notifies on a target crossed on the way, which depends on the order indicator
# events interleave. Its rewrite (the notifier issue) fixes both: then empty this set, and the
# notifier is held to the same standard as the others.
NOT_YET_EXACTLY_ONCE: set[str] = set()


def test_faults_change_no_figure_standing_or_email(tmp_path: Path) -> None:
    records = int(os.environ.get("FAULTS_RECORDS", "1500"))
    report = run(Options(records=records, kills=1, work=tmp_path / "faults"))
    measured("fault suite (short)", "\n".join(report.lines))
    failures = report.failures_besides(NOT_YET_EXACTLY_ONCE)
    assert not failures, "\n".join(report.lines + report.problems)
    if not report.ok:
        pytest.xfail("notifier not exactly-once yet: " + "; ".join(
            report.failures_besides(set()))[:1000])
