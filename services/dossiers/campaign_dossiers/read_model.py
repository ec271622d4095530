"""The read model: each dossier's current state as rows, written by the projection and read
by the queries. Rows map to and from the same `Dossier` the commands decide on."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from campaign_contracts.events import ReviewFinding
from campaign_dossiers.domain.dossier import AttachedDocument, Dossier, Status
from campaign_dossiers.domain.nominees import NOMINEE_KINDS
from campaign_dossiers.domain.requirements import Slot
from campaign_dossiers.store import dossier_documents, dossiers
from campaign_kit.db import as_utc, upsert


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def write(connection: Connection, dossier: Dossier) -> None:
    """Store the dossier's state in place of what was there."""
    upsert(connection, dossiers, {
        "dossier_id": str(dossier.dossier_id), "campaign_id": dossier.campaign_id,
        "campaign_version": dossier.campaign_version, "unit_code": dossier.unit_code,
        "award_type": dossier.award_type, "nominee_kind": dossier.nominee_kind,
        "nominee_code": dossier.nominee_code, "status": dossier.status.value,
        "version": dossier.version, "opened_at": dossier.opened_at,
        "opened_by": dossier.opened_by, "submitted_at": dossier.submitted_at,
        "submitted_by": dossier.submitted_by, "reviewed_at": dossier.reviewed_at,
        "reviewed_by": dossier.reviewed_by,
        "findings": json.dumps([f.model_dump(mode="json") for f in dossier.findings],
                               ensure_ascii=False),
        "review_note": dossier.review_note, "forwarded_at": dossier.forwarded_at,
        "forwarded_by": dossier.forwarded_by, "updated_at": dossier.updated_at,
    }, ["dossier_id"])
    connection.execute(
        delete(dossier_documents).where(dossier_documents.c.dossier_id == str(dossier.dossier_id))
    )
    if dossier.documents:
        connection.execute(insert(dossier_documents), [{
            "dossier_id": str(dossier.dossier_id), "set_number": d.slot.set_number,
            "document_kind": d.slot.document_kind, "filename": d.filename,
            "content_type": d.content_type, "sha256": d.sha256, "size_bytes": d.size_bytes,
            "uploaded_by": d.uploaded_by, "attached_at": d.attached_at,
        } for d in dossier.documents])


def version_of(connection: Connection, dossier_id: uuid.UUID) -> int | None:
    return connection.execute(
        select(dossiers.c.version).where(dossiers.c.dossier_id == str(dossier_id))
    ).scalar_one_or_none()


def _document(row: Any) -> AttachedDocument:
    return AttachedDocument(
        slot=Slot(row.set_number, row.document_kind), filename=row.filename,
        content_type=row.content_type, sha256=row.sha256, size_bytes=row.size_bytes,
        uploaded_by=row.uploaded_by, attached_at=as_utc(row.attached_at),
    )


def _dossier(row: Any, documents: list[AttachedDocument]) -> Dossier:
    return Dossier(
        dossier_id=uuid.UUID(row.dossier_id), campaign_id=row.campaign_id,
        campaign_version=row.campaign_version, unit_code=row.unit_code,
        award_type=row.award_type, nominee_kind=NOMINEE_KINDS[row.nominee_kind],
        nominee_code=row.nominee_code, opened_at=as_utc(row.opened_at),
        opened_by=row.opened_by, updated_at=as_utc(row.updated_at), version=row.version,
        status=Status(row.status), documents=tuple(sorted(documents, key=lambda d: d.slot)),
        submitted_at=_utc(row.submitted_at), submitted_by=row.submitted_by,
        reviewed_at=_utc(row.reviewed_at), reviewed_by=row.reviewed_by,
        findings=tuple(ReviewFinding.model_validate(f) for f in json.loads(row.findings)),
        review_note=row.review_note, forwarded_at=_utc(row.forwarded_at),
        forwarded_by=row.forwarded_by,
    )


def get(connection: Connection, dossier_id: uuid.UUID) -> Dossier | None:
    row = connection.execute(
        select(dossiers).where(dossiers.c.dossier_id == str(dossier_id))
    ).one_or_none()
    if row is None:
        return None
    documents = connection.execute(
        select(dossier_documents).where(dossier_documents.c.dossier_id == str(dossier_id))
    ).all()
    return _dossier(row, [_document(d) for d in documents])


def find(
    connection: Connection, campaign_id: str, *, unit_code: str | None = None,
    status: Status | None = None, award_type: str | None = None,
    statuses: frozenset[Status] | None = None,
) -> list[Dossier]:
    """Dossiers of a campaign matching every filter given, oldest first."""
    c = dossiers.c
    query = select(dossiers).where(c.campaign_id == campaign_id)
    if unit_code:
        query = query.where(c.unit_code == unit_code)
    if status is not None:
        query = query.where(c.status == status.value)
    if statuses is not None:
        query = query.where(c.status.in_([s.value for s in statuses]))
    if award_type:
        query = query.where(c.award_type == award_type)
    rows = connection.execute(query.order_by(c.opened_at, c.dossier_id)).all()
    if not rows:
        return []
    by_dossier: dict[str, list[AttachedDocument]] = {r.dossier_id: [] for r in rows}
    for d in connection.execute(select(dossier_documents).where(
        dossier_documents.c.dossier_id.in_(list(by_dossier))
    )):
        by_dossier[d.dossier_id].append(_document(d))
    return [_dossier(r, by_dossier[r.dossier_id]) for r in rows]
