"""`python -m campaign_dossiers rebuild`: empty the read model and forget the dossiers topic's
stored positions, so that the next start replays the whole topic into it. Run it with the
service stopped. The event store is kept: replay puts back only what it lacks."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from sqlalchemy import delete

from campaign_dossiers import SERVICE, store
from campaign_dossiers.projection import CONSUMER
from campaign_dossiers.settings import DossiersSettings
from campaign_kit.db import Database
from campaign_kit.settings import load_settings


def reset_read_model(db: Database) -> None:
    with db.begin() as connection:
        for table in store.READ_MODEL:
            connection.execute(delete(table))
        connection.execute(delete(store.positions).where(store.positions.c.consumer == CONSUMER))


def main(argv: Sequence[str]) -> int:
    argparse.ArgumentParser(prog=f"python -m campaign_{SERVICE} rebuild",
                            description=__doc__).parse_args(argv)
    settings = load_settings(DossiersSettings)
    db = Database(settings.sqlalchemy_url(SERVICE), store.metadata)
    db.create_schema()
    reset_read_model(db)
    db.dispose()
    print("read model emptied: the next start replays the dossiers topic")
    return 0
