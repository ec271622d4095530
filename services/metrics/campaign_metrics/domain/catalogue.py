"""The procedure catalogue (danh mục TTHC): which procedures each unit handles, whether they are
online public services (DVC trực tuyến) and whether they carry fees. Loaded from the CSV of the
national TTHC database, `MaTTHC,TenTTHC,DonVi,MucDoDVC,CoPhiLePhi`, and recorded as a
CatalogueLoaded event. Its version is a hash of its entries, so a figure names exactly the
catalogue it was computed from, and loading the same catalogue twice changes nothing."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from campaign_contracts.events import CatalogueEntry, CatalogueLoaded
from campaign_metrics import SERVICE

COLUMNS = ["MaTTHC", "TenTTHC", "DonVi", "MucDoDVC", "CoPhiLePhi"]
ONLINE_LEVELS = frozenset({"toan_trinh", "mot_phan"})
LEVELS = ONLINE_LEVELS | {"khong"}

# Why a dossier's (unit, procedure) is not in the catalogue; the listing shows it.
UNKNOWN_UNIT = "unit_not_in_catalogue"
UNKNOWN_PROCEDURE = "procedure_not_in_catalogue"
NOT_OF_UNIT = "procedure_not_handled_by_unit"


class CatalogueError(ValueError):
    """A catalogue that cannot be loaded: a Vietnamese message naming the line, and a stable
    English `reason` for programs."""

    def __init__(self, message: str, reason: str = "bad_catalogue") -> None:
        super().__init__(message)
        self.reason = reason


def catalogue_version(entries: Iterable[CatalogueEntry]) -> str:
    """Hash of the entries in a canonical order: the same rows give the same version whatever
    their order, line endings or byte-order mark."""
    canonical = sorted(
        (e.procedure_code, e.unit_code, e.procedure_name, e.online_level, e.has_fees)
        for e in entries
    )
    text = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Catalogue:
    version: str
    entries: tuple[CatalogueEntry, ...]
    # Lookups the projection asks for every record, computed once.
    fee_procedures: frozenset[str] = field(init=False, repr=False)
    online_procedures: frozenset[str] = field(init=False, repr=False)
    online_by_unit: Mapping[str, frozenset[str]] = field(init=False, repr=False)
    pairs: frozenset[tuple[str, str]] = field(init=False, repr=False)
    units: frozenset[str] = field(init=False, repr=False)
    procedures: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        online: dict[str, set[str]] = defaultdict(set)
        for entry in self.entries:
            if entry.online_level in ONLINE_LEVELS:
                online[entry.unit_code].add(entry.procedure_code)
        derived = {
            # A procedure carries fees when the catalogue says so for it (the fee is a property
            # of the procedure; rows per unit repeat it).
            "fee_procedures": frozenset(e.procedure_code for e in self.entries if e.has_fees),
            "online_procedures": frozenset(p for ps in online.values() for p in ps),
            "online_by_unit": {unit: frozenset(ps) for unit, ps in online.items()},
            "pairs": frozenset((e.unit_code, e.procedure_code) for e in self.entries),
            "units": frozenset(e.unit_code for e in self.entries),
            "procedures": frozenset(e.procedure_code for e in self.entries),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    @classmethod
    def of(cls, entries: Iterable[CatalogueEntry]) -> Catalogue:
        rows = tuple(entries)
        return cls(version=catalogue_version(rows), entries=rows)

    def has_fees(self, procedure_code: str) -> bool:
        return procedure_code in self.fee_procedures

    def knows(self, unit_code: str, procedure_code: str) -> bool:
        return (unit_code, procedure_code) in self.pairs

    def unknown_reason(self, unit_code: str, procedure_code: str) -> str | None:
        """None when the catalogue lists the procedure for that unit."""
        if (unit_code, procedure_code) in self.pairs:
            return None
        if unit_code not in self.units:
            return UNKNOWN_UNIT
        if procedure_code not in self.procedures:
            return UNKNOWN_PROCEDURE
        return NOT_OF_UNIT

    def online_services(self, unit_code: str) -> frozenset[str]:
        """The unit's online public services (DVC trực tuyến toàn trình or một phần)."""
        return self.online_by_unit.get(unit_code, frozenset())

    def to_event(self, source: str) -> CatalogueLoaded:
        return CatalogueLoaded(producer=SERVICE, version=self.version, source=source,
                               entries=list(self.entries))

    @classmethod
    def from_event(cls, event: CatalogueLoaded) -> Catalogue:
        catalogue = cls.of(event.entries)
        if catalogue.version != event.version:
            raise CatalogueError(
                f"sự kiện danh mục ghi phiên bản {event.version}, nhưng các dòng của nó cho "
                f"mã băm {catalogue.version}", "catalogue_version_mismatch"
            )
        return catalogue


def parse_catalogue(content: bytes) -> Catalogue:
    """Parse the CSV; a bad row raises CatalogueError naming its line."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogueError(f"tệp danh mục không phải UTF-8: {exc}",
                             "catalogue_not_utf8") from None
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != COLUMNS:
        raise CatalogueError(
            f"dòng tiêu đề của danh mục phải là {','.join(COLUMNS)}, nhưng là "
            f"{','.join(reader.fieldnames or [])}", "catalogue_bad_header"
        )
    entries: list[CatalogueEntry] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in enumerate(reader, start=2):
        if None in row or any(value is None for value in row.values()):
            raise CatalogueError(f"dòng {line}: cần đúng {len(COLUMNS)} cột",
                                 "catalogue_bad_row")
        level = row["MucDoDVC"].strip()
        fees = row["CoPhiLePhi"].strip()
        if not row["MaTTHC"].strip() or not row["DonVi"].strip():
            raise CatalogueError(f"dòng {line}: thiếu MaTTHC hoặc DonVi", "catalogue_bad_row")
        if level not in LEVELS:
            raise CatalogueError(
                f"dòng {line}: MucDoDVC phải là một trong {', '.join(sorted(LEVELS))}, "
                f"không phải {level!r}", "catalogue_bad_row"
            )
        if fees not in {"0", "1"}:
            raise CatalogueError(f"dòng {line}: CoPhiLePhi phải là 0 hoặc 1, không phải {fees!r}",
                                 "catalogue_bad_row")
        try:
            entry = CatalogueEntry(
                procedure_code=row["MaTTHC"].strip(), procedure_name=row["TenTTHC"].strip(),
                unit_code=row["DonVi"].strip(), online_level=level,  # type: ignore[arg-type]
                has_fees=fees == "1",
            )
        except ValidationError as exc:  # pragma: no cover - the checks above cover the fields
            raise CatalogueError(f"dòng {line}: {exc.errors()[0]['msg']}",
                                 "catalogue_bad_row") from None
        pair = (entry.unit_code, entry.procedure_code)
        if pair in seen:
            raise CatalogueError(
                f"dòng {line}: {entry.procedure_code} của {entry.unit_code} lặp lại dòng "
                f"{seen[pair]}", "catalogue_duplicate_row"
            )
        seen[pair] = line
        entries.append(entry)
    return Catalogue.of(entries)


def load_catalogue(path: Path) -> Catalogue:
    return parse_catalogue(path.read_bytes())
