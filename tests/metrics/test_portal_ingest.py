"""The gRPC way in, without a broker: which portal a token names, and what Ingest puts where —
accepted records on the inbound topic as sent (key MaHoSo), rejected ones on the dead-letter
topic and back to the caller, counted by reason."""

from __future__ import annotations

import asyncio
import json
import unicodedata
from collections.abc import AsyncIterator
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from campaign_metrics.adapters.ingest import PortalIngest
from campaign_metrics.adapters.portal_auth import PortalTokenError, PortalTokens, bearer_token
from campaign_metrics.adapters.telemetry import MetricsTelemetry
from campaign_metrics.settings import MetricsSettings
from tests.support.records import encode, portal_record


def test_tokens_name_their_portal() -> None:
    tokens = PortalTokens.parse("cong-dvc:s3cret, mot-cua-qlvt : t0ken\n# a comment\n")
    assert tokens.portal_for("s3cret") == "cong-dvc"
    assert tokens.portal_for("t0ken") == "mot-cua-qlvt"
    assert tokens.portal_for("s3cre") is None and tokens.portal_for(None) is None
    assert tokens.portals == ["cong-dvc", "mot-cua-qlvt"]


@pytest.mark.parametrize(("text", "message"), [
    ("portal-without-token", "expected name:token"),
    ("a:t0k3n-one,a:t0k3n-two", "listed twice"),
    ("a:t0k3n-one,b:t0k3n-one", "share a token"),
])
def test_a_bad_token_list_is_refused_without_showing_tokens(text: str, message: str) -> None:
    with pytest.raises(PortalTokenError, match=message) as raised:
        PortalTokens.parse(text)
    assert "t0k3n" not in str(raised.value)


def test_a_bad_token_setting_stops_the_service() -> None:
    with pytest.raises(ValidationError, match="portal_tokens"):
        MetricsSettings(portal_tokens="oops")


def test_the_token_comes_from_the_authorization_metadata() -> None:
    assert bearer_token([("authorization", "Bearer abc")]) == "abc"
    assert bearer_token([("Authorization", b"bearer  xyz ")]) == "xyz"
    assert bearer_token([("x-portal-token", "t1")]) == "t1"
    assert bearer_token([("authorization", "Basic abc")]) is None
    assert bearer_token([]) is None


def _done() -> asyncio.Future[Any]:
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    future.set_result(None)
    return future


class FakeProducer:
    """Dead letters one by one, inbound records through a batcher per stream."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes | None]] = []

    async def send(self, topic: str, value: bytes, key: bytes | None) -> asyncio.Future[Any]:
        self.sent.append((topic, value, key))
        return _done()

    def inbound(self) -> FakeProducer.Batches:
        return FakeProducer.Batches(self)

    class Batches:
        def __init__(self, producer: FakeProducer) -> None:
            self.producer = producer

        async def start(self) -> None:
            pass

        async def add(self, key: bytes, value: bytes) -> list[asyncio.Future[Any]]:
            self.producer.sent.append(("inbound", value, key))
            return [_done()]

        async def close(self) -> list[asyncio.Future[Any]]:
            return []


async def _stream(*values: bytes) -> AsyncIterator[list[bytes]]:
    for value in values:
        yield [value]


async def test_ingest_puts_accepted_records_on_the_log_and_answers_the_rejected() -> None:
    producer = FakeProducer()
    telemetry = MetricsTelemetry(CollectorRegistry())
    ingest = PortalIngest(producer.send, producer.inbound, "dlq", telemetry)
    decomposed = unicodedata.normalize("NFD", "HỒ-SƠ-1")
    good = encode(portal_record(decomposed, paid=1))
    result = await ingest.ingest("cong-dvc", _stream(
        good, b'{"MaHoSo": "H2", "KenhThucHien": 2}', b"not json",
        encode(portal_record("H4", received="2024-07-01")),
    ))
    assert (result.received, result.accepted) == (4, 1)
    assert [(r.index, r.dossier_code, r.reason) for r in result.rejected] == [
        (1, "H2", "missing_field"), (2, "", "invalid_json"), (3, "H4", "bad_time")]
    inbound = [(value, key) for topic, value, key in producer.sent if topic == "inbound"]
    # As sent, byte for byte; the key is MaHoSo as validated (NFC), so one dossier keeps one
    # partition whatever form the portal used.
    assert inbound == [(good, "HỒ-SƠ-1".encode())]
    dead = [json.loads(value) for topic, value, _ in producer.sent if topic == "dlq"]
    assert [(d["reason"], d["source"], d["key"]) for d in dead] == [
        ("missing_field", "grpc:cong-dvc#1", "H2"), ("invalid_json", "grpc:cong-dvc#2", None),
        ("bad_time", "grpc:cong-dvc#3", "H4")]
    assert telemetry.rejected.labels("bad_time")._value.get() == 1  # type: ignore[attr-defined]


async def test_a_broker_that_refuses_fails_the_call() -> None:
    async def refusing(topic: str, value: bytes, key: bytes | None) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        future.set_exception(RuntimeError("broker down"))
        return future

    ingest = PortalIngest(refusing, FakeProducer().inbound, "dlq",
                          MetricsTelemetry(CollectorRegistry()))
    with pytest.raises(RuntimeError, match="broker down"):
        await ingest.ingest("cong-dvc", _stream(b"not json"))
