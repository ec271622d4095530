"""CSV files people open in Excel: UTF-8 with a byte-order mark (without it Excel reads the
Vietnamese as mojibake), Vietnamese headers, figures as numerator, denominator and rate."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

BOM = "\ufeff"


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return (BOM + buffer.getvalue()).encode("utf-8")


def with_bom(data: bytes) -> bytes:
    """A CSV a service produced, made sure to start with the byte-order mark."""
    return data if data.startswith(BOM.encode("utf-8")) else BOM.encode("utf-8") + data
