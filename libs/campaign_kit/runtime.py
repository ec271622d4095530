"""One service process: a FastStream app on Kafka plus a gRPC server (with the standard health
check and reflection) plus a Prometheus /metrics endpoint, stopped gracefully on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc
from alembic.util.exc import CommandError
from faststream import FastStream
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.specification import AsyncAPI
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1.health import aio as health_aio  # type: ignore[attr-defined]
from grpc_reflection.v1alpha import reflection
from prometheus_client import CollectorRegistry, start_http_server
from sqlalchemy.exc import SQLAlchemyError

from campaign_contracts.topics import Topic, dead_letter_of, is_dead_letter
from campaign_kit.catch_up import CatchUp, caught_up_health
from campaign_kit.db import Database
from campaign_kit.migrations import one_line
from campaign_kit.outbox import OutboxRelay
from campaign_kit.settings import ServiceSettings
from campaign_kit.startup import StartupError, exit_on, port_is_free, wait_for_kafka
from campaign_kit.tls import (
    check_kafka_security,
    grpc_server_credentials,
    kafka_admin_options,
    kafka_security,
)
from campaign_kit.topics_admin import ensure_topics

log = logging.getLogger(__name__)

AddServicer = Callable[[Any, grpc.aio.Server], None]


PRODUCER_BATCH_BYTES = 512 * 1024


def make_broker(
    settings: ServiceSettings, service: str, registry: CollectorRegistry
) -> KafkaBroker:
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=service,
        security=kafka_security(settings),
        log_level=logging.DEBUG,  # FastStream's line per message; the kit logs per batch
        middlewares=[KafkaPrometheusMiddleware(registry=registry, app_name=service)],
        logger=logging.getLogger(f"{service}.broker"),
        # A produce request carries one batch per partition: with the default 16 KiB a burst of
        # portal records (~2 KiB each) went out seven to a request, one round trip each. The
        # broker takes up to 1 MiB per batch (message.max.bytes); linger stays 0, so a lone
        # event still goes at once.
        max_batch_size=PRODUCER_BATCH_BYTES,
    )


@dataclass
class ServiceRuntime:
    """Everything a service's composition root wires; `app()` turns it into a process."""

    name: str
    title: str
    settings: ServiceSettings
    broker: KafkaBroker
    db: Database
    registry: CollectorRegistry
    topics: Sequence[Topic]
    grpc_services: list[tuple[AddServicer, Any, str]] = field(default_factory=list)
    relay: OutboxRelay | None = None
    description: str = ""
    background: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)
    # Watches the service's tracked consumers: health `<grpc service>/caught-up` SERVING once
    # every input record is applied (campaign_kit.catch_up).
    input_catch_up: CatchUp | None = None
    grpc_port: int | None = None  # the bound port, once started
    _grpc: grpc.aio.Server | None = None
    _health: health_aio.HealthServicer | None = None
    _metrics_server: Any = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _serving = False

    def asyncapi(self) -> AsyncAPI:
        return AsyncAPI(
            self.broker, title=self.title, version="1.0.0", description=self.description,
        )

    def app(self) -> FastStream:
        return FastStream(
            self.broker,
            on_startup=[self._before_broker],
            after_startup=[self._after_broker],
            on_shutdown=[self._on_shutdown],
            specification=self.asyncapi(),
            logger=logging.getLogger(f"{self.name}.app"),  # JSON like every other line
        )

    async def _before_broker(self) -> None:
        # Ports first: a second instance stops here, before it touches the database or topics.
        self._start_metrics_endpoint()
        await self.start_grpc()
        try:
            self.db.create_schema()
        except (SQLAlchemyError, CommandError) as exc:
            raise StartupError(f"DATABASE_URL: schema step failed: {one_line(exc)}") from exc
        await wait_for_kafka(self.settings.kafka_bootstrap_servers,
                             self.settings.kafka_connect_timeout_s)
        await check_kafka_security(self.settings)
        if self.settings.create_topics:
            await asyncio.to_thread(
                ensure_topics, self.settings.kafka_bootstrap_servers, self.all_topics(),
                **kafka_admin_options(self.settings),
            )

    def all_topics(self) -> list[Topic]:
        """The service's topics and the dead-letter topic of each internal one."""
        letters = [dead_letter_of(t) for t in self.topics if not is_dead_letter(t.name)]
        known = {t.name for t in self.topics}
        return [*self.topics, *(t for t in letters if t.name not in known)]

    def _start_metrics_endpoint(self) -> None:
        host, port = self.settings.metrics_host, self.settings.metrics_port
        try:
            self._metrics_server, _ = start_http_server(port, host, registry=self.registry)
        except OSError as exc:
            raise StartupError(
                f"METRICS_PORT: cannot serve /metrics on {host}:{port}: "
                f"{exc.strerror or exc} (another instance running?)"
            ) from None

    async def _after_broker(self) -> None:
        if self.relay is not None:
            try:
                await self.relay.flush()  # what a previous run committed but did not publish
            except Exception:  # the relay's loop below retries; the service still starts
                log.warning("outbox flush at start failed; retrying", exc_info=True)
        jobs = [self._watch_readiness, *self.background]
        if self.input_catch_up is not None:
            self.input_catch_up.ready = lambda: self._serving
            self.input_catch_up.on_change = self._show_caught_up
            jobs.append(self.input_catch_up.run_forever)
        if self.relay is not None:
            relay, every_s = self.relay, self.settings.relay_interval_s
            jobs.append(lambda: relay.keep_publishing(every_s))
        self._tasks = [asyncio.create_task(job()) for job in jobs]
        log.info("service started", extra={"grpc_port": self.grpc_port,
                                            "metrics_port": self.settings.metrics_port})

    async def start_grpc(self) -> None:
        # Exclusive: with gRPC's default SO_REUSEPORT a second instance would bind the same
        # port silently and take half of the calls.
        server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
        self._health = health_aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
        names = [health_pb2.DESCRIPTOR.services_by_name["Health"].full_name]
        for add, servicer, full_name in self.grpc_services:
            add(servicer, server)
            names.append(full_name)
        names.append(reflection.SERVICE_NAME)
        reflection.enable_server_reflection(names, server)
        address = f"{self.settings.grpc_host}:{self.settings.grpc_port}"
        in_use = StartupError(
            f"GRPC_PORT: cannot bind gRPC to {address}: the port is in use "
            "(another instance running?)"
        )
        # Probed first: gRPC's own refusal also writes a plain-text line from its C core.
        if not port_is_free(self.settings.grpc_host, self.settings.grpc_port):
            raise in_use
        credentials = grpc_server_credentials(self.settings)
        try:
            self.grpc_port = (server.add_secure_port(address, credentials) if credentials
                              else server.add_insecure_port(address))
        except RuntimeError:
            raise in_use from None
        await server.start()
        self._grpc = server
        await self._set_health(False)
        await self._show_caught_up(False)

    @property
    def caught_up_health(self) -> str | None:
        """The health name a script waits on until the service has caught up."""
        if self.input_catch_up is None or not self.grpc_services:
            return None
        return caught_up_health(self.grpc_services[0][2])

    async def _show_caught_up(self, caught_up: bool) -> None:
        if self._health is not None and self.caught_up_health is not None:
            await self._health.set(self.caught_up_health,
                                   health_pb2.HealthCheckResponse.SERVING if caught_up
                                   else health_pb2.HealthCheckResponse.NOT_SERVING)

    async def _set_health(self, serving: bool) -> None:
        assert self._health is not None
        status = (health_pb2.HealthCheckResponse.SERVING if serving
                  else health_pb2.HealthCheckResponse.NOT_SERVING)
        await self._health.set("", status)
        for _, _, full_name in self.grpc_services:
            await self._health.set(full_name, status)

    async def ready(self) -> bool:
        """Ready when both the broker and the database answer."""
        db_ok = await asyncio.to_thread(self.db.ping)
        broker_ok = await self.broker.ping(timeout=3.0)
        return db_ok and broker_ok

    async def _watch_readiness(self) -> None:
        serving: bool | None = None
        while True:
            now = await self.ready()
            self._serving = now
            if now != serving:
                await self._set_health(now)
                log.info("readiness changed", extra={"ready": now})
                serving = now
            await asyncio.sleep(5.0 if now else 1.0)

    async def _on_shutdown(self) -> None:
        log.info("shutting down")
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._health is not None:
            await self._health.enter_graceful_shutdown()
        if self._grpc is not None:
            await self._grpc.stop(grace=5.0)
        if self._metrics_server is not None:
            self._metrics_server.shutdown()
        self.db.dispose()


def run(runtime: ServiceRuntime) -> None:
    """Run the service until SIGTERM or SIGINT; a failed start exits with one line."""
    try:
        asyncio.run(runtime.app().run())
    except StartupError as exc:
        exit_on(exc)
