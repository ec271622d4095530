"""The web workspace in the demo: a campaign file whose dossier deadline is still ahead, a shared
identity secret for the services, demo accounts for each role, and the workspace process."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path

import yaml

from campaign_contracts.campaign_file import SEED_CAMPAIGN, load_campaign, seed_path
from campaign_kit.db import Database
from campaign_workspace.accounts import AccountStore, metadata
from devkit.processes import ServiceProcess, WorkspaceProcess

DEMO_PASSWORD = "thidua-2024"
DEMO_ACCOUNTS = {  # username: (role, unit code, name shown)
    "qlvt": ("unit", "QLVT", "Cán bộ Phòng Quản lý vận tải"),
    "kcht": ("unit", "KCHT", "Cán bộ Phòng Quản lý kết cấu hạ tầng"),
    "vanphong": ("office", None, "Văn phòng Sở"),
    "hoidong": ("council", None, "Thư ký Hội đồng TĐKT"),
    "vanhanh": ("operator", None, "Cán bộ vận hành"),
}


def demo_campaign_file(work: Path, today: date | None = None) -> tuple[Path, str | None]:
    """The seed campaign, with the dossier deadline moved to the end of this year when the
    seed's has passed (so that dossiers can be submitted in the demo); says so when moved."""
    today = today or date.today()
    data = yaml.safe_load(seed_path(SEED_CAMPAIGN).read_text(encoding="utf-8"))
    note = None
    if load_campaign().dossier_deadline < today:
        moved = date(today.year, 12, 31)
        data["dossier_deadline"] = moved.isoformat()
        note = (f"dossier deadline moved to {moved:%d/%m/%Y} for the demo "
                f"(the seed's {load_campaign().dossier_deadline:%d/%m/%Y} has passed)")
    path = work / "campaign.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path, note


def identity_secret() -> str:
    return secrets.token_urlsafe(32)


def start_workspace(services: dict[str, ServiceProcess], work: Path, secret: str,
                    campaign_file: Path, http_port: int) -> WorkspaceProcess:
    data_dir = work / "workspace"
    database = Database(f"sqlite:///{data_dir / 'workspace.db'}", metadata)
    database.create_schema()
    units = {u.code for u in load_campaign(campaign_file).units}
    store = AccountStore(database)
    for username, (role, unit, name) in DEMO_ACCOUNTS.items():
        store.add(username, DEMO_PASSWORD, role, unit, name, units)
    database.dispose()
    workspace = WorkspaceProcess({
        "IDENTITY_SECRET": secret, "SESSION_SECRET": secrets.token_urlsafe(32),
        "CAMPAIGN_FILE": str(campaign_file), "DATA_DIR": str(data_dir),
        **{f"{name.upper()}_ADDR": f"127.0.0.1:{p.grpc_port}" for name, p in services.items()},
        "METRICS_LINKS": ",".join(f"{name}=http://127.0.0.1:{p.metrics_port}/metrics"
                                  for name, p in services.items()),
    }, work / "workspace.log", http_port)
    workspace.start()
    return workspace


def print_accounts(workspace: WorkspaceProcess) -> None:
    print(f"\nKhông gian làm việc (web workspace): {workspace.url}  log {workspace.log_path}")
    print(f"  demo accounts, password '{DEMO_PASSWORD}':")
    for username, (role, unit, name) in DEMO_ACCOUNTS.items():
        print(f"    {username:<9} {role:<9}{' ' + unit if unit else '':<6} {name}")
