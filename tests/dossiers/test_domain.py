"""The dossier's decisions, without a database or a broker: who may do what, what a complete
dossier holds, the deadline, the review cycle, and that state is a fold of events."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from campaign_contracts.campaign_file import Campaign, DossierRequirement
from campaign_contracts.events import DossierEvent, ReviewFinding, dossier_event_adapter
from campaign_dossiers.domain import decisions
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
from campaign_dossiers.domain.dossier import Dossier, Status, evolve
from campaign_dossiers.domain.errors import Refusal, RefusalKind
from tests.dossiers.builders import (
    AT_DEADLINE,
    BANG_KHEN,
    BEFORE_DEADLINE,
    CAMPAIGN,
    COUNCIL,
    GIAY_KHEN,
    KCHT,
    OFFICE,
    OFFICER,
    QLVT,
    day_before_deadline,
    pdf,
    word,
)

DECIDE: dict[type[Any], Callable[[Any, Dossier | None, decisions.Context], list[DossierEvent]]] = {
    AttachDocument: decisions.attach_document, SubmitDossier: decisions.submit_dossier,
    ReviewDossier: decisions.review_dossier, ForwardDossier: decisions.forward_dossier,
}


class World:
    """One dossier and the events it went through, decided as a given caller at a given time."""

    def __init__(self, campaign: Campaign = CAMPAIGN) -> None:
        self.campaign = campaign
        self.now = day_before_deadline()
        self.events: list[DossierEvent] = []
        self.dossier: Dossier | None = None

    def ctx(self, who: Principal) -> decisions.Context:
        return decisions.Context(self.campaign, who, self.now)

    def open(self, award: str = GIAY_KHEN, kind: str = "collective", code: str = "",
             who: Principal = QLVT) -> Dossier:
        events = decisions.open_dossier(OpenDossier(award, kind, code), None, self.ctx(who))
        return self._record(events)

    def do(self, command: Command, who: Principal = QLVT) -> Dossier:
        return self._record(DECIDE[type(command)](command, self.dossier, self.ctx(who)))

    def attach(self, kind: str, set_number: int = 1, data: bytes | None = None,
               who: Principal = QLVT, filename: str = "") -> Dossier:
        assert self.dossier is not None
        name = filename or f"{kind}-{set_number}.pdf"
        document = inspect_document(name, data or pdf(f"{kind} {set_number}"), 10_000_000)
        return self.do(AttachDocument(self.dossier.dossier_id, set_number, kind, document), who)

    def fill(self) -> Dossier:
        assert self.dossier is not None
        requirement = decisions.requirement_of(self.dossier, self.campaign)
        for slot in requirement.slots:
            self.attach(slot.document_kind, slot.set_number)
        return self.dossier

    def _record(self, events: list[DossierEvent]) -> Dossier:
        for event in events:
            self.dossier = evolve(self.dossier, event)
        self.events.extend(events)
        assert self.dossier is not None
        return self.dossier

    @property
    def id(self) -> uuid.UUID:
        assert self.dossier is not None
        return self.dossier.dossier_id


def refused(kind: RefusalKind, reason: str) -> pytest.RaisesExc[Refusal]:
    return pytest.raises(Refusal, check=lambda r: (r.kind, r.reason) == (kind, reason))


# --- opening -------------------------------------------------------------------------------


def test_a_unit_opens_a_dossier_for_itself_as_a_collective() -> None:
    dossier = World().open()
    assert (dossier.unit_code, dossier.nominee_kind, dossier.nominee_code) == (
        "QLVT", "collective", "QLVT")
    assert (dossier.status, dossier.version, dossier.opened_by) == (Status.DRAFT, 1, "unit:QLVT")


def test_a_unit_opens_a_dossier_for_one_of_its_officers_whatever_the_unicode_form() -> None:
    decomposed = "Nguye\u0302\u0303n Thi\u0323 Hu\u031bo\u031bng"  # NFD, as some keyboards send
    dossier = World().open(BANG_KHEN, "individual", decomposed)
    assert dossier.nominee_code == OFFICER


@pytest.mark.parametrize(("award", "kind", "code", "reason"), [
    ("bang_khen_thu_tuong", "collective", "", "unknown_award_type"),
    (GIAY_KHEN, "team", "", "unknown_nominee_kind"),
    (GIAY_KHEN, "collective", "KHONG", "unknown_nominee"),
    (GIAY_KHEN, "individual", "Trần Văn Không", "unknown_nominee"),
])
def test_an_unknown_award_type_or_nominee_is_refused(
    award: str, kind: str, code: str, reason: str
) -> None:
    with refused(RefusalKind.INVALID, reason):
        World().open(award, kind, code)


@pytest.mark.parametrize(("kind", "code"), [
    ("collective", "KCHT"),            # another unit
    ("individual", "Lương Thị Thảo"),  # an officer of KCHT
])
def test_a_unit_may_not_nominate_another_units_nominee(kind: str, code: str) -> None:
    with refused(RefusalKind.FORBIDDEN, "not_your_nominee"):
        World().open(GIAY_KHEN, kind, code)


def test_an_award_type_that_does_not_admit_the_nominee_kind_is_refused() -> None:
    award = CAMPAIGN.awards[0].model_copy(update={"nominee_kinds": ["collective"]})
    campaign = CAMPAIGN.model_copy(update={"awards": [award, *CAMPAIGN.awards[1:]]})
    with refused(RefusalKind.INVALID, "nominee_kind_not_allowed"):
        World(campaign).open(award.code, "individual", OFFICER)


@pytest.mark.parametrize("who", [OFFICE, COUNCIL])
def test_only_units_open_dossiers(who: Principal) -> None:
    with refused(RefusalKind.FORBIDDEN, "role_not_allowed"):
        World().open(who=who)


def test_a_second_dossier_for_the_same_nomination_is_refused() -> None:
    world = World()
    first = world.open()
    with refused(RefusalKind.DUPLICATE, "already_open") as caught:
        decisions.open_dossier(OpenDossier(GIAY_KHEN, "collective", "QLVT"), first,
                               world.ctx(QLVT))
    assert str(first.dossier_id) in caught.value.message


# --- documents, completeness, deadline -----------------------------------------------------


def test_an_incomplete_dossier_is_refused_with_every_missing_document_by_set() -> None:
    world = World()
    world.open(BANG_KHEN, "individual", OFFICER)
    world.attach("to_trinh", 1)
    world.attach("bao_cao_thanh_tich", 2)
    with refused(RefusalKind.WRONG_STATE, "incomplete") as caught:
        world.do(SubmitDossier(world.id))
    assert caught.value.message == (
        "Hồ sơ chưa đủ thành phần, còn thiếu: "
        "Bộ 1: Biên bản họp xét của Hội đồng thi đua – khen thưởng; "
        "Bộ 1: Báo cáo thành tích (Mẫu số 08, Nghị định 98/2023/NĐ-CP); "
        "Bộ 2: Tờ trình đề nghị khen thưởng; "
        "Bộ 2: Biên bản họp xét của Hội đồng thi đua – khen thưởng."
    )
    assert world.dossier is not None and world.dossier.version == 3  # unchanged by the refusal


def test_the_requirement_is_read_from_the_campaign_file_per_nominee_kind() -> None:
    award = CAMPAIGN.awards[0].model_copy(update={"dossier_by_nominee_kind": {
        "individual": DossierRequirement(sets=1, documents=["bao_cao_thanh_tich"])}})
    campaign = CAMPAIGN.model_copy(update={"awards": [award, *CAMPAIGN.awards[1:]]})
    world = World(campaign)
    world.open(award.code, "individual", OFFICER)
    world.attach("bao_cao_thanh_tich")
    assert world.do(SubmitDossier(world.id)).status is Status.SUBMITTED
    collective = World(campaign)
    collective.open(award.code)
    collective.attach("bao_cao_thanh_tich")
    with refused(RefusalKind.WRONG_STATE, "incomplete"):
        collective.do(SubmitDossier(collective.id))


@pytest.mark.parametrize(("kind", "set_number", "reason"), [
    ("to_trinh", 1, "unknown_document_kind"),  # Giấy khen asks for no Tờ trình
    ("bao_cao_thanh_tich", 2, "set_out_of_range"),  # Giấy khen has one set
    ("bao_cao_thanh_tich", 0, "set_out_of_range"),
])
def test_a_slot_the_requirement_does_not_have_is_refused(
    kind: str, set_number: int, reason: str
) -> None:
    world = World()
    world.open()
    with refused(RefusalKind.INVALID, reason):
        world.attach(kind, set_number)


def test_a_new_file_in_a_filled_slot_replaces_it_and_the_same_file_again_is_refused() -> None:
    world = World()
    world.open()
    world.attach("bien_ban_hop_xet", data=pdf("first"))
    first = world.events[-1]
    dossier = world.attach("bien_ban_hop_xet", data=pdf("second"))
    replaced = world.events[-1]
    assert len(dossier.documents) == 1
    assert replaced.replaces_sha256 == first.sha256  # type: ignore[union-attr]
    with refused(RefusalKind.DUPLICATE, "same_document"):
        world.attach("bien_ban_hop_xet", data=pdf("second"))


def test_a_complete_dossier_is_accepted_until_the_end_of_the_deadline_day_local_time() -> None:
    on_time, late = World(), World()
    for world in (on_time, late):
        world.open()
        world.fill()
    on_time.now = BEFORE_DEADLINE
    submitted = on_time.do(SubmitDossier(on_time.id))
    assert submitted.status is Status.SUBMITTED and submitted.submitted_at == BEFORE_DEADLINE
    late.now = AT_DEADLINE
    with refused(RefusalKind.WRONG_STATE, "deadline_passed") as caught:
        late.do(SubmitDossier(late.id))
    assert "hết ngày 31/12/2024 (giờ Asia/Ho_Chi_Minh)" in caught.value.message
    assert "00:00 ngày 01/01/2025" in caught.value.message


def test_the_deadline_is_told_before_what_is_missing() -> None:
    world = World()
    world.open()
    world.now = AT_DEADLINE + timedelta(days=3)
    with refused(RefusalKind.WRONG_STATE, "deadline_passed"):
        world.do(SubmitDossier(world.id))


# --- review cycle --------------------------------------------------------------------------


def test_a_returned_dossier_is_corrected_resubmitted_accepted_and_forwarded() -> None:
    world = World()
    world.open()
    world.fill()
    world.do(SubmitDossier(world.id))
    finding = ReviewFinding(document_kind="bao_cao_thanh_tich", set_number=1,
                            note="Thiếu chữ ký của Thủ trưởng đơn vị")
    returned = world.do(ReviewDossier(world.id, Verdict.RETURN, (finding,)), OFFICE)
    assert returned.status is Status.RETURNED and returned.findings == (finding,)
    world.attach("bao_cao_thanh_tich", data=word("Báo cáo đã ký"), filename="Mẫu 08.docx")
    world.do(SubmitDossier(world.id))
    accepted = world.do(ReviewDossier(world.id, Verdict.ACCEPT, note="Hợp lệ"), OFFICE)
    assert (accepted.status, accepted.findings, accepted.review_note) == (
        Status.ACCEPTED, (), "Hợp lệ")
    forwarded = world.do(ForwardDossier(world.id), OFFICE)
    assert (forwarded.status, forwarded.forwarded_by, forwarded.version) == (
        Status.FORWARDED, "office:VP", 9)
    assert [e.sequence for e in world.events] == list(range(1, 10))


def test_actions_in_the_wrong_state_are_refused_and_duplicates_are_named() -> None:
    world = World()
    world.open()
    with refused(RefusalKind.WRONG_STATE, "wrong_state"):
        world.do(ReviewDossier(world.id, Verdict.ACCEPT), OFFICE)
    with refused(RefusalKind.WRONG_STATE, "not_accepted"):
        world.do(ForwardDossier(world.id), OFFICE)
    world.fill()
    world.do(SubmitDossier(world.id))
    with refused(RefusalKind.DUPLICATE, "already_submitted"):
        world.do(SubmitDossier(world.id))
    with refused(RefusalKind.WRONG_STATE, "wrong_state"):
        world.attach("bien_ban_hop_xet", data=pdf("late change"))
    with refused(RefusalKind.INVALID, "findings_required"):
        world.do(ReviewDossier(world.id, Verdict.RETURN), OFFICE)
    world.do(ReviewDossier(world.id, Verdict.ACCEPT), OFFICE)
    world.do(ForwardDossier(world.id), OFFICE)
    with refused(RefusalKind.DUPLICATE, "already_forwarded"):
        world.do(ForwardDossier(world.id), OFFICE)


def test_a_finding_about_a_document_the_dossier_does_not_need_is_refused() -> None:
    world = World()
    world.open()
    world.fill()
    world.do(SubmitDossier(world.id))
    wrong = ReviewFinding(document_kind="to_trinh", note="Thiếu tờ trình")
    with refused(RefusalKind.INVALID, "unknown_document_kind"):
        world.do(ReviewDossier(world.id, Verdict.RETURN, (wrong,)), OFFICE)


def test_a_stale_expected_version_is_a_conflict() -> None:
    world = World()
    world.open()
    world.attach("bien_ban_hop_xet")
    with refused(RefusalKind.CONFLICT, "version_conflict"):
        world.do(SubmitDossier(world.id, expected_version=1))


@pytest.mark.parametrize(("who", "command", "reason"), [
    (KCHT, "attach", "not_your_dossier"),
    (KCHT, "submit", "not_your_dossier"),
    (OFFICE, "attach", "role_not_allowed"),
    (OFFICE, "submit", "role_not_allowed"),
    (QLVT, "review", "role_not_allowed"),
    (QLVT, "forward", "role_not_allowed"),
    (COUNCIL, "review", "role_not_allowed"),
    (COUNCIL, "forward", "role_not_allowed"),
])
def test_who_may_act_on_a_dossier(who: Principal, command: str, reason: str) -> None:
    world = World()
    world.open()
    commands: dict[str, Command] = {
        "attach": AttachDocument(world.id, 1, "bien_ban_hop_xet",
                                 inspect_document("a.pdf", pdf(), 10_000)),
        "submit": SubmitDossier(world.id),
        "review": ReviewDossier(world.id, Verdict.ACCEPT),
        "forward": ForwardDossier(world.id),
    }
    with refused(RefusalKind.FORBIDDEN, reason):
        world.do(commands[command], who)


def test_a_missing_dossier_is_not_found() -> None:
    with refused(RefusalKind.NOT_FOUND, "dossier_not_found"):
        decisions.submit_dossier(SubmitDossier(uuid.uuid4()), None, World().ctx(QLVT))


# --- events --------------------------------------------------------------------------------


def test_the_state_is_the_fold_of_the_events_as_they_travel_as_json() -> None:
    world = World()
    world.open(BANG_KHEN, "individual", OFFICER)
    world.fill()
    world.do(SubmitDossier(world.id))
    travelled = [dossier_event_adapter.validate_json(e.model_dump_json()) for e in world.events]
    assert [e.model_dump_json() for e in travelled] == [e.model_dump_json() for e in world.events]
    assert Dossier.from_history(travelled) == world.dossier


def test_events_carry_the_time_of_the_injected_clock_in_utc() -> None:
    world = World()
    world.now = datetime.fromisoformat("2024-12-31T22:30:00+07:00")
    dossier = world.open()
    assert world.events[0].occurred_at.isoformat() == "2024-12-31T15:30:00+00:00"
    assert dossier.opened_at == world.now
