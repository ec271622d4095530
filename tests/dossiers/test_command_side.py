"""The command side and the read model on SQLite and PostgreSQL: events appended with
optimistic concurrency and put in the outbox in one transaction, refusals that change nothing,
documents stored once, and a read model that replaying the topic into an empty database
reproduces exactly."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Connection, select

from campaign_contracts.events import DossierEvent, ReviewFinding, dossier_event_adapter
from campaign_dossiers import read_model, store
from campaign_dossiers.domain.access import Principal
from campaign_dossiers.domain.commands import (
    AttachDocument,
    Command,
    ForwardDossier,
    OpenDossier,
    ReviewDossier,
    SubmitDossier,
    Verdict,
)
from campaign_dossiers.domain.documents import inspect_document
from campaign_dossiers.domain.dossier import Dossier, Status
from campaign_dossiers.domain.errors import Refusal
from campaign_dossiers.event_store import EventStore
from campaign_dossiers.handlers import CommandBus, CommandTelemetry, Dependencies
from campaign_dossiers.rebuild import reset_read_model
from tests.dossiers.builders import (
    BANG_KHEN,
    CAMPAIGN,
    GIAY_KHEN,
    KCHT,
    OFFICE,
    OFFICER,
    QLVT,
    pdf,
    word,
)
from tests.dossiers.harness import ALL_DOSSIER_TABLES, Harness
from tests.support.services import table_rows


@pytest.fixture
def service(database_url: str, tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(database_url, tmp_path / "blobs")
    yield harness
    harness.dispose()


def attach(dossier_id: uuid.UUID, kind: str, set_number: int = 1, data: bytes | None = None,
           name: str = "") -> AttachDocument:
    content = data if data is not None else pdf(f"{kind} {set_number}")
    filename = name or f"{kind}-{set_number}.pdf"
    return AttachDocument(dossier_id, set_number, kind,
                          inspect_document(filename, content, 1_000_000))


async def complete_giay_khen(service: Harness, who_code: str = "QLVT") -> Dossier:
    who = QLVT if who_code == "QLVT" else KCHT
    dossier = await service.run(OpenDossier(GIAY_KHEN, "collective", ""), who)
    await service.run(attach(dossier.dossier_id, "bien_ban_hop_xet"), who)
    return await service.run(
        attach(dossier.dossier_id, "bao_cao_thanh_tich", data=word(), name="Mẫu 08.docx"), who)


def history(service: Harness, dossier_id: uuid.UUID) -> list[DossierEvent]:
    with service.db.begin() as connection:
        return EventStore().load(connection, dossier_id)


async def test_a_dossier_lives_its_whole_life_and_the_read_model_follows_each_step(
    service: Harness,
) -> None:
    dossier = await complete_giay_khen(service)
    dossier_id = dossier.dossier_id
    steps: list[tuple[Command, Principal]] = [
        (SubmitDossier(dossier_id), QLVT),
        (ReviewDossier(dossier_id, Verdict.RETURN, (ReviewFinding(
            document_kind="bien_ban_hop_xet", set_number=1, note="Biên bản thiếu chữ ký"),)),
         OFFICE),
        (attach(dossier_id, "bien_ban_hop_xet", data=pdf("đã ký")), QLVT),
        (SubmitDossier(dossier_id, expected_version=6), QLVT),
        (ReviewDossier(dossier_id, Verdict.ACCEPT, note="Hợp lệ"), OFFICE),
        (ForwardDossier(dossier_id), OFFICE),
    ]
    for command, who in steps:
        decided = await service.run(command, who)
        with service.db.begin() as connection:
            assert read_model.get(connection, dossier_id) == decided
    assert decided.status is Status.FORWARDED and decided.version == 9
    events = history(service, dossier_id)
    assert [e.sequence for e in events] == list(range(1, 10))
    assert [e.event_type for e in events] == [
        "DossierOpened", "DocumentAttached", "DocumentAttached", "DossierSubmitted",
        "DossierReturned", "DocumentAttached", "DossierSubmitted", "DossierAccepted",
        "DossierForwarded"]
    # Every event reached the topic, keyed by its dossier, in order, exactly as stored.
    assert [key for key, _ in service.topic.records] == [str(dossier_id).encode()] * 9
    assert [dossier_event_adapter.validate_json(v) for _, v in service.topic.records] == events
    assert all(row["published_at"] is not None for row in table_rows(service.db, store.outbox))


async def test_a_refused_command_changes_nothing_anywhere(service: Harness) -> None:
    dossier = await service.run(OpenDossier(BANG_KHEN, "individual", OFFICER), QLVT)
    await service.run(attach(dossier.dossier_id, "to_trinh"), QLVT)
    before = (service.rows(*ALL_DOSSIER_TABLES, store.outbox), len(service.topic.records),
              sorted(p.name for p in service.blobs.root.rglob("*")))
    refusals: list[tuple[Command, Principal]] = [
        (SubmitDossier(dossier.dossier_id), QLVT),                      # incomplete
        (OpenDossier(BANG_KHEN, "individual", OFFICER), QLVT),          # duplicate
        (OpenDossier("khong_co", "collective", ""), QLVT),              # unknown award
        (attach(dossier.dossier_id, "to_trinh", 3, pdf("x")), QLVT),    # no third set
        (attach(dossier.dossier_id, "to_trinh", 1, pdf("y")), KCHT),    # not its dossier
        (ReviewDossier(dossier.dossier_id, Verdict.ACCEPT), OFFICE),    # not submitted
        (SubmitDossier(uuid.uuid4()), QLVT),                            # no such dossier
        (attach(dossier.dossier_id, "to_trinh", 2, pdf("z")), OFFICE),  # Office cannot fill
    ]
    reasons = []
    for command, who in refusals:
        with pytest.raises(Refusal) as caught:
            await service.run(command, who)
        reasons.append(caught.value.reason)
    assert reasons == ["incomplete", "already_open", "unknown_award_type", "set_out_of_range",
                       "not_your_dossier", "wrong_state", "dossier_not_found",
                       "role_not_allowed"]
    after = (service.rows(*ALL_DOSSIER_TABLES, store.outbox), len(service.topic.records),
             sorted(p.name for p in service.blobs.root.rglob("*")))
    assert after == before
    scraped = service.registry.get_sample_value(
        "dossier_commands_total", {"command": "SubmitDossier", "outcome": "incomplete"})
    assert scraped == 1.0


async def test_the_same_file_in_both_sets_is_stored_once(service: Harness) -> None:
    dossier = await service.run(OpenDossier(BANG_KHEN, "collective", "QLVT"), QLVT)
    report = word("Báo cáo thành tích của Phòng")
    for set_number in (1, 2):
        dossier = await service.run(
            attach(dossier.dossier_id, "bao_cao_thanh_tich", set_number, report, "Mẫu 08.docx"),
            QLVT)
    shas = {d.sha256 for d in dossier.documents}
    assert len(dossier.documents) == 2 and len(shas) == 1
    files = [p for p in service.blobs.root.rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].read_bytes() == report


class RacingEventStore(EventStore):
    """Lets another writer commit right after the first load, as a second replica might."""

    def __init__(self, race: Callable[[], None]) -> None:
        self.race = race
        self.raced = False

    def load(self, connection: Connection, dossier_id: uuid.UUID,
             up_to: int | None = None) -> list[DossierEvent]:
        events = super().load(connection, dossier_id, up_to)
        if not self.raced:
            self.raced = True
            self.race()
        return events


async def test_a_writer_that_lost_the_race_decides_again_on_the_fresh_history(
    service: Harness,
) -> None:
    dossier = await service.run(OpenDossier(GIAY_KHEN, "collective", ""), QLVT)
    rival = service.parts.bus

    def rival_attaches() -> None:
        rival.handle(attach(dossier.dossier_id, "bien_ban_hop_xet"), QLVT)

    registry = CollectorRegistry()
    telemetry = CommandTelemetry(registry)
    racing = CommandBus(service.db, CAMPAIGN, Dependencies(RacingEventStore(rival_attaches),
                                                           service.blobs),
                        service.clock, store.outbox, "dossiers", telemetry)
    after = racing.handle(attach(dossier.dossier_id, "bao_cao_thanh_tich"), QLVT)
    assert after.version == 3 and len(after.documents) == 2
    assert [e.sequence for e in history(service, dossier.dossier_id)] == [1, 2, 3]
    assert registry.get_sample_value("dossier_version_conflicts_total") == 1.0


async def test_replaying_the_topic_into_an_empty_database_reproduces_the_same_state(
    service: Harness,
) -> None:
    forwarded = await complete_giay_khen(service)
    steps: list[tuple[Command, Principal]] = [
        (SubmitDossier(forwarded.dossier_id), QLVT),
        (ReviewDossier(forwarded.dossier_id, Verdict.ACCEPT), OFFICE),
        (ForwardDossier(forwarded.dossier_id), OFFICE),
    ]
    for command, who in steps:
        await service.run(command, who)
    returned = await complete_giay_khen(service, "KCHT")
    await service.run(SubmitDossier(returned.dossier_id), KCHT)
    await service.run(ReviewDossier(returned.dossier_id, Verdict.RETURN, (
        ReviewFinding(note="Thiếu tờ trình kèm theo"),)), OFFICE)
    draft = await service.run(OpenDossier(BANG_KHEN, "individual", OFFICER), QLVT)
    await service.run(attach(draft.dossier_id, "to_trinh", 2), QLVT)
    original = service.rows()

    # Everything lost: empty tables, then the topic alone.
    service.db.drop_schema()
    service.db.create_schema()
    service.replay()
    assert service.rows() == original

    # Delivered again (a consumer restart before its positions were stored): nothing changes.
    with service.db.begin() as connection:
        connection.execute(store.positions.delete())
    service.replay()
    assert service.rows() == original

    # The operator's rebuild: the read model emptied, the event store kept.
    reset_read_model(service.db)
    assert service.rows(*store.READ_MODEL) == {"dossier_documents": [], "dossiers": []}
    service.replay()
    assert service.rows() == original

    # And the restored event store takes commands where the old one left off.
    submitted = await service.run(
        attach(draft.dossier_id, "bao_cao_thanh_tich", 1, word(), "Mẫu 08.docx"), QLVT)
    assert submitted.version == 3


async def test_a_republished_event_leaves_the_read_model_as_it_was(service: Harness) -> None:
    dossier = await complete_giay_khen(service)
    before = service.rows()
    service.topic.records.append(service.topic.records[1])  # the outbox published it again
    assert service.consume(len(service.topic.records) - 1)  # a new offset, so it is applied…
    assert service.rows() == before  # …but the dossier already shows a later version
    republished = service.registry.get_sample_value("dossier_events_republished_total")
    assert republished == 1.0
    with service.db.begin() as connection:
        shown = connection.execute(select(store.dossiers.c.version)).scalar_one()
    assert shown == dossier.version == 3
