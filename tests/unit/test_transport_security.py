"""Transport security from settings: a real TLS gRPC call (mutual TLS) against a throwaway CA
made here with openssl, SSL/SASL for the Kafka clients, and secrets read from files."""

from __future__ import annotations

import ssl
from pathlib import Path

import grpc
import pytest
from faststream.kafka import KafkaBroker
from faststream.security import SASLScram512
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client import CollectorRegistry
from sqlalchemy import MetaData

from campaign_kit.db import Database
from campaign_kit.runtime import ServiceRuntime
from campaign_kit.settings import ServiceSettings, load_settings
from campaign_kit.tls import kafka_admin_options, kafka_security
from devkit.pki import make_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_pki(tmp_path_factory.mktemp("pki"))


def runtime(settings: ServiceSettings) -> ServiceRuntime:
    return ServiceRuntime(
        name="probe", title="probe", settings=settings, broker=KafkaBroker("127.0.0.1:1"),
        db=Database("sqlite://", MetaData()), registry=CollectorRegistry(), topics=[],
    )


async def health_over(channel: grpc.aio.Channel) -> int:
    answer = await health_pb2_grpc.HealthStub(channel).Check(
        health_pb2.HealthCheckRequest(service=""), timeout=5
    )
    return int(answer.status)


async def test_a_real_grpc_call_over_mutual_tls(pki: Path) -> None:
    settings = ServiceSettings(
        grpc_port=0, metrics_port=0, grpc_tls_cert_file=pki / "server.crt",
        grpc_tls_key_file=pki / "server.key", grpc_tls_client_ca_file=pki / "ca.crt",
    )
    service = runtime(settings)
    await service.start_grpc()
    address = f"127.0.0.1:{service.grpc_port}"
    ca = (pki / "ca.crt").read_bytes()
    try:
        with_certificate = grpc.ssl_channel_credentials(
            root_certificates=ca, private_key=(pki / "client.key").read_bytes(),
            certificate_chain=(pki / "client.crt").read_bytes(),
        )
        async with grpc.aio.secure_channel(address, with_certificate) as channel:
            assert await health_over(channel) == health_pb2.HealthCheckResponse.NOT_SERVING
        without_certificate = grpc.ssl_channel_credentials(root_certificates=ca)
        async with grpc.aio.secure_channel(address, without_certificate) as channel:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await health_over(channel)
            assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        async with grpc.aio.insecure_channel(address) as channel:
            with pytest.raises(grpc.aio.AioRpcError):
                await health_over(channel)
    finally:
        assert service._grpc is not None
        await service._grpc.stop(None)


def test_kafka_sasl_ssl_with_the_password_from_a_file(
    pki: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "kafka-password"
    secret.write_text("s3cr3t-from-a-file\n")
    for name, value in {"GRPC_PORT": "0", "METRICS_PORT": "0",
                        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
                        "KAFKA_SASL_USERNAME": "metrics",
                        "KAFKA_SASL_PASSWORD_FILE": str(secret),
                        "KAFKA_SSL_CA_FILE": str(pki / "ca.crt")}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("KAFKA_SASL_PASSWORD", raising=False)
    settings = load_settings(ServiceSettings)
    assert settings.kafka_sasl_password.get_secret_value() == "s3cr3t-from-a-file"
    security = kafka_security(settings)
    assert isinstance(security, SASLScram512) and security.use_ssl
    assert isinstance(security.ssl_context, ssl.SSLContext)
    assert security.ssl_context.verify_mode == ssl.CERT_REQUIRED
    trusted = [c["subject"] for c in security.ssl_context.get_ca_certs()]
    assert trusted == [((("commonName", "throwaway test CA"),),)]  # the private CA alone
    admin = kafka_admin_options(settings)
    assert admin["security_protocol"] == "SASL_SSL"
    assert admin["sasl_plain_password"] == "s3cr3t-from-a-file"


def test_a_missing_secret_file_is_one_configuration_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRPC_PORT", "0")
    monkeypatch.setenv("METRICS_PORT", "0")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD_FILE", str(tmp_path / "absent"))
    with pytest.raises(SystemExit) as stopped:
        load_settings(ServiceSettings)
    assert stopped.value.code == 2
    assert capsys.readouterr().err.startswith("configuration error: KAFKA_SASL_PASSWORD_FILE")


def test_plaintext_by_default() -> None:
    settings = ServiceSettings(grpc_port=0, metrics_port=0)
    assert kafka_security(settings) is None and kafka_admin_options(settings) == {}
