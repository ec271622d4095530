"""What an uploaded document really is (kiểm tra tệp đính kèm): recognised by its content, not by
its name. A name that claims another type than the content is refused as disguised, so a ZIP
renamed to .pdf never reaches the Office as a "PDF". Beyond the first bytes, a PDF must open as
a PDF (pypdf) without scripts, launch actions or embedded files, and a DOCX must be a Word
package without macros or programs inside: a file that only starts like one is refused.

The content is read from a seekable file (uploads are streamed to disk, never held whole in
memory) or from bytes."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, BinaryIO, Protocol

import pypdf
from pypdf.errors import PyPdfError

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


Content = bytes | BinaryIO


class UploadedContent(Protocol):
    """Content already on disk (the blob store's staging area), opened to be read, never loaded
    whole."""

    def open(self) -> BinaryIO: ...


def _stream(data: Content) -> BinaryIO:
    if isinstance(data, bytes | bytearray):
        return io.BytesIO(data)
    data.seek(0)
    return data


def _head(data: Content, size: int = 8) -> bytes:
    stream = _stream(data)
    head = stream.read(size)
    stream.seek(0)
    return head


# Parts of an OPC package that run code: macros (VBA), ActiveX controls, embedded programs.
_ACTIVE_PARTS = re.compile(r"(^|/)(vbaProject\.bin|vbaData\.xml|activeX\d*\.(xml|bin))$|"
                           r"\.(exe|dll|js|jse|vbs|vbe|wsf|bat|cmd|com|scr|ps1|msi|jar|hta|cpl)$",
                           re.IGNORECASE)
_MACRO_TYPES = (b"macroEnabled", b"vbaProject", b"activeX", b"application/x-msdownload")
MAX_UNPACKED_BYTES = 512 * 1024 * 1024  # a ZIP bomb unpacks to far more than any report


class _NotADocument(Exception):
    """The content starts like an accepted type but is not a sound one; says why, in Vietnamese."""


def _is_docx(stream: BinaryIO) -> bool:
    """A Word document is a ZIP (OPC package) with a content-types part and a main document."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())  # reads the directory only: nothing is inflated
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    finally:
        stream.seek(0)
    return "[Content_Types].xml" in names and "word/document.xml" in names


def _docx_problem(stream: BinaryIO) -> str | None:
    """None for a Word package without active content; else what is wrong with it."""
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
            active = sorted(e.filename for e in entries if _ACTIVE_PARTS.search(e.filename))
            if active:
                return f"tài liệu Word chứa macro hay chương trình ({', '.join(active[:3])})"
            if sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
                return "tệp nén bung ra quá lớn"
            types = archive.read("[Content_Types].xml")
            if any(marker.lower() in types.lower() for marker in _MACRO_TYPES):
                return "tài liệu Word có macro (kiểu nội dung macroEnabled)"
            archive.read("word/document.xml")  # inflates and checks the CRC of the main part
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, KeyError):
        return "tệp ZIP hỏng"
    return None


# PDF features that run or carry something beyond the pages.
_PDF_ACTIVE = ("/JavaScript", "/JS", "/Launch", "/EmbeddedFiles", "/OpenAction", "/AA")
_PROGRAM_MARKERS = (b"This program cannot be run in DOS mode", b"\x7fELF\x02\x01\x01")


def _contains(stream: BinaryIO, markers: tuple[bytes, ...]) -> bool:
    """Whether any marker occurs in the content, read in slices (never whole)."""
    overlap = max(len(m) for m in markers) - 1
    stream.seek(0)
    tail = b""
    while block := stream.read(1 << 20):
        window = tail + block
        if any(m in window for m in markers):
            return True
        tail = window[-overlap:]
    return False


def _pdf_problem(stream: BinaryIO) -> str | None:
    """None for a PDF that opens, has pages and no active content; else what is wrong."""
    if _contains(stream, _PROGRAM_MARKERS):
        return "PDF có chương trình (EXE) gắn bên trong"
    stream.seek(0)
    quiet = logging.getLogger("pypdf")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # pypdf warns about every repair it makes
    try:
        reader = pypdf.PdfReader(stream, strict=False)  # real scans need its repairs
        if len(reader.pages) < 1:
            return "PDF không có trang nào"
        root: Any = reader.trailer["/Root"].get_object()
        names: Any = root.get("/Names")
        keys = set(root.keys()) | (set(names.get_object().keys()) if names else set())
        active = sorted(k for k in keys if k in _PDF_ACTIVE)
        if active:
            return f"PDF có mã chạy hay tệp gắn kèm ({', '.join(active)})"
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError,
            RecursionError):
        return "tệp không mở được như PDF"
    finally:
        quiet.setLevel(level)
        stream.seek(0)
    return None


def sniff(data: Content) -> ContentType | None:
    """The accepted type the content starts as (its signature), or None."""
    head = _head(data)
    if head.startswith(_PDF):
        return ContentType.PDF
    if head.startswith(_PNG):
        return ContentType.PNG
    if head.startswith(_JPEG):
        return ContentType.JPEG
    if head.startswith(_ZIP) and _is_docx(_stream(data)):
        return ContentType.DOCX
    return None


def _check_deeply(found: ContentType, data: Content) -> None:
    stream = _stream(data)
    problem = (_pdf_problem(stream) if found is ContentType.PDF
               else _docx_problem(stream) if found is ContentType.DOCX else None)
    stream.seek(0)
    if problem is not None:
        raise _NotADocument(problem)


def describe(data: Content) -> str:
    """What the content looks like, for a refusal message."""
    found = sniff(data)
    if found is not None:
        return LABELS[found]
    head = _head(data)
    if head.startswith(_ZIP):
        return "ZIP (không phải tài liệu Word)"
    if head.startswith(b"MZ"):
        return "chương trình Windows (EXE)"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
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
    data: bytes | UploadedContent  # an upload stays on disk until the blob store keeps it


def too_large(size_bytes: int, max_bytes: int) -> Refusal:
    return Refusal(
        RefusalKind.TOO_LARGE, "file_too_large",
        f"Tệp lớn quá giới hạn {max_bytes:,} byte (đã nhận ít nhất {size_bytes:,} byte)."
        .replace(",", "."),
    )


def _fingerprint(data: Content) -> tuple[str, int]:
    if isinstance(data, bytes | bytearray):
        return hashlib.sha256(data).hexdigest(), len(data)
    digest, size = hashlib.sha256(), 0
    data.seek(0)
    while block := data.read(1 << 20):
        digest.update(block)
        size += len(block)
    data.seek(0)
    return digest.hexdigest(), size


def inspect_document(filename: str, data: Content, max_bytes: int,
                     keep: UploadedContent | None = None) -> DocumentFile:
    """Check an upload: size, then content against the accepted types and against its name,
    then that it really is a sound document of that type. `data` is bytes or a seekable file;
    `keep` is what the document carries to the blob store instead of bytes (the staged file)."""
    name = clean_filename(filename)
    sha256, size = _fingerprint(data)
    if size > max_bytes:
        raise too_large(size, max_bytes)
    if not size:
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
    try:
        _check_deeply(found, data)
    except _NotADocument as problem:
        raise Refusal(
            RefusalKind.INVALID, "disguised_file",
            f"Tệp '{name}' mang tên {LABELS[found]} nhưng không phải {LABELS[found]} hợp lệ: "
            f"{problem}.",
        ) from None
    kept: bytes | UploadedContent
    if keep is not None:
        kept = keep
    elif isinstance(data, bytes | bytearray):
        kept = bytes(data)
    else:
        raise ValueError("a document read from a file needs the file to keep")
    return DocumentFile(name, found, sha256, size, kept)
