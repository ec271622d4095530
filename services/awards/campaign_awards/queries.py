"""The read side: standings of a period now or as of a time, a nominee's daily history, its
forecast, candidates, decisions and the CSV export. Shared by the gRPC API and the CLI."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from campaign_awards.domain import numbers
from campaign_awards.domain.errors import Refusal, RefusalKind
from campaign_awards.domain.forecast import IndicatorForecast, Sample, default_phrase, forecast
from campaign_awards.domain.periods import Periods, StandingPeriod
from campaign_awards.domain.standings import Cell, NomineeSubject, Standing, rank, rules_for
from campaign_awards.figures import current, standing_at, versions
from campaign_awards.store import candidates, decisions, standings
from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import AwardDecided, CandidateEvidence


def subject_kind(text: str) -> NomineeSubject:
    if text in ("", "unit"):
        return "unit"
    if text == "officer":
        return "officer"
    raise Refusal(RefusalKind.INVALID, "bad_subject_kind",
                  f"Loại đối tượng '{text}' không hợp lệ: chọn 'unit' hoặc 'officer'.")


def moment(text: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise Refusal(RefusalKind.INVALID, "bad_as_of",
                      f"Thời điểm '{text}' không hợp lệ: dùng RFC 3339 có múi giờ, "
                      "ví dụ 2024-07-31T17:00:00+07:00.")
    return parsed


@dataclass(frozen=True)
class Ranked:
    standing: Standing
    previous_rank: int | None
    previous_points: Decimal | None


@dataclass(frozen=True)
class StandingsView:
    period: StandingPeriod
    kind: NomineeSubject
    as_of: datetime | None
    rows: list[Ranked]


class Reader:
    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.periods = Periods(campaign.period.start, campaign.period.end)

    def standings(self, connection: Connection, period_key: str, kind_text: str,
                  as_of_text: str = "") -> StandingsView:
        period = self.periods.get(period_key)
        kind = subject_kind(kind_text)
        as_of = moment(as_of_text)
        if as_of is None:
            ranked = rank(self.campaign, kind, current(connection, period.key, kind))
            c = standings.c
            stored = {r.subject_code: r for r in connection.execute(select(standings).where(
                c.period_key == period.key, c.subject_kind == kind))}
            rows = [Ranked(s, stored[s.subject.code].previous_rank if s.subject.code in stored
                           else None,
                           stored[s.subject.code].previous_points if s.subject.code in stored
                           else None) for s in ranked]
        else:
            past = standing_at(versions(connection, period.key, kind), as_of)
            rows = [Ranked(s, None, None) for s in rank(self.campaign, kind, past)]
        return StandingsView(period, kind, as_of, rows)

    def history(self, connection: Connection, kind_text: str, code: str, period_key: str
                ) -> tuple[StandingPeriod, list[tuple[date, Standing]]]:
        """One standing per local day, from the first day with figures to the period's last
        day or the last day with figures, whichever is earlier."""
        period = self.periods.get(period_key)
        kind = subject_kind(kind_text)
        if not code:
            raise Refusal(RefusalKind.INVALID, "missing_subject", "Cần mã đơn vị hoặc cán bộ.")
        history = versions(connection, period.key, kind)
        if not any(subject == code for _i, _c, subject in history):
            if kind == "unit" and self.campaign.unit(code) is None:
                raise Refusal(RefusalKind.NOT_FOUND, "unknown_subject",
                              f"Không có đơn vị '{code}' trong đợt thi đua.")
            return period, []
        zone = self.campaign.tz
        first = history[0][1].as_of.astimezone(zone).date()
        last = min(history[-1][1].as_of.astimezone(zone).date(), period.end)
        series = []
        state: dict[str, dict[str, Cell]] = {}
        pending = iter(history)  # one sweep: each day adds the figures of that day
        upcoming = next(pending, None)
        day = max(first, period.start)
        while day <= last:
            day_end = datetime.combine(day + timedelta(days=1), time(), zone)
            while upcoming is not None and upcoming[1].as_of < day_end:
                state.setdefault(upcoming[2], {})[upcoming[1].indicator] = upcoming[1]
                upcoming = next(pending, None)
            for standing in rank(self.campaign, kind, state):
                if standing.subject.code == code:
                    series.append((day, standing))
            day += timedelta(days=1)
        return period, series

    def forecast(self, connection: Connection, kind_text: str, code: str
                 ) -> tuple[datetime | None, list[IndicatorForecast]]:
        kind = subject_kind(kind_text)
        if not code:
            raise Refusal(RefusalKind.INVALID, "missing_subject", "Cần mã đơn vị hoặc cán bộ.")
        key = self.periods.campaign.key
        own = versions(connection, key, kind, code)
        if not own:
            if kind == "unit" and self.campaign.unit(code) is None:
                raise Refusal(RefusalKind.NOT_FOUND, "unknown_subject",
                              f"Không có đơn vị '{code}' trong đợt thi đua.")
            return None, []
        # The figures' time: the latest figure of anyone over the campaign, not the clock.
        now = max(c.as_of for _i, c, _s in versions(connection, key, kind))
        zone = self.campaign.tz
        start = datetime.combine(self.campaign.period.start, time(), zone)
        end = datetime.combine(self.campaign.period.end + timedelta(days=1), time(), zone)
        rules = self.campaign.standings
        results = []
        for rule in rules_for(self.campaign, kind):
            samples = [Sample(c.as_of, c.numerator, c.denominator)
                       for _i, c, _s in own if c.indicator == rule.code]
            counted = next((c.counted_unit for _i, c, _s in own
                            if c.indicator == rule.code and c.counted_unit), "")
            phrase = rules.numerator_phrases.get(rule.code) or default_phrase(rule, counted)
            results.append(forecast(rule, samples, now, start, end,
                                    rules.forecast_window_days, phrase))
        return now, results

    def candidates(self, connection: Connection, award_type: str = "", unit_code: str = "",
                   include_withdrawn: bool = False) -> list[tuple[Any, CandidateEvidence]]:
        query = select(candidates).order_by(candidates.c.award_type, candidates.c.nominee_kind,
                                            candidates.c.nominee_code)
        if award_type:
            query = query.where(candidates.c.award_type == award_type)
        if unit_code:
            query = query.where(candidates.c.unit_code == unit_code)
        if not include_withdrawn:
            query = query.where(candidates.c.status != "withdrawn")
        return [(r, CandidateEvidence.model_validate_json(r.evidence))
                for r in connection.execute(query)]

    def decisions(self, connection: Connection, unit_code: str = "", award_type: str = "",
                  include_revoked: bool = False) -> list[tuple[AwardDecided, Any]]:
        query = select(decisions)
        if unit_code:
            query = query.where(decisions.c.unit_code == unit_code)
        if award_type:
            query = query.where(decisions.c.award_type == award_type)
        if not include_revoked:
            query = query.where(decisions.c.revoked.is_(False))
        found = [(AwardDecided.model_validate_json(r.decided), r)
                 for r in connection.execute(query)]
        found.sort(key=lambda d: (d[0].decision_date, d[0].decision_number))
        return found

    def export_csv(self, view: StandingsView) -> tuple[str, bytes]:
        """The standings as CSV for Excel: UTF-8 with BOM, Vietnamese headers and numbers."""
        rules = rules_for(self.campaign, view.kind)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        who = "Đơn vị" if view.kind == "unit" else "Cán bộ"
        headers = ["Hạng", "Mã", who, "Đơn vị (mã)", "Tổng điểm"]
        for rule in rules:
            headers += [f"{rule.code} tử số", f"{rule.code} mẫu số", f"{rule.code} tỷ lệ",
                        f"{rule.code} đạt chỉ tiêu", f"{rule.code} điểm"]
        writer.writerow(headers)
        for row in view.rows:
            s = row.standing
            line = [str(s.rank), s.subject.code, s.subject.name, s.subject.unit_code,
                    numbers.decimal(s.total_points)]
            for i in s.indicators:
                line += [numbers.whole(i.figure.numerator), numbers.whole(i.figure.denominator),
                         numbers.percent(i.figure.rate), "Đạt" if i.target_met else "Chưa đạt",
                         numbers.decimal(i.points)]
            writer.writerow(line)
        suffix = view.period.key.replace("..", "_")
        if view.as_of is not None:
            suffix += "_" + view.as_of.astimezone(self.campaign.tz).strftime("%Y%m%d-%H%M")
        who = "" if view.kind == "unit" else "ca-nhan-"
        return f"bang-xep-hang-{who}{suffix}.csv", ("\ufeff" + out.getvalue()).encode(
            "utf-8")

