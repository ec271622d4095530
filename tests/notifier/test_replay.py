"""A replay of a whole feed, as the demo runs it: figures arrive in no order and swing around
their targets while the feed runs; two runs send the same messages, and no unit is told it
reached a target that its final figure misses."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from devkit.smtp import SmtpServer
from tests.notifier import builders as b
from tests.notifier.harness import build_harness, texts

# Final figures (issue 9): QLVT ends at 43,71% K3, VP at 42,50%, KHTC well above.
FINAL = {"QLVT": (459, 1050), "VP": (17, 40), "KHTC": (300, 500)}


def feed(seed: int = 9) -> list[tuple[str, int, int]]:
    """Each unit's K3 as records arrive shuffled: counts grow towards the final ones while the
    rate wanders around it (the early partial figures cross the target back and forth)."""
    rng = random.Random(seed)
    steps = []
    for unit, (numerator, denominator) in FINAL.items():
        for seen in range(1, 301):
            den = max(1, denominator * seen // 300)
            wobble = rng.uniform(-0.08, 0.08) * (300 - seen) / 300
            num = min(den, max(0, round(den * (numerator / denominator + wobble))))
            steps.append((unit, num if seen < 300 else numerator,
                          den if seen < 300 else denominator))
    rng.shuffle(steps)
    finals = [s for s in steps if (s[1], s[2]) == FINAL[s[0]]]
    return [s for s in steps if s not in finals] + finals  # each ends at its final figure


async def replay(tmp_path: Path, run: str) -> list[tuple[str, str, str, str]]:
    with SmtpServer() as smtp:
        campaign = b.campaign(("target_settled",), quiet_hours=None)
        h = build_harness(f"sqlite:///{tmp_path / f'{run}.db'}", campaign, smtp,
                          "2024-12-16T07:00:00+07:00")
        await h.at(h.clock.now())
        # The demo's replay clock: the whole feed passes within half an hour of campaign time.
        for number, (unit, numerator, denominator) in enumerate(feed()):
            h.clock.set(datetime.fromisoformat("2024-12-16T07:00:00+07:00")
                        + timedelta(seconds=2 * number))
            h.publish(b.indicator(unit, "K3", numerator, denominator))
            if number % 100 == 0:
                await h.notifier.tick()
        for day in ("16", "17", "18"):
            for at in ("08:00", "17:00"):
                await h.at(f"2024-12-{day}T{at}:00+07:00")
        mails = h.mails()
        return [(str(m["To"]), str(m["Subject"]), str(m["Message-ID"]), text)
                for m, text in zip(mails, texts(mails), strict=True)]


async def test_two_runs_of_the_same_feed_send_the_same_true_messages(tmp_path: Path) -> None:
    first = await replay(tmp_path, "first")
    second = await replay(tmp_path, "second")
    assert first == second
    assert [(to.split("<")[1], subject) for to, subject, _, _ in first] == [
        ("khtc@sgtvt.langson.example>",
         "[Thi đua] Phòng Kế hoạch – Tài chính đạt chỉ tiêu K3: 60,00%")]
    assert "(300/500 hồ sơ)" in first[0][3]
