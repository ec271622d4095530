"""Runs the whole system locally on a running broker: a mail sink, the four services as
processes, and the demo feed; then shows the standings, the e-mails and where to look.

    python -m devkit.demo [--bootstrap 127.0.0.1:9092] [--records 3000] [--exit]
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import time
import urllib.request
from datetime import datetime
from pathlib import Path

from kafka import KafkaProducer

from campaign.awards.v1 import awards_pb2, awards_pb2_grpc
from campaign_contracts.campaign_file import load_campaign
from campaign_contracts.topics import ALL_TOPICS, PORTAL_RECORDS, prefixed
from campaign_kit.topics_admin import ensure_topics
from devkit.demo_awards import (
    print_awards,
    show_candidates_after_top_up,
    vn_number,
    vn_percent,
    wait_until_settled,
)
from devkit.feed import demo_feed, synced_at_ms
from devkit.infra import ROOT, PrometheusServer
from devkit.processes import ServiceProcess
from devkit.smtp import SmtpServer
from devkit.workspace_demo import (
    demo_campaign_file,
    identity_secret,
    print_accounts,
    start_workspace,
)

# The feed replays 2024 in seconds; the notifier's clock starts in the campaign's last month and
# runs an hour a second, so its scheduled rules (settled targets, digests) meet the figures.
EXTRA_ENV = {"notifier": {"CLOCK_START": "2024-12-02T09:00:00+07:00", "CLOCK_SPEED": "3600",
                          "AWARDS_GRPC_TARGET": "127.0.0.1:50053"}}
NOTICES_SETTLE_S = 50.0

PORTS = {"metrics": (50051, 9101), "dossiers": (50052, 9102), "awards": (50053, 9103),
         "notifier": (50054, 9104)}
WORKSPACE_PORT = 8080


def _records_counted(metrics: ServiceProcess) -> float:
    url = f"http://127.0.0.1:{metrics.metrics_port}/metrics"
    with urllib.request.urlopen(url) as reply:
        for line in reply.read().decode("utf-8").splitlines():
            if line.startswith("portal_records_total "):
                return float(line.split()[1])
    return 0.0


def _print_standings(awards: ServiceProcess) -> None:
    with awards.channel() as channel:
        reply = awards_pb2_grpc.AwardsServiceStub(channel).GetStandings(  # type: ignore[no-untyped-call]
            awards_pb2.GetStandingsRequest())
    print("\nBảng xếp hạng cả đợt thi đua (= đồng hạng):")
    print(f"{'hạng':>4}  {'đơn vị':<6} {'điểm':>7}  K3: đã thanh toán trực tuyến / hồ sơ có phí")
    for row in reply.rows:
        rank = f"{row.rank}{'=' if row.shared_rank else ''}"
        k3 = next((c for c in row.indicators if c.indicator == "K3"), None)
        figure = (f"{k3.numerator:,}/{k3.denominator:,}".replace(",", ".")
                  + f" = {vn_percent(k3.rate)}{' (đạt)' if k3.target_met else ''}"
                  if k3 else "n/a")
        print(f"{rank:>4}  {row.unit_code:<6} {vn_number(row.total_points):>7}  {figure}")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m devkit.demo")
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--exit", action="store_true", help="stop after showing the results")
    parser.add_argument("--workspace-port", type=int, default=WORKSPACE_PORT,
                        help="HTTP port of the web workspace")
    args = parser.parse_args()

    run_id = datetime.now().strftime("%Y%m%d%H%M%S")
    prefix = f"demo{run_id}"
    work = ROOT / "var" / "demo" / run_id
    work.mkdir(parents=True, exist_ok=True)
    ensure_topics(args.bootstrap, [prefixed(t, prefix) for t in ALL_TOPICS])
    campaign_file, campaign_note = demo_campaign_file(work)
    if campaign_note:
        print(campaign_note)
    secret = identity_secret()  # the services verify the workspace's signed identities with it
    with SmtpServer(mail_dir=work / "mail") as smtp, contextlib.ExitStack() as stack:
        services = {}
        for name, (grpc_port, metrics_port) in PORTS.items():
            env = {"KAFKA_BOOTSTRAP_SERVERS": args.bootstrap, "TOPIC_PREFIX": prefix,
                   "DATA_DIR": str(work / name), "SMTP_PORT": str(smtp.port),
                   "CONSUMER_GROUP": f"{prefix}-{name}", "IDENTITY_SECRET": secret,
                   "CAMPAIGN_FILE": str(campaign_file), **EXTRA_ENV.get(name, {})}
            process = ServiceProcess(name, env, work / f"{name}.log", grpc_port, metrics_port)
            process.start()
            stack.callback(process.stop)
            services[name] = process
        for process in services.values():
            process.wait_serving()
        workspace = start_workspace(services, work, secret, campaign_file,
                                    args.workspace_port)
        stack.callback(workspace.stop)
        workspace.wait_serving()
        prometheus = _start_prometheus(
            stack, scrape_targets(services, workspace.http_port), work)
        print(f"four services serving; feeding {args.records} portal records")

        producer = KafkaProducer(bootstrap_servers=args.bootstrap, acks="all", linger_ms=20)
        inbound = prefixed(PORTAL_RECORDS, prefix).name
        started = time.monotonic()
        campaign = load_campaign()
        # Replayed as the portals would have synced them: in the order of their own times.
        feed = sorted(((synced_at_ms(value, campaign.tz), key, value)
                       for key, value in demo_feed(campaign, args.records)),
                      key=lambda record: record[0])
        for synced_ms, key, value in feed:
            producer.send(inbound, key=key.encode("utf-8"), value=value, timestamp_ms=synced_ms)
        producer.flush()
        producer.close()
        while _records_counted(services["metrics"]) < args.records:
            time.sleep(0.5)
        print(f"metrics counted {args.records} records in {time.monotonic() - started:.1f}s")
        settled = wait_until_settled(services["awards"])  # let standings and notices follow
        print(f"awards applied the indicator events {settled:.1f}s after that")
        _print_standings(services["awards"])
        print_awards(services["awards"])
        show_candidates_after_top_up(services["awards"], args.bootstrap, inbound, feed[-1][0])
        # Notices are judged on settled figures at the campaign's evaluation times: give the
        # notifier's replay clock (an hour a second) time to reach them.
        remaining = NOTICES_SETTLE_S - (time.monotonic() - started)
        if remaining > 0:
            print(f"\nwaiting {remaining:.0f}s for the notifier's evaluation times "
                  "(its clock runs an hour a second from 02/12/2024 09:00)")
            time.sleep(remaining)
        print(f"\nE-mail gửi đơn vị ({len(smtp.inbox.messages)}):")
        for mail in smtp.inbox.messages:
            print(f"  → {mail.message['To']}: {mail.message['Subject']}")
        _where_to_look(services, work, prefix)
        if prometheus is not None:
            up = _scraped(prometheus)
            print(f"  prometheus http://127.0.0.1:{prometheus.port}/alerts (scraping every "
                  "service and the workspace with deploy/prometheus/rules.yml): "
                  f"{len(up)}/{len(prometheus.targets)} targets up ({', '.join(sorted(up))})")
        print_accounts(workspace)
        if not args.exit:
            print("\nRunning; Ctrl-C stops the services.")
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(1)
    return 0


def scrape_targets(services: dict[str, ServiceProcess], workspace_port: int) -> dict[str, int]:
    """Every /metrics of the demo: the four services' and the web workspace's (on its web
    port), as deploy/prometheus/prometheus.yml lists them."""
    return {**{name: process.metrics_port for name, process in services.items()},
            "workspace": workspace_port}


def _start_prometheus(stack: contextlib.ExitStack, targets: dict[str, int],
                      work: Path) -> PrometheusServer | None:
    """Debian's Prometheus scraping every service with the shipped alert rules (when installed:
    scripts/test.sh installs it)."""
    if shutil.which("prometheus") is None:
        print("prometheus not installed: apt-get install prometheus to watch the alert rules")
        return None
    return stack.enter_context(PrometheusServer(
        work / "prometheus", targets, rules=ROOT / "deploy" / "prometheus" / "rules.yml"))


def _scraped(prometheus: PrometheusServer, wait_s: float = 15.0) -> set[str]:
    """The targets Prometheus scrapes successfully, once all are or after `wait_s`."""
    deadline = time.monotonic() + wait_s
    up: set[str] = set()
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, KeyError, ValueError):
            up = prometheus.targets_up()
        if up == set(prometheus.targets):
            break
        time.sleep(1)
    return up


def _where_to_look(services: dict[str, ServiceProcess], work: Path, prefix: str) -> None:
    print("\nWhere to look:")
    for name, process in services.items():
        print(f"  {name:<9} gRPC 127.0.0.1:{process.grpc_port} (health, reflection)  "
              f"metrics http://127.0.0.1:{process.metrics_port}/metrics  log {process.log_path}")
    print(f"  topics    {prefix}.* on the broker; e-mails as .eml files in {work / 'mail'}")


if __name__ == "__main__":
    raise SystemExit(main())
