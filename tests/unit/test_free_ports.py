"""devkit's free ports: a port the kernel offers again is not handed out twice, so that two
ports asked for in a row (a service's gRPC and metrics ports) always differ."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devkit import infra


def _kernel_offers(monkeypatch: pytest.MonkeyPatch, ports: list[int]) -> None:
    offered: Iterator[int] = iter(ports)
    monkeypatch.setattr(infra, "_kernel_port", lambda: next(offered))
    monkeypatch.setattr(infra, "_GIVEN", set())


def test_a_port_offered_again_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    _kernel_offers(monkeypatch, [41000, 41000, 41000, 41002])
    assert infra.free_port() == 41000
    assert infra.free_port() == 41002


def test_a_pair_never_takes_a_successor_already_handed_out(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _kernel_offers(monkeypatch, [41101, 41100, 41200])
    assert infra.free_port() == 41101
    # 41100's successor, 41101, is already someone's: the pair moves on to 41200.
    assert infra.free_port_pair() == 41200
    assert 41201 in infra._GIVEN


def test_real_ports_asked_in_a_row_differ() -> None:
    ports = [infra.free_port() for _ in range(500)]
    assert len(set(ports)) == len(ports)
