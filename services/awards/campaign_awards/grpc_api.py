"""gRPC API of the awards service (campaign.awards.v1): translates requests to queries and
commands, refusals to status codes with a Vietnamese message and a stable English reason
(trailing metadata `refusal-reason`). Reads are open; DecideAward and RevokeDecision need a
caller of the council role (campaign_kit.identity)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import grpc

from campaign.awards.v1 import awards_pb2, awards_pb2_grpc
from campaign_awards.council import Council
from campaign_awards.domain.decisions import DecideAward
from campaign_awards.domain.errors import Refusal, RefusalKind
from campaign_awards.queries import Reader
from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import AwardDecided, DecisionRevoked, IndicatorStanding
from campaign_kit.api_values import fraction, rfc3339
from campaign_kit.db import Database
from campaign_kit.grpc_errors import answers_refusals as refusals_answered
from campaign_kit.identity import Authenticator, Caller, Unauthenticated

log = logging.getLogger(__name__)
Context = grpc.aio.ServicerContext[Any, Any]

STATUS: dict[RefusalKind, grpc.StatusCode] = {
    RefusalKind.INVALID: grpc.StatusCode.INVALID_ARGUMENT,
    RefusalKind.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    RefusalKind.WRONG_STATE: grpc.StatusCode.FAILED_PRECONDITION,
    RefusalKind.DUPLICATE: grpc.StatusCode.ALREADY_EXISTS,
    RefusalKind.FORBIDDEN: grpc.StatusCode.PERMISSION_DENIED,
    RefusalKind.UNAUTHENTICATED: grpc.StatusCode.UNAUTHENTICATED,
}

answers_refusals = refusals_answered(Refusal, STATUS)


def _text(value: Decimal | None) -> str:
    """Points: two places."""
    return "" if value is None else str(value.quantize(Decimal("0.01")))


def indicator_message(i: IndicatorStanding, campaign_version: str = "",
                      catalogue_version: str = "", source: str = ""
                      ) -> awards_pb2.IndicatorStanding:
    return awards_pb2.IndicatorStanding(
        indicator=i.indicator, numerator=i.figure.numerator, denominator=i.figure.denominator,
        rate=fraction(i.figure.rate), target=fraction(i.target),
        target_met=i.target_met, points=_text(i.points), indicator_name=i.indicator_name,
        counted_unit=i.counted_unit, campaign_version=campaign_version,
        catalogue_version=catalogue_version, source_event_id=source,
    )


def decision_message(decided: AwardDecided, row: Any | None = None) -> awards_pb2.Decision:
    return awards_pb2.Decision(
        decision_id=str(decided.decision_id), decision_number=decided.decision_number,
        decision_date=decided.decision_date.isoformat(), award_type=decided.award_type,
        award_name=decided.award_name, nominee_kind=decided.nominee_kind,
        nominee_code=decided.nominee_code, nominee_name=decided.nominee_name,
        unit_code=decided.unit_code, signer=decided.signer, note=decided.note or "",
        override_reason=decided.override_reason or "",
        dossier_id=str(decided.dossier_id) if decided.dossier_id else "",
        decided_by=decided.decided_by, decided_at=rfc3339(decided.occurred_at),
        revoked=bool(row.revoked) if row is not None else False,
        revoked_reason=row.revoked_reason if row is not None else "",
        revoked_at=rfc3339(row.revoked_at) if row is not None and row.revoked_at else "",
    )


class AwardsServicer(awards_pb2_grpc.AwardsServiceServicer):  # type: ignore[misc]
    def __init__(self, db: Database, campaign: Campaign, council: Council,
                 authenticator: Authenticator,
                 after_command: Callable[[], Awaitable[object]] | None = None) -> None:
        self.db = db
        self.campaign = campaign
        self.reader = Reader(campaign)
        self.council = council
        self.authenticator = authenticator
        self.after_command = after_command

    def _known(self, unit_code: str = "", award_type: str = "") -> None:
        """A filter naming a unit or an award type the campaign does not have is NOT_FOUND:
        an empty list would say "none yet" about something that does not exist."""
        if unit_code and self.campaign.unit(unit_code) is None:
            raise Refusal(RefusalKind.NOT_FOUND, "unknown_unit",
                          f"Không có đơn vị mã '{unit_code}' trong đợt thi đua.")
        if award_type and self.campaign.award(award_type) is None:
            raise Refusal(RefusalKind.NOT_FOUND, "unknown_award_type",
                          f"Đợt thi đua không có loại khen thưởng '{award_type}'.")

    def _known_subject(self, kind: str, code: str, has_figures: bool) -> None:
        """An officer is known by the campaign file or by figures of theirs; a unit by the
        campaign file (the reader refuses an unknown one)."""
        if kind != "officer" or has_figures:
            return
        unit_code, _, name = code.partition("/")
        if self.campaign.officer(name, unit_code) is None:
            raise Refusal(RefusalKind.NOT_FOUND, "unknown_subject",
                          f"Không có cán bộ '{code}' trong đợt thi đua.")

    def _caller(self, context: Context) -> Caller:
        try:
            return self.authenticator.authenticate(context.invocation_metadata())
        except Unauthenticated as exc:
            raise Refusal(RefusalKind.UNAUTHENTICATED, exc.reason, exc.message) from None

    async def _published(self) -> None:
        if self.after_command is not None:
            try:
                await self.after_command()  # publish now rather than at the next relay tick
            except Exception:
                log.warning("publishing after a command failed; the relay retries",
                            exc_info=True)

    @answers_refusals
    async def GetStandings(self, request: awards_pb2.GetStandingsRequest, context: Context
                           ) -> awards_pb2.GetStandingsResponse:
        with self.db.begin() as connection:
            view = self.reader.standings(connection, request.period_key, request.subject_kind,
                                         request.as_of)
        response = awards_pb2.GetStandingsResponse(
            campaign_id=self.campaign.campaign_id, period_key=view.period.key,
            period_kind=view.period.kind.value, subject_kind=view.kind,
            as_of=rfc3339(view.as_of))
        for ranked in view.rows:
            s = ranked.standing
            unit = self.campaign.unit(s.subject.unit_code)
            row = response.rows.add(
                rank=s.rank, unit_code=s.subject.unit_code, unit_name=unit.name if unit else "",
                total_points=_text(s.total_points), updated_at=rfc3339(s.as_of),
                subject_kind=view.kind, subject_code=s.subject.code, subject_name=s.subject.name,
                previous_rank=ranked.previous_rank or 0,
                previous_points=_text(ranked.previous_points), shared_rank=s.shared_rank,
            )
            cells = {c.indicator: c for c in s.cells}
            for i in s.indicators:
                cell = cells.get(i.indicator)
                # The drill-down: each figure with its versions and the event that carried it.
                row.indicators.append(indicator_message(
                    i, cell.campaign_version if cell else "",
                    cell.catalogue_version if cell else "", cell.source_event_id if cell else ""))
        return response

    async def ListPeriods(self, request: awards_pb2.ListPeriodsRequest, context: Context
                          ) -> awards_pb2.ListPeriodsResponse:
        response = awards_pb2.ListPeriodsResponse()
        for p in self.reader.periods.all:
            response.periods.add(kind=p.kind.value, key=p.key, label=p.label,
                                 start=p.start.isoformat(), end=p.end.isoformat())
        return response

    @answers_refusals
    async def GetHistory(self, request: awards_pb2.GetHistoryRequest, context: Context
                         ) -> awards_pb2.GetHistoryResponse:
        with self.db.begin() as connection:
            period, series = self.reader.history(connection, request.subject_kind,
                                                 request.subject_code, request.period_key)
        self._known_subject(request.subject_kind, request.subject_code, bool(series))
        response = awards_pb2.GetHistoryResponse(
            subject_kind=request.subject_kind or "unit", subject_code=request.subject_code,
            subject_name=series[0][1].subject.name if series else "", period_key=period.key)
        for day, s in series:
            point = response.points.add(day=day.isoformat(), rank=s.rank,
                                        total_points=_text(s.total_points))
            for i in s.indicators:
                point.indicators.add(indicator=i.indicator, numerator=i.figure.numerator,
                                     denominator=i.figure.denominator,
                                     rate=fraction(i.figure.rate), points=_text(i.points))
        return response

    @answers_refusals
    async def GetForecast(self, request: awards_pb2.GetForecastRequest, context: Context
                          ) -> awards_pb2.GetForecastResponse:
        with self.db.begin() as connection:
            now, results = self.reader.forecast(connection, request.subject_kind,
                                                request.subject_code)
        self._known_subject(request.subject_kind, request.subject_code, bool(results))
        window = self.campaign.standings.forecast_window_days
        response = awards_pb2.GetForecastResponse(
            subject_kind=request.subject_kind or "unit", subject_code=request.subject_code,
            as_of=rfc3339(now), campaign_end=self.campaign.period.end.isoformat(),
            window_days=window)
        unit = self.campaign.unit(request.subject_code)
        response.subject_name = unit.name if unit else request.subject_code.partition("/")[2]
        for f in results:
            response.indicators.add(
                indicator=f.rule.code, indicator_name=f.rule.name,
                numerator=f.now.numerator, denominator=f.now.denominator,
                rate=fraction(f.now.rate), expected_numerator=f.expected.numerator,
                expected_denominator=f.expected.denominator,
                expected_rate=fraction(f.expected.rate),
                target=fraction(f.rule.target), will_meet=f.will_meet, gap=f.gap,
                gap_text=f.gap_text)
        return response

    @answers_refusals
    async def ListCandidates(self, request: awards_pb2.ListCandidatesRequest, context: Context
                             ) -> awards_pb2.ListCandidatesResponse:
        self._known(request.unit_code, request.award_type)
        with self.db.begin() as connection:
            found = self.reader.candidates(connection, request.award_type, request.unit_code,
                                           request.include_withdrawn)
        response = awards_pb2.ListCandidatesResponse()
        for row, evidence in found:
            award = self.campaign.award(row.award_type)
            candidate = response.candidates.add(
                candidate_id=row.candidate_id, award_type=row.award_type,
                award_name=award.name if award else "", nominee_kind=row.nominee_kind,
                nominee_code=row.nominee_code, nominee_name=row.nominee_name,
                unit_code=row.unit_code, status=row.status,
                evaluated_at=rfc3339(evidence.evaluated_at), rank=evidence.rank or 0,
                total_points=_text(evidence.total_points),
                withdrawn_reason=row.withdrawn_reason)
            for figure in evidence.figures:
                candidate.figures.append(indicator_message(
                    figure, evidence.campaign_version, evidence.catalogue_version))
            for c in evidence.conditions:
                candidate.conditions.add(condition=c.condition, met=c.met, detail=c.detail)
        return response

    @answers_refusals
    async def DecideAward(self, request: awards_pb2.DecideAwardRequest, context: Context
                          ) -> awards_pb2.Decision:
        caller = self._caller(context)
        event = self.council.decide(caller, DecideAward(
            decision_number=request.decision_number, decision_date=request.decision_date,
            award_type=request.award_type, nominee_kind=request.nominee_kind,
            nominee_code=request.nominee_code, signer=request.signer, note=request.note,
            override_reason=request.override_reason))
        await self._published()
        return decision_message(event)

    @answers_refusals
    async def RevokeDecision(self, request: awards_pb2.RevokeDecisionRequest, context: Context
                             ) -> awards_pb2.Decision:
        caller = self._caller(context)
        revoked: DecisionRevoked = self.council.revoke(caller, request.decision_id,
                                                       request.reason)
        await self._published()
        with self.db.begin() as connection:
            found = [d for d in self.reader.decisions(connection, include_revoked=True)
                     if d[0].decision_id == revoked.decision_id]
        return decision_message(*found[0])

    @answers_refusals
    async def ListDecisions(self, request: awards_pb2.ListDecisionsRequest, context: Context
                            ) -> awards_pb2.ListDecisionsResponse:
        self._known(request.unit_code, request.award_type)
        with self.db.begin() as connection:
            found = self.reader.decisions(connection, request.unit_code, request.award_type,
                                          request.include_revoked)
        response = awards_pb2.ListDecisionsResponse()
        for decided, row in found:
            response.decisions.append(decision_message(decided, row))
        return response

    @answers_refusals
    async def ExportStandings(self, request: awards_pb2.ExportStandingsRequest,
                              context: Context) -> awards_pb2.ExportStandingsResponse:
        with self.db.begin() as connection:
            view = self.reader.standings(connection, request.period_key, request.subject_kind,
                                         request.as_of)
        filename, data = self.reader.export_csv(view)
        return awards_pb2.ExportStandingsResponse(filename=filename, csv=data)
