"""Kafka over TLS against a real broker: a throwaway CA (openssl) signs the broker's certificate,
the broker listens with mutual TLS (SSL, client certificate required) and with SASL_SSL (SCRAM
users made at format, a PLAIN user in its JAAS line), and the dossiers service runs as a process
on each: it creates its topics through the admin client, consumes indicator figures through its
tracked subscriber and publishes a dossier event through its outbox, all with the settings
alone. A wrong CA, a missing client certificate or a wrong password stop it with one line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, KafkaProducer

from campaign.dossiers.v1 import dossiers_pb2 as pb
from campaign.dossiers.v1 import dossiers_pb2_grpc
from campaign_contracts.topics import DOSSIER_EVENTS, INDICATORS, prefixed
from campaign_kit.settings import ServiceSettings
from campaign_kit.tls import kafka_admin_options
from devkit.infra import KafkaBroker, free_port, free_port_pair
from devkit.pki import make_ca, make_pki, pem_keystore
from devkit.processes import ServiceProcess
from tests.dossiers.api import caller_metadata
from tests.dossiers.builders import ACCESS_TOKENS, GIAY_KHEN, k_update
from tests.dossiers.test_over_the_broker import wait_for

pytestmark = [pytest.mark.kafka]

SCRAM_PASSWORD = "scram-secret-ở-đây"
PLAIN_PASSWORD = "plain-secret"


@dataclass
class SecureBroker:
    pki: Path
    plaintext: int
    ssl: int
    sasl_ssl: int


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    work = tmp_path_factory.mktemp("kafka-tls")
    pki = make_pki(work / "pki")
    keystore = pem_keystore("server", pki)
    port, ssl_port, sasl_port = free_port_pair(), free_port(), free_port()
    listeners = (f"PLAINTEXT://127.0.0.1:{port},SSL://127.0.0.1:{ssl_port},"
                 f"SASL_SSL://127.0.0.1:{sasl_port}")
    properties = work / "tls.properties"
    properties.write_text(
        f"listeners={listeners},CONTROLLER://127.0.0.1:{port + 1}\n"
        f"advertised.listeners={listeners}\n"
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL,"
        "SASL_SSL:SASL_SSL\n"
        # Kafka 4 reads a PEM keystore (key and chain in one file) and a PEM truststore.
        f"ssl.keystore.type=PEM\nssl.keystore.location={keystore}\n"
        f"ssl.truststore.type=PEM\nssl.truststore.location={pki / 'ca.crt'}\n"
        "listener.name.ssl.ssl.client.auth=required\n"
        "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512\n"
        "listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain."
        f'PlainLoginModule required user_campaign="{PLAIN_PASSWORD}";\n'
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common."
        "security.scram.ScramLoginModule required;\n",
        encoding="utf-8",
    )
    broker = KafkaBroker(
        port, work / "kafka", extra_properties=properties,
        format_args=f"--add-scram SCRAM-SHA-512=[name=campaign,password={SCRAM_PASSWORD}]",
    )
    broker.start()
    try:
        yield SecureBroker(pki, port, ssl_port, sasl_port)
    finally:
        broker.reset()


def security_env(broker: SecureBroker, how: str, tmp_path: Path) -> dict[str, str]:
    """The service's settings for one way of connecting (`how`)."""
    ca = str(broker.pki / "ca.crt")
    if how == "mutual-tls":
        return {"KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{broker.ssl}",
                "KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SSL_CA_FILE": ca,
                "KAFKA_SSL_CERT_FILE": str(broker.pki / "client.crt"),
                "KAFKA_SSL_KEY_FILE": str(broker.pki / "client.key")}
    mechanism, password = {"scram": ("SCRAM-SHA-512", SCRAM_PASSWORD),
                           "plain": ("PLAIN", PLAIN_PASSWORD)}[how]
    secret = tmp_path / "kafka-password"
    secret.write_text(password + "\n", encoding="utf-8")
    return {"KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{broker.sasl_ssl}",
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SSL_CA_FILE": ca,
            "KAFKA_SASL_MECHANISM": mechanism, "KAFKA_SASL_USERNAME": "campaign",
            "KAFKA_SASL_PASSWORD_FILE": str(secret)}


def client_options(env: dict[str, str]) -> dict[str, Any]:
    """kafka-python options from the same settings (the test's producer and reader)."""
    secret = env.get("KAFKA_SASL_PASSWORD_FILE")
    settings = ServiceSettings(
        grpc_port=0, metrics_port=0, kafka_security_protocol=env["KAFKA_SECURITY_PROTOCOL"],
        kafka_ssl_ca_file=env["KAFKA_SSL_CA_FILE"],
        kafka_ssl_cert_file=env.get("KAFKA_SSL_CERT_FILE"),
        kafka_ssl_key_file=env.get("KAFKA_SSL_KEY_FILE"),
        kafka_sasl_mechanism=env.get("KAFKA_SASL_MECHANISM", "PLAIN"),
        kafka_sasl_username=env.get("KAFKA_SASL_USERNAME", ""),
        kafka_sasl_password=Path(secret).read_text().strip() if secret else "",
    )
    return {"bootstrap_servers": env["KAFKA_BOOTSTRAP_SERVERS"], **kafka_admin_options(settings)}


def start_dossiers(env: dict[str, str], prefix: str, tmp_path: Path) -> ServiceProcess:
    process = ServiceProcess("dossiers", {
        **env, "TOPIC_PREFIX": prefix, "CONSUMER_GROUP": f"{prefix}-dossiers",
        "DATA_DIR": str(tmp_path / "data"), "BLOB_DIR": str(tmp_path / "blobs"),
        "ACCESS_TOKENS": ACCESS_TOKENS, "KAFKA_CONNECT_TIMEOUT_S": "10",
    }, tmp_path / "dossiers.log")
    process.start()
    return process


@pytest.mark.parametrize("how", ["mutual-tls", "scram", "plain"])
def test_a_record_round_trips_through_the_service_over_tls(
    secure_broker: SecureBroker, how: str, topic_prefix: str, tmp_path: Path,
) -> None:
    env = security_env(secure_broker, how, tmp_path)
    service = start_dossiers(env, topic_prefix, tmp_path)
    try:
        service.wait_serving()  # its topics exist now: it created them over TLS
        options = client_options(env)
        producer = KafkaProducer(acks="all", **options)
        for event in (k_update("K1", 9, 10), k_update("K2", 19, 20), k_update("K3", 9, 20)):
            producer.send(prefixed(INDICATORS, topic_prefix).name,
                          key=event.subject_code.encode(), value=event.to_bytes())
        producer.flush()
        producer.close()

        with service.channel() as channel:
            stub: Any = dossiers_pb2_grpc.DossiersServiceStub(channel)
            request = pb.GetNomineeFiguresRequest(subject_kind="unit", subject_code="QLVT")
            wait_for(lambda: len(stub.GetNomineeFigures(request, timeout=10).figures) == 3,
                       "the figures consumed over TLS")
            opened = stub.OpenDossier(
                pb.OpenDossierRequest(award_type=GIAY_KHEN, nominee_kind="collective"),
                metadata=caller_metadata("qlvt"), timeout=10)

        consumer = KafkaConsumer(prefixed(DOSSIER_EVENTS, topic_prefix).name,
                                 auto_offset_reset="earliest", enable_auto_commit=False,
                                 consumer_timeout_ms=30_000, **options)
        try:
            record = next(iter(consumer))
        finally:
            consumer.close()
        assert record.key.decode() == opened.dossier_id
        assert json.loads(record.value)["dossier_id"] == opened.dossier_id
    finally:
        assert service.stop() == 0, service.log_tail()


def wrong_ca(broker: SecureBroker, env: dict[str, str], tmp_path: Path) -> str:
    env["KAFKA_SSL_CA_FILE"] = str(make_ca(tmp_path / "other", subject="another CA"))
    return (f"configuration error: the Kafka broker at 127.0.0.1:{broker.ssl} is not trusted "
            f"by KAFKA_SSL_CA_FILE={env['KAFKA_SSL_CA_FILE']}: unable to get local issuer "
            "certificate")


def no_client_certificate(broker: SecureBroker, env: dict[str, str], tmp_path: Path) -> str:
    del env["KAFKA_SSL_CERT_FILE"], env["KAFKA_SSL_KEY_FILE"]
    return (f"configuration error: KAFKA_SECURITY_PROTOCOL=SSL: the Kafka broker at "
            f"127.0.0.1:{broker.ssl} refused this client's certificate")


def not_a_tls_listener(broker: SecureBroker, env: dict[str, str], tmp_path: Path) -> str:
    env["KAFKA_BOOTSTRAP_SERVERS"] = f"127.0.0.1:{broker.plaintext}"
    return (f"configuration error: KAFKA_SECURITY_PROTOCOL=SSL: no TLS handshake with the "
            f"Kafka broker at 127.0.0.1:{broker.plaintext}")


def wrong_password(broker: SecureBroker, env: dict[str, str], tmp_path: Path) -> str:
    Path(env["KAFKA_SASL_PASSWORD_FILE"]).write_text("not-the-password\n")
    return (f"configuration error: KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD: the Kafka broker "
            f"at 127.0.0.1:{broker.sasl_ssl} refused the SCRAM-SHA-512 login of 'campaign'")


@pytest.mark.parametrize(("how", "spoil"), [
    ("mutual-tls", wrong_ca), ("mutual-tls", no_client_certificate),
    ("mutual-tls", not_a_tls_listener), ("scram", wrong_password),
])
def test_a_bad_security_setting_stops_the_service_with_one_line(
    secure_broker: SecureBroker, how: str, spoil: Any, topic_prefix: str, tmp_path: Path,
) -> None:
    env = security_env(secure_broker, how, tmp_path)
    expected = spoil(secure_broker, env, tmp_path)
    service = start_dossiers(env, topic_prefix, tmp_path)
    assert service.process is not None
    assert service.process.wait(60) == 2
    lines = service.log_path.read_text(encoding="utf-8").splitlines()
    # Everything but JSON log lines (the start's own) is that one line: no traceback, no storm
    # of retried handshakes from the clients.
    plain = [line for line in lines if not line.startswith("{")]
    assert len(plain) == 1 and plain[0].startswith(expected), lines
    assert not any('"level": "error"' in line for line in lines), lines
