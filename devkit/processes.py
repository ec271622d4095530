"""The services as separate OS processes, as they run in production, for end-to-end tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from devkit.infra import ROOT, free_port


def terminate(process: subprocess.Popen[bytes], timeout: float) -> int:
    """SIGTERM, wait, kill if it will not stop; returns the exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


@dataclass
class ServiceProcess:
    name: str
    env: dict[str, str]
    log_path: Path
    grpc_port: int = field(default_factory=free_port)
    metrics_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, **self.env, "GRPC_PORT": str(self.grpc_port),
               "METRICS_PORT": str(self.metrics_port), "PYTHONUNBUFFERED": "1"}
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"campaign_{self.name}"], env=env, cwd=ROOT,
            stdout=log, stderr=subprocess.STDOUT,
        )

    def wait_serving(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        with grpc.insecure_channel(f"127.0.0.1:{self.grpc_port}") as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while time.monotonic() < deadline:
                self._check_alive()
                try:
                    reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=1.0)
                    if reply.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.RpcError:
                    pass
                time.sleep(0.2)
        raise TimeoutError(f"{self.name} not serving after {timeout}s:\n{self.log_tail()}")

    def wait_caught_up(self, grpc_service: str, timeout: float = 90.0) -> None:
        """Wait until the health status of `<grpc_service>/caught-up` is SERVING: every record
        on the service's input topics is applied (campaign_kit.catch_up)."""
        deadline = time.monotonic() + timeout
        request = health_pb2.HealthCheckRequest(service=f"{grpc_service}/caught-up")
        with self.channel() as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while time.monotonic() < deadline:
                self._check_alive()
                try:
                    if stub.Check(request, timeout=1.0).status == \
                            health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.RpcError:
                    pass
                time.sleep(0.2)
        raise TimeoutError(f"{self.name} not caught up after {timeout}s:\n{self.log_tail()}")

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait; returns the exit code."""
        assert self.process is not None
        return terminate(self.process, timeout)

    def _check_alive(self) -> None:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n"
                               f"{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def channel(self) -> grpc.Channel:
        return grpc.insecure_channel(f"127.0.0.1:{self.grpc_port}")


@dataclass
class WorkspaceProcess:
    """The web workspace as a process: HTTP, not gRPC, so it is ready when /healthz answers."""

    env: dict[str, str]
    log_path: Path
    http_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self) -> None:
        env = {**os.environ, **self.env, "HTTP_PORT": str(self.http_port),
               "PYTHONUNBUFFERED": "1"}
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "campaign_workspace"], env=env, cwd=ROOT,
            stdout=log, stderr=subprocess.STDOUT,
        )

    def add_account(self, username: str, password: str, role: str, unit: str | None = None,
                    name: str = "") -> None:
        """Through the operator's command, as a person would add one."""
        args = [sys.executable, "-m", "campaign_workspace", "add-account", username,
                "--role", role, "--name", name or username, "--password-stdin"]
        if unit:
            args += ["--unit", unit]
        subprocess.run(args, input=f"{password}\n".encode(), env={**os.environ, **self.env},
                       cwd=ROOT, check=True, capture_output=True)

    def wait_serving(self, timeout: float = 60.0) -> None:
        import urllib.error
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"workspace exited with {self.process.returncode}:\n"
                                   f"{self.log_path.read_text(errors='replace')[-4000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1.0):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise TimeoutError(f"workspace not serving after {timeout}s")

    def stop(self, timeout: float = 30.0) -> int:
        assert self.process is not None
        return terminate(self.process, timeout)
