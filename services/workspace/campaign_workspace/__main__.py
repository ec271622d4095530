"""python -m campaign_workspace [serve] | add-account USERNAME --role ROLE [--unit CODE]
[--name NAME] [--password-stdin] | migrate [--sql]"""

from __future__ import annotations

import argparse
import getpass
import sys

from campaign_kit.identity import ROLES, IdentityConfigError
from campaign_kit.settings import load_settings
from campaign_workspace.accounts import AccountError
from campaign_workspace.settings import WorkspaceSettings


def _add_account(args: argparse.Namespace, settings: WorkspaceSettings) -> int:
    from campaign_contracts.campaign_file import load_campaign
    from campaign_kit.db import Database
    from campaign_workspace.accounts import AccountStore, metadata

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Mật khẩu: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != password:
            print("error: hai lần nhập mật khẩu không khớp", file=sys.stderr)
            return 2
    database = Database(settings.sqlalchemy_url(), metadata)
    database.create_schema()
    units = {u.code for u in load_campaign(settings.campaign_file).units}
    try:
        account = AccountStore(database).add(args.username, password, args.role, args.unit,
                                             args.name or args.username, units)
    except AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    print(f"account {account.username}: {account.role}"
          f"{' ' + account.unit_code if account.unit_code else ''}")
    return 0


def _serve(settings: WorkspaceSettings) -> int:
    import uvicorn

    from campaign_kit.logs import configure_logging
    from campaign_workspace.app import build_workspace, create_app

    configure_logging("workspace", settings.log_level)
    try:
        workspace = build_workspace(settings)
    except (IdentityConfigError, ValueError) as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    uvicorn.run(create_app(workspace), host=settings.http_host, port=settings.http_port,
                log_level=settings.log_level.lower(), access_log=False)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["migrate"]:  # the schema step of every start, alone (the kit's command)
        from campaign_kit.migrations import migrate_main
        from campaign_workspace.accounts import metadata

        return migrate_main("workspace", metadata, argv[1:])
    parser = argparse.ArgumentParser(prog="python -m campaign_workspace")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="serve the web workspace (default)")
    add = commands.add_parser("add-account", help="add or replace a person's account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--unit", default=None, help="unit code (required for the unit role)")
    add.add_argument("--name", default="", help="name shown on the pages")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input")
    args = parser.parse_args(argv)
    # The kit's loader only calls the class; its bound names the gRPC services' settings.
    settings = load_settings(WorkspaceSettings)  # type: ignore[type-var]
    if args.command == "add-account":
        return _add_account(args, settings)
    return _serve(settings)


if __name__ == "__main__":
    raise SystemExit(main())
