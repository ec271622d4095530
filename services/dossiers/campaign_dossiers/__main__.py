import sys

from campaign_dossiers import SERVICE
from campaign_dossiers.app import build
from campaign_dossiers.settings import DossiersSettings
from campaign_dossiers.store import metadata
from campaign_kit.cli import service_main
from campaign_kit.migrations import migrate_main

if sys.argv[1:2] == ["rebuild"]:  # the dossiers service's own command, next to run/asyncapi
    from campaign_dossiers.rebuild import main

    raise SystemExit(main(sys.argv[2:]))
if sys.argv[1:2] == ["migrate"]:  # the schema step of every start, alone (the kit's command)
    raise SystemExit(migrate_main(SERVICE, metadata, sys.argv[2:]))
raise SystemExit(service_main(SERVICE, DossiersSettings, build))
