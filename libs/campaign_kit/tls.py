"""Transport security from settings: TLS for the gRPC server (mutual when a client CA is given)
and SSL / SASL_SSL for the Kafka clients (FastStream's and the admin client's alike).

Every file is read at start, so a missing or unreadable one stops the service with one line
naming its setting (see campaign_kit.startup)."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path
from typing import Any

import grpc
from aiokafka.conn import create_conn
from aiokafka.errors import SaslAuthenticationFailed, UnsupportedSaslMechanismError
from faststream.security import (
    BaseSecurity,
    SASLPlaintext,
    SASLScram256,
    SASLScram512,
)

from campaign_kit.settings import ServiceSettings
from campaign_kit.startup import ConfigurationError


def _read(path: Path, setting: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"{setting}: {exc.strerror or exc}: {path}") from None


def grpc_server_credentials(settings: ServiceSettings) -> grpc.ServerCredentials | None:
    """TLS credentials for the gRPC server, or None for plaintext (local runs, tests)."""
    cert, key = settings.grpc_tls_cert_file, settings.grpc_tls_key_file
    if cert is None and key is None:
        if settings.grpc_tls_client_ca_file is not None:
            raise ConfigurationError(
                "GRPC_TLS_CLIENT_CA_FILE needs GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE"
            )
        return None
    if cert is None or key is None:
        raise ConfigurationError("GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE go together")
    client_ca = (_read(settings.grpc_tls_client_ca_file, "GRPC_TLS_CLIENT_CA_FILE")
                 if settings.grpc_tls_client_ca_file is not None else None)
    return grpc.ssl_server_credentials(
        [(_read(key, "GRPC_TLS_KEY_FILE"), _read(cert, "GRPC_TLS_CERT_FILE"))],
        root_certificates=client_ca,
        require_client_auth=client_ca is not None,  # mutual TLS: callers show a certificate
    )


def kafka_ssl_context(settings: ServiceSettings) -> ssl.SSLContext:
    """Verifies the brokers against KAFKA_SSL_CA_FILE alone when given (a private CA), else
    against the system's CAs."""
    ca = settings.kafka_ssl_ca_file
    context = ssl.create_default_context(
        ssl.Purpose.SERVER_AUTH,
        cadata=_read(ca, "KAFKA_SSL_CA_FILE").decode("ascii") if ca is not None else None,
    )
    if settings.kafka_ssl_cert_file is not None:
        _read(settings.kafka_ssl_cert_file, "KAFKA_SSL_CERT_FILE")
        key = settings.kafka_ssl_key_file
        if key is not None:
            _read(key, "KAFKA_SSL_KEY_FILE")
        context.load_cert_chain(str(settings.kafka_ssl_cert_file),
                                str(key) if key is not None else None)
    return context


def kafka_security(settings: ServiceSettings) -> BaseSecurity | None:
    """FastStream's security object for the configured protocol, or None for PLAINTEXT."""
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return None
    context = kafka_ssl_context(settings) if protocol.endswith("SSL") else None
    if protocol == "SSL":
        return BaseSecurity(ssl_context=context, use_ssl=True)
    username = settings.kafka_sasl_username
    password = settings.kafka_sasl_password.get_secret_value()
    if not username or not password:
        raise ConfigurationError(
            f"KAFKA_SECURITY_PROTOCOL={protocol} needs KAFKA_SASL_USERNAME and "
            "KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)"
        )
    sasl = {"PLAIN": SASLPlaintext, "SCRAM-SHA-256": SASLScram256,
            "SCRAM-SHA-512": SASLScram512}[settings.kafka_sasl_mechanism]
    return sasl(username=username, password=password, ssl_context=context,
                use_ssl=protocol == "SASL_SSL")


def kafka_admin_options(settings: ServiceSettings) -> dict[str, Any]:
    """The same security as keyword arguments of kafka-python's clients (the admin client that
    creates topics) and of a bare aiokafka consumer or producer: both take these names."""
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return {}
    options: dict[str, Any] = {"security_protocol": protocol}
    if protocol.endswith("SSL"):
        options["ssl_context"] = kafka_ssl_context(settings)
    if protocol.startswith("SASL"):
        options.update(
            sasl_mechanism=settings.kafka_sasl_mechanism,
            sasl_plain_username=settings.kafka_sasl_username,
            sasl_plain_password=settings.kafka_sasl_password.get_secret_value(),
        )
    return options


def _trusted_by(settings: ServiceSettings) -> str:
    ca = settings.kafka_ssl_ca_file
    return (f"KAFKA_SSL_CA_FILE={ca}" if ca is not None
            else "the system's CAs (KAFKA_SSL_CA_FILE unset)")


def _first_server(settings: ServiceSettings) -> tuple[str, str, int]:
    server = next(s.strip() for s in settings.kafka_bootstrap_servers.split(",") if s.strip())
    host, _, port = server.rpartition(":")
    return server, host.strip("[]"), int(port)


async def check_kafka_security(settings: ServiceSettings) -> None:
    """Connect once to the first bootstrap server as the clients will, before any of them
    starts: an untrusted broker certificate, a listener that is not TLS, a refused client
    certificate or refused SASL credentials become one line naming the setting. (The clients
    would log the failure over and over for half a minute and end in a bare timeout.)"""
    protocol = settings.kafka_security_protocol
    if protocol.endswith("SSL"):
        await _check_tls(settings)
    if protocol.startswith("SASL"):
        await _check_sasl(settings)


async def _check_tls(settings: ServiceSettings, answer_wait_s: float = 0.5) -> None:
    context = kafka_ssl_context(settings)
    server, host, port = _first_server(settings)
    protocol = f"KAFKA_SECURITY_PROTOCOL={settings.kafka_security_protocol}"
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=context, server_hostname=host), 10.0)
    except ssl.SSLCertVerificationError as exc:
        raise ConfigurationError(
            f"the Kafka broker at {server} is not trusted by {_trusted_by(settings)}: "
            f"{exc.verify_message}"
        ) from None
    except (ssl.SSLError, OSError, TimeoutError) as exc:
        why = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
        raise ConfigurationError(
            f"{protocol}: no TLS handshake with the Kafka broker at {server} ({why}): is it "
            "a TLS listener?"
        ) from None
    try:
        # TLS 1.3 refuses a client certificate only after the handshake: a broker that wants
        # one and got none (or one it does not trust) says so in its first answer.
        await asyncio.wait_for(reader.read(1), answer_wait_s)
    except TimeoutError:
        pass  # the broker is waiting for a request: the session is accepted
    except ssl.SSLError as exc:
        raise ConfigurationError(
            f"{protocol}: the Kafka broker at {server} refused this client's certificate "
            f"({exc.reason or exc}); see KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE"
        ) from None
    except OSError:
        pass  # anything else is the clients' to report
    finally:
        writer.close()


async def _check_sasl(settings: ServiceSettings) -> None:
    security = kafka_security(settings)
    assert isinstance(security, SASLPlaintext | SASLScram256 | SASLScram512)
    server, host, port = _first_server(settings)
    mechanism, user = settings.kafka_sasl_mechanism, settings.kafka_sasl_username
    try:
        connection = await asyncio.wait_for(create_conn(
            host, port, ssl_context=security.ssl_context,
            security_protocol=settings.kafka_security_protocol, sasl_mechanism=mechanism,
            sasl_plain_username=user,
            sasl_plain_password=settings.kafka_sasl_password.get_secret_value(),
        ), 15.0)
    except SaslAuthenticationFailed as exc:
        raise ConfigurationError(
            f"KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD: the Kafka broker at {server} refused "
            f"the {mechanism} login of '{user}': {exc}"
        ) from None
    except UnsupportedSaslMechanismError as exc:
        raise ConfigurationError(
            f"KAFKA_SASL_MECHANISM={mechanism}: not enabled on the Kafka broker at {server} "
            f"({exc})"
        ) from None
    connection.close()
