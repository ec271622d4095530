"""Uploaded documents are recognised by their content, not their name, and kept once under
their SHA-256 in the blob store."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path
from typing import BinaryIO

import pytest

from campaign_dossiers.blobs import BlobCorrupted, BlobNotFound, LocalBlobStore
from campaign_dossiers.domain.documents import ContentType, inspect_document, sniff
from campaign_dossiers.domain.errors import Refusal, RefusalKind
from tests.dossiers.builders import jpeg, pdf, plain_zip, png, word

LIMIT = 1_000_000


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("Biên bản họp xét.pdf", pdf(), ContentType.PDF),
    ("Báo cáo thành tích.DOCX", word(), ContentType.DOCX),
    ("scan.png", png(), ContentType.PNG),
    ("scan.jpg", jpeg(), ContentType.JPEG),
    ("scan.jpeg", jpeg(), ContentType.JPEG),
])
def test_accepted_types_are_recognised_and_fingerprinted(
    name: str, data: bytes, expected: ContentType
) -> None:
    document = inspect_document(name, data, LIMIT)
    assert document.content_type is expected
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.size_bytes == len(data)


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("to-trinh.pdf", plain_zip(), "disguised_file"),       # a ZIP dressed as a PDF
    ("bao-cao.docx", plain_zip(), "disguised_file"),       # a ZIP that is not a Word document
    ("bao-cao.docx", pdf(), "disguised_file"),             # a PDF named .docx
    ("anh.png", jpeg(), "disguised_file"),
    ("bien-ban.pdf", b"MZ\x90\x00" + b"\x00" * 60, "disguised_file"),  # a program
    ("bien-ban.exe", pdf(), "disguised_file"),             # a PDF with a strange name
    ("ghi-chu.txt", "chỉ là văn bản".encode(), "unsupported_file"),
    ("bao-cao.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "unsupported_file"),
    ("rong.pdf", b"", "empty_file"),
    ("../", pdf(), "bad_filename"),
    ("  ", pdf(), "bad_filename"),
])
def test_a_disguised_unsupported_or_empty_file_is_refused(
    name: str, data: bytes, reason: str
) -> None:
    with pytest.raises(Refusal) as caught:
        inspect_document(name, data, LIMIT)
    assert (caught.value.kind, caught.value.reason) == (RefusalKind.INVALID, reason)


def test_the_message_says_what_the_content_really_is() -> None:
    with pytest.raises(Refusal) as caught:
        inspect_document("to-trinh.pdf", plain_zip(), LIMIT)
    assert caught.value.message == (
        "Tệp 'to-trinh.pdf' mang tên PDF nhưng nội dung là ZIP (không phải tài liệu Word); "
        "chỉ nhận PDF, DOCX hay ảnh PNG/JPEG."
    )


def test_a_file_over_the_limit_is_too_large() -> None:
    data = pdf() + b"\x00" * LIMIT
    with pytest.raises(Refusal) as caught:
        inspect_document("big.pdf", data, LIMIT)
    assert (caught.value.kind, caught.value.reason) == (RefusalKind.TOO_LARGE, "file_too_large")
    assert inspect_document("exact.pdf", data[:LIMIT], LIMIT).size_bytes == LIMIT


def test_folders_in_a_name_are_dropped_and_the_name_is_nfc() -> None:
    document = inspect_document("C:\\Users\\vp\\Bie\u0302n ba\u0309n.pdf", pdf(), LIMIT)
    assert document.filename == "Biên bản.pdf"
    assert inspect_document("/tmp/x/../a.pdf", pdf(), LIMIT).filename == "a.pdf"


def test_sniffing_reads_content_only() -> None:
    assert sniff(word()) is ContentType.DOCX
    assert sniff(plain_zip()) is None
    assert sniff(b"%PDF") is None  # too short to be the signature


def test_the_same_content_is_stored_once_under_its_hash(tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path / "blobs")
    data = pdf("Báo cáo")
    first = blobs.put(data)
    again = blobs.put(data)
    assert first.created and not again.created
    assert first.sha256 == again.sha256 == hashlib.sha256(data).hexdigest()
    files = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert files == [blobs.path(first.sha256)]  # no temporary file left behind
    assert blobs.get(first.sha256) == data and blobs.exists(first.sha256)


def test_a_missing_or_altered_blob_is_reported(tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path)
    stored = blobs.put(pdf())
    with pytest.raises(BlobNotFound):
        blobs.get("0" * 64)
    with pytest.raises(BlobNotFound):
        blobs.get("../../etc/passwd")
    assert not blobs.exists("../x")
    path = blobs.path(stored.sha256)
    os.chmod(path, 0o644)
    path.write_bytes(b"%PDF-tampered")
    with pytest.raises(BlobCorrupted):
        blobs.get(stored.sha256)


def windows_program() -> bytes:
    """The start of a Windows executable: MZ header and the DOS stub's message."""
    return b"MZ\x90\x00" + b"\x00" * 60 + b"\x0e\x1f\xba\x0e\x00\xb4\t\xcd!" \
        b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 4000


def word_with(extra: dict[str, bytes], content_types: bytes | None = None) -> bytes:
    """A real Word document with parts added (or its content types replaced)."""
    source = zipfile.ZipFile(io.BytesIO(word()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml" and content_types is not None:
                data = content_types
            archive.writestr(item, data)
        for name, data in extra.items():
            archive.writestr(name, data)
    return out.getvalue()


def pdf_with_javascript() -> bytes:
    data = pdf()
    return data.replace(b"<< /Type /Catalog /Pages 2 0 R >>",
                        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript "
                        b"/JS (app.alert(1)) >> >>".ljust(34))


@pytest.mark.parametrize(("name", "data", "says"), [
    # The two disguised files of the issue: each starts like the type its name claims.
    ("bien-ban.pdf", b"%PDF-1.7\n" + windows_program(), "chương trình"),
    ("bao-cao.docx", word_with({"payload.exe": windows_program()}), "payload.exe"),
    # and their relatives
    ("bao-cao.docx", word_with({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 64}),
     "vbaProject.bin"),
    ("bao-cao.docx", word_with({}, content_types=(
        b'<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType='
        b'"application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>')), "macro"),
    ("bao-cao.docx", word_with({"word/loader.js": b"WScript.Shell"}), "loader.js"),
    ("bien-ban.pdf", pdf() + windows_program(), "chương trình"),
    ("bien-ban.pdf", b"%PDF-1.4\n" + b"\x00" * 5000, "không mở được"),
])
def test_a_file_that_only_starts_like_a_document_is_refused(
    name: str, data: bytes, says: str
) -> None:
    with pytest.raises(Refusal) as caught:
        inspect_document(name, data, 10 * LIMIT)
    assert (caught.value.kind, caught.value.reason) == (RefusalKind.INVALID, "disguised_file")
    assert says in caught.value.message, caught.value.message


def test_a_pdf_that_runs_a_script_is_refused() -> None:
    with pytest.raises(Refusal) as caught:
        inspect_document("bien-ban.pdf", pdf_with_javascript(), LIMIT)
    assert "mã chạy" in caught.value.message, caught.value.message


def test_a_document_is_checked_from_a_file_as_from_bytes(tmp_path: Path) -> None:
    path = tmp_path / "upload"
    path.write_bytes(word())
    with path.open("rb") as stream:
        document = inspect_document("Báo cáo.docx", stream, LIMIT, keep=_Kept(path))
    assert document.content_type is ContentType.DOCX
    assert document.sha256 == hashlib.sha256(word()).hexdigest()
    assert isinstance(document.data, _Kept)


class _Kept:
    def __init__(self, path: Path) -> None:
        self.path = path

    def open(self) -> BinaryIO:
        return self.path.open("rb")
