"""Write the schema revision of a service whose tables changed, in one command:

    python -m devkit.schema_revision SERVICE "what changes" [--url DATABASE_URL]

Alembic compares the service's tables in the code with a scratch SQLite database upgraded to
the newest revision (or with the database at --url, e.g. a scratch PostgreSQL one) and writes
the difference as `campaign_<service>/migrations/rNNNN_<what_changes>.py`, tidied by ruff.
Read it before committing: Alembic does not see renames (it writes a drop and an add), and a
new NOT NULL column on a table with rows needs a server default or a data step.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData

from campaign_kit.db import Database
from campaign_kit.migrations import alembic_config, revisions_of, schema_drift

# Where each service declares its tables.
SERVICE_TABLES = {
    "metrics": "campaign_metrics.adapters.tables",
    "dossiers": "campaign_dossiers.store",
    "awards": "campaign_awards.store",
    "notifier": "campaign_notifier.store",
    "workspace": "campaign_workspace.accounts",
}

# Alembic runs ruff on the file it wrote (unused imports out, imports sorted).
RUFF_HOOK = {"hooks": "ruff", "ruff.type": "module", "ruff.module": "ruff",
             "ruff.options": "check --fix --exit-zero --quiet REVISION_SCRIPT_FILENAME"}


def service_tables(service: str) -> MetaData:
    metadata = importlib.import_module(SERVICE_TABLES[service]).metadata
    assert isinstance(metadata, MetaData) and revisions_of(metadata) is not None
    return metadata


def write_revision(metadata: MetaData, message: str, url: str | None = None) -> Path | None:
    """The new revision's file for these tables, or None when the revisions already match."""
    revisions = str(revisions_of(metadata))
    with tempfile.TemporaryDirectory() as scratch:
        db = Database(url or f"sqlite:///{Path(scratch) / 'scratch.db'}", metadata)
        try:
            db.create_schema()
            with db.schema_lock() as connection:
                if not schema_drift(connection, metadata):
                    return None
                config = alembic_config(revisions, metadata, connection=connection)
                for name, value in RUFF_HOOK.items():
                    config.set_section_option("post_write_hooks", name, value)
                number = len(list(ScriptDirectory.from_config(config).walk_revisions())) + 1
                script = command.revision(config, message, autogenerate=True,
                                          rev_id=f"{number:04d}")
        finally:
            db.dispose()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devkit.schema_revision",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("service", choices=sorted(SERVICE_TABLES))
    parser.add_argument("message", help='what changes, e.g. "dossiers: add the ward column"')
    parser.add_argument("--url", help="an empty scratch database to compare with instead of "
                        "SQLite (it is upgraded to the newest revision first)")
    args = parser.parse_args(argv)
    path = write_revision(service_tables(args.service), args.message, args.url)
    if path is None:
        print(f"{args.service}: the revisions match the tables, nothing to write",
              file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
