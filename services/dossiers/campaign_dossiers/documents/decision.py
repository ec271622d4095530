"""Drafts the award decision (Quyết định khen thưởng) as a DOCX from the Council's recorded
decisions sharing one number, in the layout of Nghị định 30/2020/NĐ-CP (Phụ lục I, quyết định
cá biệt): heading with number and date, title and subject, the authority, the legal bases, the
articles, "Nơi nhận" and the signature, then the annex listing the collectives and individuals
with their achievements. Revoked decisions are left out before this module sees them."""

from __future__ import annotations

from dataclasses import dataclass

from docx.shared import Pt

from campaign_contracts.campaign_file import Campaign, DecisionIssuer
from campaign_contracts.events import AwardDecided, CandidateEvidence
from campaign_contracts.text import nfc
from campaign_dossiers.documents.layout import (
    MOTTO,
    NATION,
    TEXT_WIDTH_CM,
    DocxWriter,
    Line,
    cell_text,
)
from campaign_dossiers.documents.wording import (
    ascii_slug,
    campaign_phrase,
    count,
    date_line,
    full_name,
    percent,
    title_lines,
)
from campaign_dossiers.domain.errors import Refusal, RefusalKind

ANNEX_WIDTHS_CM = (1.2, 6.3, 8.5)
SUBJECT_RULE_CM = 3.0


@dataclass(frozen=True)
class Awarded:
    """One line of the annex: who, and what they achieved."""

    name: str
    achievement: str


def achievement(campaign: Campaign, evidence: CandidateEvidence | None) -> str:
    """'Đã có thành tích xuất sắc trong …: tỷ lệ … đạt 47,20% (118/250 hồ sơ)'; without the
    figures when there is no evidence (and on a certificate, which cites no figures)."""
    text = f"Đã có thành tích xuất sắc trong {campaign_phrase(campaign)}"
    if evidence is None or not evidence.figures:
        return text + "."
    parts = []
    for figure in evidence.figures:
        if figure.figure.rate is None:
            continue
        try:
            rule = campaign.indicator(figure.indicator)
        except KeyError:
            rule = None
        name = full_name(rule, figure.indicator_name or figure.indicator)
        unit = f" {figure.counted_unit}" if figure.counted_unit else ""
        parts.append(f"{name[0].lower()}{name[1:]} đạt {percent(figure.figure.rate)} "
                     f"({count(figure.figure.numerator)}/{count(figure.figure.denominator)}"
                     f"{unit})")
    return f"{text}: {'; '.join(parts)}." if parts else text + "."


def awarded_name(campaign: Campaign, decided: AwardDecided) -> str:
    unit = campaign.unit(decided.unit_code)
    if decided.nominee_kind == "collective":
        return unit.name if unit else decided.nominee_name
    name = decided.nominee_name or decided.nominee_code.partition("/")[2]
    officer = campaign.officer(name, decided.unit_code)
    parts = [name]
    if officer is not None and officer.title:
        parts.append(officer.title)
    if unit is not None:
        parts.append(unit.name)
    return ", ".join(parts)


def signer_name(issuer: DecisionIssuer, signer: str) -> str:
    """The signer's name as the decision records it, without the title the block prints."""
    text = signer.strip()
    for prefix in (issuer.authority, f"{issuer.signer_title} Sở", issuer.signer_title):
        if text.casefold().startswith(prefix.casefold()):
            return text[len(prefix):].strip(" ,:")
    return text


def issuer_of(campaign: Campaign, decisions: list[AwardDecided]) -> DecisionIssuer:
    documents = campaign.documents
    issuers = {d.award_type for d in decisions}
    if documents is None or not issuers <= set(documents.decision_issuers):
        raise Refusal(RefusalKind.INVALID, "issuer_not_configured",
                      "Tệp cấu hình đợt thi đua chưa ghi cơ quan ban hành quyết định cho hình "
                      "thức khen thưởng này (mục documents.decision_issuers).")
    chosen = {documents.decision_issuers[a].body for a in issuers}
    if len(chosen) != 1:
        raise Refusal(RefusalKind.INVALID, "mixed_issuers",
                      "Các quyết định cùng số hiệu lại thuộc thẩm quyền của các cơ quan khác "
                      "nhau; kiểm tra lại số quyết định.")
    return documents.decision_issuers[sorted(issuers)[0]]


def draft_decision(campaign: Campaign, decisions: list[AwardDecided]) -> bytes:
    """The DOCX of the decision numbered as `decisions` are (all in force, at least one)."""
    assert decisions and campaign.documents is not None
    issuer = issuer_of(campaign, decisions)
    first = decisions[0]
    number, day = first.decision_number, first.decision_date
    phrase = campaign_phrase(campaign)
    w = DocxWriter()
    core = w.doc.core_properties
    core.title = nfc(f"Quyết định số {number} về việc khen thưởng")
    core.author = core.last_modified_by = issuer.authority
    core.language = "vi-VN"

    left = [Line(issuer.superior_body.upper(), size=12)] if issuer.superior_body else []
    left.append(Line(issuer.body.upper(), bold=True, size=12))
    w.heading(left, [Line(NATION, bold=True, size=12), Line(MOTTO, bold=True, size=13)],
              left_rule=True, left_after_rule=[Line(f"Số: {number}")],
              right_after_rule=[Line(date_line(campaign.documents.place, day, day.year),
                                     italic=True)])
    w.para()
    w.para("QUYẾT ĐỊNH", bold=True, center=True, size=14, after=0)
    w.para(f"Về việc khen thưởng tập thể, cá nhân có thành tích xuất sắc trong {phrase}",
           bold=True, center=True, size=14, after=0)
    rule_table = w.table(1, (TEXT_WIDTH_CM,))
    w.rule(rule_table.rows[0].cells[0], SUBJECT_RULE_CM, TEXT_WIDTH_CM)
    w.para(issuer.authority.upper(), bold=True, center=True, size=14)

    bases = [*issuer.competence, *campaign.documents.legal_bases]
    for basis in bases:
        w.para(f"Căn cứ {basis};", italic=True, justify=True, indent_cm=1.0)
    w.para(f"Theo đề nghị của {issuer.proposer}.", italic=True, justify=True, indent_cm=1.0)
    w.para("QUYẾT ĐỊNH:", bold=True, center=True, size=14)

    grouped: dict[str, list[AwardDecided]] = {}
    for decided in decisions:
        grouped.setdefault(decided.award_type, []).append(decided)
    grants = []
    for award_type, group in grouped.items():
        title = campaign.documents.decision_issuers[award_type].award_title
        collectives = sum(1 for d in group if d.nominee_kind == "collective")
        individuals = len(group) - collectives
        who = [f"{n:02d} {label}" for n, label in ((collectives, "tập thể"),
                                                    (individuals, "cá nhân")) if n]
        grants.append(f"Tặng {title} cho {' và '.join(who)}")
    _article(w, 1, f"{'; '.join(grants)} (có danh sách kèm theo) đã có thành tích xuất sắc "
                   f"trong {phrase}.")
    _article(w, 2, "Quyết định này có hiệu lực kể từ ngày ký.")
    _article(w, 3, f"{issuer.executors} chịu trách nhiệm thi hành Quyết định này./.")

    w.para()
    table = w.table(1, (7.0, 9.0))
    recipients, signature = table.rows[0].cells
    _recipients(w, recipients, issuer)
    w.signature(signature, [issuer.signer_title.upper()], "",
                signer_name(issuer, first.signer) or None)

    for award_type, group in grouped.items():
        _annex(w, campaign, award_type, group, number, day.strftime("%d/%m/%Y"), issuer)
    return w.bytes()


def _article(w: DocxWriter, number: int, text: str) -> None:
    paragraph = w.para(justify=True, indent_cm=1.0)
    w.run(paragraph, f"Điều {number}. ", bold=True)
    w.run(paragraph, text)


def _recipients(w: DocxWriter, cell: object, issuer: DecisionIssuer) -> None:
    from docx.table import _Cell

    assert isinstance(cell, _Cell)
    first = cell.paragraphs[0]
    w.run(first, "Nơi nhận:", bold=True, italic=True, size=12)
    entries = ["Như Điều 3", *issuer.recipients]
    for number, entry in enumerate(entries):
        end = "." if number == len(entries) - 1 else ";"
        paragraph = w.para(f"- {entry}{end}", size=11, where=cell, after=0)
        paragraph.paragraph_format.space_after = 0


def _annex(w: DocxWriter, campaign: Campaign, award_type: str, group: list[AwardDecided],
           number: str, day: str, issuer: DecisionIssuer) -> None:
    assert campaign.documents is not None
    title = campaign.documents.decision_issuers[award_type].award_title
    w.page_break()
    w.para("DANH SÁCH", bold=True, center=True, size=14, after=0)
    w.para(title_lines(f"Tập thể, cá nhân được tặng {title}"), bold=True, center=True,
           size=14, after=0)
    w.para(f"(Kèm theo Quyết định số {number} ngày {day} của {issuer.authority})",
           italic=True, center=True)
    rule_table = w.table(1, (TEXT_WIDTH_CM,))
    w.rule(rule_table.rows[0].cells[0], SUBJECT_RULE_CM, TEXT_WIDTH_CM)
    parts = (("collective", "TẬP THỂ", "Tên tập thể"),
             ("individual", "CÁ NHÂN", "Họ và tên, chức vụ, đơn vị công tác"))
    numeral = 0
    for kind, heading, column in parts:
        chosen = [d for d in group if d.nominee_kind == kind]
        if not chosen:
            continue
        numeral += 1
        part = w.para(f"{'I' * numeral}. {heading} ({count(len(chosen))} {heading.lower()})",
                      bold=True)
        part.paragraph_format.space_before = Pt(9)
        rows = [Awarded(awarded_name(campaign, d), achievement(campaign, d.evidence))
                for d in chosen]
        table = w.table(1 + len(rows), ANNEX_WIDTHS_CM, grid=True)
        for c, text in enumerate(("STT", column, "Thành tích đạt được")):
            cell_text(w, table.cell(0, c), text, bold=True, center=True)
        for r, row in enumerate(rows, start=1):
            cell_text(w, table.cell(r, 0), str(r), center=True)
            cell_text(w, table.cell(r, 1), row.name)
            cell_text(w, table.cell(r, 2), row.achievement)


def decision_filename(number: str) -> str:
    """'125/QĐ-SGTVT' -> 'QuyetDinh_125_QD_SGTVT.docx'."""
    return f"QuyetDinh_{ascii_slug(number)}.docx"
