"""Uploads over the real gRPC API: written to disk as they arrive (never held whole in memory),
at most a bounded number at once (RESOURCE_EXHAUSTED with a Vietnamese message beyond it), and
parsed for real, so the two disguised files of the issue are refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from campaign.dossiers.v1 import dossiers_pb2 as pb
from campaign_dossiers.grpc_api import MAX_CONCURRENT_UPLOADS
from campaign_kit.grpc_errors import reason_of
from tests.dossiers.api import Api, caller_metadata, refusal_reason, start, stop, upload
from tests.dossiers.builders import GIAY_KHEN, pdf
from tests.dossiers.harness import Harness
from tests.dossiers.test_documents import windows_program, word_with


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    harness = Harness(f"sqlite:///{tmp_path / 'dossiers.db'}", tmp_path / "blobs",
                      max_document_bytes=8 * 1024 * 1024)
    running = await start(harness)
    yield running
    await stop(running)
    harness.dispose()


async def opened(api: Api) -> str:
    dossier = await api.call("OpenDossier", pb.OpenDossierRequest(
        award_type=GIAY_KHEN, nominee_kind="collective"), "qlvt")
    return str(dossier.dossier_id)


@pytest.mark.parametrize(("filename", "data"), [
    ("Biên bản họp xét.pdf", b"%PDF-1.7\n" + windows_program()),
    ("Báo cáo thành tích.docx", word_with({"payload.exe": windows_program()})),
])
async def test_the_disguised_files_of_the_issue_are_refused_over_grpc(
    api: Api, filename: str, data: bytes
) -> None:
    dossier_id = await opened(api)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await api.call("AttachDocument", upload(dossier_id, "bien_ban_hop_xet", filename, data),
                       "qlvt")
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert refusal_reason(refused.value) == "disguised_file"
    staging = api.harness.blobs.root / ".staging"
    assert not any(staging.iterdir())  # the refused upload left nothing behind


async def test_uploads_stream_to_disk_and_beyond_the_bound_are_refused(api: Api) -> None:
    dossier_id = await opened(api)
    first_chunk = 256 * 1024
    release = asyncio.Event()
    content = pdf("Biên bản") + b"\n%" + b"0" * (3 * first_chunk)  # a PDF with trailing bytes

    async def slow_upload(n: int) -> pb.Dossier:
        parts = upload(dossier_id, "bien_ban_hop_xet", f"bien-ban-{n}.pdf", content)

        async def stream() -> AsyncIterator[pb.AttachDocumentRequest]:
            yield parts[0]
            yield parts[1]
            await release.wait()  # the client holds its upload open
            for part in parts[2:]:
                yield part

        call = api.stub.AttachDocument(stream(), metadata=caller_metadata("qlvt"))
        answer: pb.Dossier = await call
        return answer

    holding = [asyncio.create_task(slow_upload(n)) for n in range(MAX_CONCURRENT_UPLOADS)]
    staging = api.harness.blobs.root / ".staging"
    for _ in range(200):
        staged = list(staging.glob(".upload-*")) if staging.exists() else []
        if len(staged) == MAX_CONCURRENT_UPLOADS and all(
                p.stat().st_size >= first_chunk for p in staged):
            break
        await asyncio.sleep(0.05)
    # Each upload in progress is a file on disk that holds what arrived so far.
    assert len(staged) == MAX_CONCURRENT_UPLOADS
    assert all(p.stat().st_size >= first_chunk for p in staged)

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await api.call("AttachDocument", upload(dossier_id, "to_trinh", "to-trinh.pdf", pdf()),
                       "qlvt")
    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert reason_of(refused.value) == "too_many_uploads"
    assert "quá nhiều tệp cùng lúc" in (refused.value.details() or "")

    release.set()
    answers = await asyncio.gather(*holding, return_exceptions=True)
    accepted = [a for a in answers if isinstance(a, pb.Dossier)]
    assert accepted, answers  # the held uploads complete once the client goes on
    assert not list(staging.glob(".upload-*"))  # moved into the store or removed
    again = await api.call("AttachDocument", upload(dossier_id, "bien_ban_hop_xet",
                                                    "bien-ban-sau.pdf", pdf("Sau")), "qlvt")
    assert any(d.filename == "bien-ban-sau.pdf" for d in again.documents)
