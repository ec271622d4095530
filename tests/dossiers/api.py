"""An in-process gRPC server of the dossiers API over the harness, and a client that calls it
as a given caller."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any, cast

import grpc

from campaign.dossiers.v1 import dossiers_pb2, dossiers_pb2_grpc
from tests.dossiers.builders import TOKENS
from tests.dossiers.harness import Harness

CHUNK = 256 * 1024


def caller_metadata(caller: str) -> tuple[tuple[str, str], ...]:
    """Metadata for a caller: a configured one, "none" (no token) or "bogus" (unknown token)."""
    if caller == "none":
        return ()
    token = TOKENS.get(caller, "not-a-configured-token-000")
    return (("authorization", f"Bearer {token}"),)


def upload(dossier_id: str, kind: str, filename: str, data: bytes, set_number: int = 1,
           expected_version: int = 0) -> list[dossiers_pb2.AttachDocumentRequest]:
    header = dossiers_pb2.DocumentHeader(
        dossier_id=dossier_id, set_number=set_number, document_kind=kind, filename=filename,
        expected_version=expected_version,
    )
    parts = [dossiers_pb2.AttachDocumentRequest(header=header)]
    parts += [dossiers_pb2.AttachDocumentRequest(chunk=data[i:i + CHUNK])
              for i in range(0, len(data), CHUNK)]
    return parts


@dataclass
class Api:
    harness: Harness
    server: grpc.aio.Server
    channel: grpc.aio.Channel
    stub: Any  # dossiers_pb2_grpc.DossiersServiceStub (the generated stub is untyped)

    async def call(self, method: str, request: Any, caller: str) -> Any:
        """A unary or client-streaming call; a streamed request is a list of parts."""
        rpc = getattr(self.stub, method)
        if isinstance(request, list):
            return await rpc(_stream(request), metadata=caller_metadata(caller))
        return await rpc(request, metadata=caller_metadata(caller))

    async def download(self, dossier_id: str, sha256: str, caller: str) -> bytes:
        request = dossiers_pb2.DownloadDocumentRequest(dossier_id=dossier_id, sha256=sha256)
        call = self.stub.DownloadDocument(request, metadata=caller_metadata(caller))
        return b"".join([part.chunk async for part in call])

    async def outcome(self, method: str, request: Any, caller: str) -> str:
        """'OK' or the status code's name."""
        try:
            if method == "DownloadDocument":
                await self.download(request.dossier_id, request.sha256, caller)
            else:
                await self.call(method, request, caller)
        except grpc.aio.AioRpcError as error:
            return error.code().name
        return "OK"


async def _stream(parts: Iterable[Any]) -> AsyncIterator[Any]:
    for part in parts:
        yield part


async def start(harness: Harness) -> Api:
    server = grpc.aio.server()
    dossiers_pb2_grpc.add_DossiersServiceServicer_to_server(harness.parts.servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    return Api(harness, server, channel, dossiers_pb2_grpc.DossiersServiceStub(channel))


async def stop(api: Api) -> None:
    await api.channel.close(grace=None)
    await api.server.stop(grace=None)


def refusal_reason(error: grpc.aio.AioRpcError) -> str:
    # At run time aio metadata iterates as (key, value) pairs, whatever grpc-stubs says.
    pairs = cast(Iterable[tuple[str, Any]], error.trailing_metadata() or ())
    return next((str(value) for key, value in pairs if key == "refusal-reason"), "")
