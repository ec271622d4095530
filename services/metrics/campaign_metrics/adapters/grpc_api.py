"""gRPC API of the metrics service (campaign.metrics.v1): indicator queries, the Ingest stream
for portals that cannot produce to Kafka, and the procedure catalogue."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict
from typing import Any, NoReturn, Protocol

import grpc
from google.protobuf.message import DecodeError

from campaign.metrics.v1 import metrics_pb2, metrics_pb2_grpc
from campaign_kit.db import Database
from campaign_kit.grpc_errors import abort
from campaign_kit.outbox import Publish
from campaign_metrics.adapters.catalogue_log import CATALOGUE_KEY
from campaign_metrics.adapters.ingest import MessageTooLarge, PortalIngest
from campaign_metrics.adapters.portal_auth import PortalTokens, bearer_token
from campaign_metrics.adapters.projection import MetricsProjection
from campaign_metrics.adapters.queries import (
    IndicatorView,
    QueryError,
    catalogue_in_force,
    get_indicators,
    list_indicators,
    unknown_dossiers,
)
from campaign_metrics.adapters.status import iso_ms, units_and_dead_letters
from campaign_metrics.adapters.traceability import CellQuestion, cell_dossiers
from campaign_metrics.domain.catalogue import CatalogueError, parse_catalogue
from campaign_metrics.domain.definitions import Definitions

_DEFINITIONS_RECHECK_S = 1.0
_ANSWER_TTL_S = 0.5
_ANSWERS_KEPT = 20_000


def _value(v: IndicatorView) -> metrics_pb2.IndicatorValue:
    return metrics_pb2.IndicatorValue(**v.as_dict())


async def _abort(context: grpc.aio.ServicerContext[Any, Any], error: QueryError) -> NoReturn:
    code = grpc.StatusCode.NOT_FOUND if error.not_found else grpc.StatusCode.INVALID_ARGUMENT
    await abort(context, code, error.reason, str(error))


async def messages_of(stream: AsyncIterator[metrics_pb2.IngestRecord]
                      ) -> AsyncIterator[Sequence[bytes]]:
    """The records of each Ingest message: `record`, then the packed `records` (an empty
    `record` beside packed ones is no record; alone, it is one, and refused)."""
    async for item in stream:
        if not item.records:
            yield (item.record,)
        elif item.record:
            yield [item.record, *item.records]
        else:
            yield item.records


class StatusSources(Protocol):
    """What GetStatus reads besides the database: the catch-up state and the start's note."""

    @property
    def is_caught_up(self) -> bool: ...

    @property
    def lag(self) -> int: ...

    @property
    def catalogue_file_note(self) -> str: ...

    async def refresh(self) -> None: ...


class MetricsServicer(metrics_pb2_grpc.MetricsServiceServicer):
    def __init__(
        self, db: Database, projection: MetricsProjection, ingest: PortalIngest,
        tokens: PortalTokens, publish: Publish, catalogue_topic: str,
        status: StatusSources | None = None,
    ) -> None:
        self.db = db
        self.projection = projection
        self.ingest = ingest
        self.tokens = tokens
        self.publish = publish
        self.catalogue_topic = catalogue_topic
        self.status = status
        self._defs: Definitions | None = None
        self._defs_at = 0.0
        self._defs_generation = -1
        self.answers: dict[bytes, tuple[int, float, bytes]] = {}

    async def _definitions(self, context: grpc.aio.ServicerContext[Any, Any]) -> Definitions:
        now, generation = time.monotonic(), self.projection.generation
        if (self._defs is not None and generation == self._defs_generation
                and now - self._defs_at < _DEFINITIONS_RECHECK_S):
            return self._defs  # nothing applied here since: only another instance could change
        with self.db.begin() as connection:
            defs = self.projection.definitions(connection)
        self._defs, self._defs_at, self._defs_generation = defs, now, generation
        if defs is None:
            await abort(context, grpc.StatusCode.UNAVAILABLE, "no_catalogue",
                        "chưa có danh mục thủ tục nào được áp dụng; hãy thử lại sau")
            raise AssertionError("unreachable")  # pragma: no cover
        return defs

    async def GetIndicators(
        self, request: metrics_pb2.GetIndicatorsRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> metrics_pb2.GetIndicatorsResponse:
        """The figures from the database (the server answers through `answer_bytes`)."""
        defs = await self._definitions(context)
        try:
            with self.db.begin() as connection:
                views = get_indicators(
                    connection, defs, subject_kind=request.subject_kind,
                    subject_code=request.subject_code, period_kind=request.period_kind,
                    period_key=request.period_key, indicators=list(request.indicators),
                )
        except QueryError as error:
            await _abort(context, error)
        return metrics_pb2.GetIndicatorsResponse(values=[_value(v) for v in views])

    async def answer_bytes(self, question: bytes,
                           context: grpc.aio.ServicerContext[Any, Any]) -> bytes:
        """GetIndicators as bytes: dashboards ask the same few questions again and again, so
        the serialized answer is kept by the serialized question and reused while this
        instance has applied nothing since (a batch's commit moves `generation`), and for at
        most _ANSWER_TTL_S (another instance may have). A repeated question then costs
        neither a query nor parsing nor serializing: only gRPC's own work."""
        now = time.monotonic()
        generation = self.projection.generation
        cached = self.answers.get(question)
        if cached is not None and cached[0] == generation and now - cached[1] < _ANSWER_TTL_S:
            return cached[2]
        try:
            request = metrics_pb2.GetIndicatorsRequest.FromString(question)
        except DecodeError:
            await abort(context, grpc.StatusCode.INVALID_ARGUMENT, "bad_request",
                        "yêu cầu GetIndicators không đọc được (không phải GetIndicatorsRequest)")
        answer = (await self.GetIndicators(request, context)).SerializeToString()
        if len(self.answers) > _ANSWERS_KEPT:
            self.answers.clear()
        self.answers[question] = (generation, now, answer)
        return answer

    async def ListIndicators(
        self, request: metrics_pb2.ListIndicatorsRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> metrics_pb2.ListIndicatorsResponse:
        defs = await self._definitions(context)
        try:
            with self.db.begin() as connection:
                views, token = list_indicators(
                    connection, defs, subject_kind=request.subject_kind,
                    subject_code=request.subject_code, period_kind=request.period_kind,
                    period_key=request.period_key, indicators=list(request.indicators),
                    page_size=request.page_size, page_token=request.page_token,
                )
        except QueryError as error:
            await _abort(context, error)
        return metrics_pb2.ListIndicatorsResponse(values=[_value(v) for v in views],
                                                  next_page_token=token)

    async def Ingest(
        self, request_iterator: AsyncIterator[metrics_pb2.IngestRecord],
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> metrics_pb2.IngestSummary:
        portal = self.tokens.portal_for(bearer_token(context.invocation_metadata() or ()))
        if portal is None:
            await abort(context, grpc.StatusCode.UNAUTHENTICATED, "unknown_portal_token",
                        "mã truy cập của cổng thiếu hoặc không đúng: gửi metadata "
                        "`authorization: Bearer <mã>`")

        try:
            result = await self.ingest.ingest(portal, messages_of(request_iterator))
        except MessageTooLarge as large:
            await abort(context, grpc.StatusCode.RESOURCE_EXHAUSTED, "message_too_large",
                        f"bản ghi thứ {large.index} (tính từ 0) dài {large.size} byte, vượt giới "
                        f"hạn {large.limit} byte của một thông điệp; {large.accepted} bản ghi "
                        f"trước nó đã được nhận: hãy gửi lại từ bản ghi {large.index}",
                        index=str(large.index), accepted=str(large.accepted),
                        limit=str(large.limit))
        except Exception as exc:  # the broker refused: the caller retries, duplicates are harmless
            await abort(context, grpc.StatusCode.UNAVAILABLE, "log_unavailable",
                        "không đưa được các bản ghi lên Kafka (" + type(exc).__name__
                        + "); hãy gửi lại cả luồng, bản ghi trùng không bị tính hai lần")
        return metrics_pb2.IngestSummary(
            portal=result.portal, received=result.received, accepted=result.accepted,
            rejected=[
                metrics_pb2.RecordRejection(index=r.index, dossier_code=r.dossier_code,
                                            reason=r.reason, detail=r.detail)
                for r in result.rejected
            ],
        )

    async def LoadCatalogue(
        self, request: metrics_pb2.LoadCatalogueRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> metrics_pb2.LoadCatalogueResponse:
        try:
            catalogue = parse_catalogue(request.csv)
        except CatalogueError as error:
            await abort(context, grpc.StatusCode.INVALID_ARGUMENT, error.reason,
                        f"danh mục thủ tục không nạp được: {error}")
        with self.db.begin() as connection:
            defs = self.projection.definitions(connection)
        in_force = defs is not None and defs.catalogue_version == catalogue.version
        if not in_force:
            event = catalogue.to_event(request.source or "grpc")
            await self.publish(self.catalogue_topic, event.to_bytes(), CATALOGUE_KEY)
        return metrics_pb2.LoadCatalogueResponse(
            version=catalogue.version, entries=len(catalogue.entries), already_in_force=in_force,
        )

    async def GetCatalogue(
        self, request: metrics_pb2.GetCatalogueRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> metrics_pb2.GetCatalogueResponse:
        with self.db.begin() as connection:
            current = catalogue_in_force(connection, self.projection.definitions(connection))
        return metrics_pb2.GetCatalogueResponse(
            version=current.version, source=current.source, loaded_at=current.loaded_at,
            entries=[metrics_pb2.CatalogueEntryValue(**e) for e in current.entries],
        )

    async def ListUnknownDossiers(
        self, request: metrics_pb2.ListUnknownDossiersRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> metrics_pb2.ListUnknownDossiersResponse:
        defs = await self._definitions(context)
        try:
            with self.db.begin() as connection:
                views, token = unknown_dossiers(connection, defs, page_size=request.page_size,
                                                page_token=request.page_token)
        except QueryError as error:
            await _abort(context, error)
        return metrics_pb2.ListUnknownDossiersResponse(
            dossiers=[metrics_pb2.UnknownDossier(**v.as_dict()) for v in views],
            next_page_token=token,
        )

    async def ListCellDossiers(
        self, request: metrics_pb2.ListCellDossiersRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> metrics_pb2.ListCellDossiersResponse:
        defs = await self._definitions(context)
        question = CellQuestion(
            indicator=request.indicator, subject_kind=request.subject_kind,
            subject_code=request.subject_code, period_kind=request.period_kind,
            period_key=request.period_key, part=request.part, page_size=request.page_size,
            page_token=request.page_token,
        )
        try:
            with self.db.begin() as connection:
                views, token, total = cell_dossiers(connection, defs, question)
        except QueryError as error:
            await _abort(context, error)
        return metrics_pb2.ListCellDossiersResponse(
            dossiers=[metrics_pb2.CellDossier(**v.as_dict()) for v in views],
            next_page_token=token, total=total,
        )

    async def GetStatus(
        self, request: metrics_pb2.GetStatusRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> metrics_pb2.GetStatusResponse:
        if self.status is not None:
            await self.status.refresh()  # caught up as of this call, not of the last tick
        with self.db.begin() as connection:
            defs = self.projection.definitions(connection)
            units, outside, dead = units_and_dead_letters(connection,
                                                          self.projection.participants)
        for reason, count in self.ingest.rejected.items():  # rejected by Ingest, never on the log
            dead[reason] = dead.get(reason, 0) + count
        portals = [
            metrics_pb2.SourceFreshness(kind="portal", code=portal,
                                        last_record_at=iso_ms(at * 1000),
                                        records=self.ingest.records.get(portal, 0))
            for portal, at in sorted(self.ingest.last_call.items())
        ]
        status = self.status
        return metrics_pb2.GetStatusResponse(
            caught_up=status.is_caught_up if status is not None else False,
            lag=status.lag if status is not None else 0,
            sources=portals + [metrics_pb2.SourceFreshness(**asdict(u)) for u in units],
            dead_letters=[metrics_pb2.DeadLetterCount(reason=r, count=n)
                          for r, n in sorted(dead.items())],
            unattributed_dossiers=sum(u.dossiers for u in outside),
            unattributed_units=[metrics_pb2.UnattributedUnit(**asdict(u)) for u in outside],
            campaign_version=self.projection.campaign.version,
            catalogue_version=defs.catalogue_version if defs is not None else "",
            definition_reports=self.projection.reports,
            catalogue_file_note=status.catalogue_file_note if status is not None else "",
        )


class _AnsweringInBytes:
    """The server as the generated registration sees it, with GetIndicators' handler taking
    and returning bytes (no request parsing, no answer serializing) for `answer_bytes`."""

    def __init__(self, server: Any, servicer: MetricsServicer) -> None:
        self.server = server
        self.servicer = servicer
        self.generic: Any = None
        self.changed = False

    def add_generic_rpc_handlers(self, handlers: Any) -> None:
        self.generic = handlers  # replaced below from the changed table, which comes next

    def add_registered_method_handlers(self, service: str, handlers: dict[str, Any]) -> None:
        changed = {**handlers, "GetIndicators": grpc.unary_unary_rpc_method_handler(
            self.servicer.answer_bytes)}
        self.server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler(service, changed),))
        self.server.add_registered_method_handlers(service, changed)
        self.changed = True


def add_to_server(servicer: MetricsServicer, server: Any) -> None:
    """The generated registration of the metrics API, GetIndicators answered in bytes (or as
    generated, should a newer generator register its methods another way)."""
    seen = _AnsweringInBytes(server, servicer)
    metrics_pb2_grpc.add_MetricsServiceServicer_to_server(  # type: ignore[no-untyped-call]
        servicer, seen)
    if not seen.changed and seen.generic is not None:
        server.add_generic_rpc_handlers(seen.generic)
