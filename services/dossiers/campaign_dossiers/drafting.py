"""Drafting the documents people sign, on request: who may ask for what, which recorded facts
the document is drawn from, and the refusals in Vietnamese. The gRPC layer only translates."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from campaign_contracts.campaign_file import Campaign
from campaign_dossiers import awards_view
from campaign_dossiers.clock import Clock
from campaign_dossiers.documents.basis import basis_and_standing
from campaign_dossiers.documents.certificate import (
    certificate_filename,
    certificate_text,
    load_template,
    print_certificate,
)
from campaign_dossiers.documents.decision import decision_filename, draft_decision
from campaign_dossiers.documents.form08 import Nominee, draft_form08, report_filename
from campaign_dossiers.domain.access import Action, Principal, Role, require, require_on_dossier
from campaign_dossiers.domain.eligibility import permit_draft
from campaign_dossiers.domain.errors import Refusal, RefusalKind
from campaign_dossiers.domain.nominees import Nomination, check_nomination, nominee_kind
from campaign_kit.db import Database

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"

@dataclass(frozen=True)
class Drafted:
    filename: str
    content_type: str
    content: bytes
    as_of: datetime | None = None


class Drafting:
    def __init__(self, db: Database, campaign: Campaign, clock: Clock,
                 certificate_template: Path | None) -> None:
        self.db = db
        self.campaign = campaign
        self.clock = clock
        self.certificate_template = certificate_template

    def _nomination_for(self, principal: Principal, kind_text: str, award_type: str,
                        nominee_code: str) -> Nomination:
        kind = nominee_kind(kind_text)
        if principal.role is Role.UNIT:
            assert principal.unit_code is not None
            return check_nomination(self.campaign, principal.unit_code, award_type, kind,
                                    nominee_code)
        # The Office drafts for any nominee: find the nominee's unit in the campaign file.
        if kind == "collective":
            unit_code = nominee_code
        else:
            units = [o.unit_code for o in self.campaign.officers if o.name == nominee_code]
            if len(units) != 1:
                raise Refusal(RefusalKind.INVALID, "unknown_nominee",
                              f"Không xác định được cán bộ '{nominee_code}' trong đợt thi đua.")
            unit_code = units[0]
        return check_nomination(self.campaign, unit_code, award_type, kind, nominee_code)

    def achievement_report(self, principal: Principal, kind: str, award_type: str,
                           nominee_code: str, *, mark_not_qualified: bool) -> Drafted:
        require(principal, Action.DRAFT_REPORT)
        nomination = self._nomination_for(principal, kind, award_type, nominee_code)
        award = self.campaign.award(nomination.award_type)
        unit = self.campaign.unit(nomination.unit_code)
        assert award is not None and unit is not None  # check_nomination saw to both
        officer = (None if nomination.nominee_kind == "collective"
                   else self.campaign.officer(nomination.nominee_code, unit.code))
        nominee = Nominee(nomination, unit, officer)
        with self.db.begin() as connection:
            basis, standing = basis_and_standing(connection, self.campaign, award, nominee)
        permission = permit_draft(principal, standing, nominee.display_name, award.name,
                                  not_qualified_requested=mark_not_qualified)
        docx = draft_form08(self.campaign, award, nominee, basis, self.clock.now(),
                            shortfall=permission.shortfall)
        return Drafted(report_filename(award, nominee), DOCX, docx, basis.as_of)

    def award_decision(self, principal: Principal, decision_number: str) -> Drafted:
        require(principal, Action.DRAFT_DECISION)
        number = decision_number.strip()
        if not number:
            raise Refusal(RefusalKind.INVALID, "bad_decision_number",
                          "Nhập số quyết định, ví dụ 125/QĐ-SGTVT.")
        with self.db.begin() as connection:
            recorded = awards_view.decisions_numbered(connection, number)
        in_force = [r.decision for r in recorded if r.in_force]
        if not in_force:
            reason = ("mọi quyết định mang số này đã bị thu hồi" if recorded
                      else "Hội đồng chưa ghi nhận quyết định nào mang số này")
            raise Refusal(RefusalKind.NOT_FOUND, "decision_not_found",
                          f"Không soạn được Quyết định số {number}: {reason}.")
        dates = {d.decision_date for d in in_force}
        if len(dates) != 1:
            raise Refusal(RefusalKind.INVALID, "mixed_decision_dates",
                          f"Các khen thưởng ghi cùng Quyết định số {number} lại có ngày khác "
                          f"nhau; kiểm tra lại ngày ký.")
        return Drafted(decision_filename(number), DOCX, draft_decision(self.campaign, in_force))

    def certificate(self, principal: Principal, decision_id_text: str) -> Drafted:
        require(principal, Action.DRAFT_CERTIFICATE)
        try:
            decision_id = uuid.UUID(decision_id_text)
        except ValueError:
            raise Refusal(RefusalKind.INVALID, "bad_decision_id",
                          f"Mã quyết định '{decision_id_text}' không hợp lệ.") from None
        with self.db.begin() as connection:
            recorded = awards_view.decision(connection, decision_id)
        if recorded is None:
            raise Refusal(RefusalKind.NOT_FOUND, "decision_not_found",
                          "Hội đồng chưa ghi nhận quyết định khen thưởng này.")
        decided = recorded.decision
        require_on_dossier(principal, Action.DRAFT_CERTIFICATE, decided.unit_code, True)
        if not recorded.in_force:
            raise Refusal(RefusalKind.WRONG_STATE, "decision_revoked",
                          f"Quyết định số {decided.decision_number} đối với "
                          f"{decided.nominee_name} đã bị thu hồi ({recorded.revoked_reason}); "
                          f"không in giấy khen, bằng khen.")
        if self.certificate_template is None:
            raise Refusal(RefusalKind.INVALID, "certificate_template_missing",
                          "Tệp cấu hình đợt thi đua chưa chỉ mẫu giấy khen, bằng khen "
                          "(documents.certificate_template).")
        template = load_template(self.certificate_template)
        pdf = print_certificate(template, certificate_text(self.campaign, template, decided))
        return Drafted(certificate_filename(decided), PDF, pdf)
