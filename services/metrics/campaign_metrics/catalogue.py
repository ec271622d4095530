"""The procedure catalogue (danh mục TTHC): which procedures each unit handles, whether they are
online public services and whether they carry fees. Loaded from the CSV of the national TTHC
database: `MaTTHC,TenTTHC,DonVi,MucDoDVC,CoPhiLePhi`. Its version is the hash of its content,
so a figure names exactly the catalogue it was computed from."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from campaign_contracts.text import nfc

COLUMNS = ["MaTTHC", "TenTTHC", "DonVi", "MucDoDVC", "CoPhiLePhi"]
ONLINE_LEVELS = {"toan_trinh", "mot_phan"}
LEVELS = ONLINE_LEVELS | {"khong"}


class CatalogueError(ValueError):
    pass


@dataclass(frozen=True)
class CatalogueEntry:
    procedure_code: str
    procedure_name: str
    unit_code: str
    online_level: str  # toan_trinh, mot_phan or khong
    has_fees: bool

    @property
    def is_online_service(self) -> bool:
        return self.online_level in ONLINE_LEVELS


@dataclass(frozen=True)
class Catalogue:
    version: str
    entries: tuple[CatalogueEntry, ...]

    def has_fees(self, procedure_code: str) -> bool:
        return any(e.has_fees for e in self.entries if e.procedure_code == procedure_code)

    def knows(self, unit_code: str, procedure_code: str) -> bool:
        return any(
            e.unit_code == unit_code and e.procedure_code == procedure_code for e in self.entries
        )


def parse_catalogue(content: bytes) -> Catalogue:
    """Parse the CSV; a bad row raises CatalogueError naming its line."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogueError(f"catalogue is not UTF-8: {exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != COLUMNS:
        raise CatalogueError(f"catalogue header must be {','.join(COLUMNS)}, got {reader.fieldnames}")
    entries = []
    for line, row in enumerate(reader, start=2):
        level = (row["MucDoDVC"] or "").strip()
        fees = (row["CoPhiLePhi"] or "").strip()
        if not row["MaTTHC"] or not row["DonVi"]:
            raise CatalogueError(f"line {line}: MaTTHC and DonVi are required")
        if level not in LEVELS:
            raise CatalogueError(f"line {line}: MucDoDVC must be one of {sorted(LEVELS)}, got {level!r}")
        if fees not in {"0", "1"}:
            raise CatalogueError(f"line {line}: CoPhiLePhi must be 0 or 1, got {fees!r}")
        entries.append(CatalogueEntry(
            procedure_code=nfc(row["MaTTHC"].strip()),
            procedure_name=nfc((row["TenTTHC"] or "").strip()),
            unit_code=nfc(row["DonVi"].strip()),
            online_level=level,
            has_fees=fees == "1",
        ))
    version = hashlib.sha256(content).hexdigest()[:12]
    return Catalogue(version=version, entries=tuple(entries))


def load_catalogue(path: Path) -> Catalogue:
    return parse_catalogue(path.read_bytes())
