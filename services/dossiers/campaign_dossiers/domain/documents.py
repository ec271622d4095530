"""What an uploaded document really is (kiểm tra tệp đính kèm): recognised by its first bytes,
not by its name. A name that claims another type than the content is refused as disguised, so a
ZIP renamed to .pdf never reaches the Office as a "PDF"."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath, PureWindowsPath

from campaign_contracts.text import nfc
from campaign_dossiers.domain.errors import Refusal, RefusalKind

MAX_FILENAME_CHARS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ContentType(StrEnum):
    PDF = "application/pdf"
    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    PNG = "image/png"
    JPEG = "image/jpeg"


LABELS: dict[ContentType, str] = {
    ContentType.PDF: "PDF", ContentType.DOCX: "DOCX", ContentType.PNG: "PNG",
    ContentType.JPEG: "JPEG",
}
EXTENSIONS: dict[str, ContentType] = {
    ".pdf": ContentType.PDF, ".docx": ContentType.DOCX, ".png": ContentType.PNG,
    ".jpg": ContentType.JPEG, ".jpeg": ContentType.JPEG,
}

_PDF = b"%PDF-"
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")


def _is_docx(data: bytes) -> bool:
    """A Word document is a ZIP (OPC package) with a content-types part and a main document."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())  # reads the directory only: nothing is inflated
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def sniff(data: bytes) -> ContentType | None:
    """The accepted type the content is, or None."""
    if data.startswith(_PDF):
        return ContentType.PDF
    if data.startswith(_PNG):
        return ContentType.PNG
    if data.startswith(_JPEG):
        return ContentType.JPEG
    if data.startswith(_ZIP) and _is_docx(data):
        return ContentType.DOCX
    return None


def describe(data: bytes) -> str:
    """What the content looks like, for a refusal message."""
    found = sniff(data)
    if found is not None:
        return LABELS[found]
    if data.startswith(_ZIP):
        return "ZIP (không phải tài liệu Word)"
    if data.startswith(b"MZ"):
        return "chương trình Windows (EXE)"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "tài liệu Office cũ (DOC/XLS)"
    return "không xác định"


def clean_filename(raw: str) -> str:
    """The file's own name (no folders, no control characters), NFC."""
    name = PureWindowsPath(PurePosixPath(raw.strip()).name).name.strip()
    name = nfc(_CONTROL.sub("", name))
    if not name or name in {".", ".."}:
        raise Refusal(RefusalKind.INVALID, "bad_filename", "Thiếu tên tệp.")
    if len(name) > MAX_FILENAME_CHARS:
        raise Refusal(RefusalKind.INVALID, "bad_filename",
                      f"Tên tệp dài quá {MAX_FILENAME_CHARS} ký tự.")
    return name


@dataclass(frozen=True)
class DocumentFile:
    """An uploaded file that passed the checks, with its fingerprint."""

    filename: str
    content_type: ContentType
    sha256: str
    size_bytes: int
    data: bytes


def too_large(size_bytes: int, max_bytes: int) -> Refusal:
    return Refusal(
        RefusalKind.TOO_LARGE, "file_too_large",
        f"Tệp lớn quá giới hạn {max_bytes:,} byte (đã nhận ít nhất {size_bytes:,} byte)."
        .replace(",", "."),
    )


def inspect_document(filename: str, data: bytes, max_bytes: int) -> DocumentFile:
    """Check an upload: size, then content against the accepted types and against its name."""
    name = clean_filename(filename)
    if len(data) > max_bytes:
        raise too_large(len(data), max_bytes)
    if not data:
        raise Refusal(RefusalKind.INVALID, "empty_file", f"Tệp '{name}' rỗng.")
    found = sniff(data)
    suffix = PurePosixPath(name).suffix.lower()
    claimed = EXTENSIONS.get(suffix)
    if found is None and claimed is None:
        raise Refusal(
            RefusalKind.INVALID, "unsupported_file",
            f"Tệp '{name}' không phải PDF, DOCX hay ảnh PNG/JPEG (nội dung: {describe(data)}).",
        )
    if found is None or claimed is not found:
        said = LABELS[claimed] if claimed else f"đuôi '{suffix or '(không có)'}'"
        real = describe(data)
        advice = (
            f"; hãy đặt đúng đuôi tệp ({', '.join(e for e, t in EXTENSIONS.items() if t is found)})"
            if found else "; chỉ nhận PDF, DOCX hay ảnh PNG/JPEG"
        )
        raise Refusal(
            RefusalKind.INVALID, "disguised_file",
            f"Tệp '{name}' mang tên {said} nhưng nội dung là {real}{advice}.",
        )
    return DocumentFile(name, found, hashlib.sha256(data).hexdigest(), len(data), data)
