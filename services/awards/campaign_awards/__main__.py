import sys

from campaign_awards import SERVICE
from campaign_awards.cli import main
from campaign_awards.store import metadata
from campaign_kit.migrations import migrate_main

if sys.argv[1:2] == ["migrate"]:  # the schema step of every start, alone (the kit's command)
    raise SystemExit(migrate_main(SERVICE, metadata, sys.argv[2:]))
raise SystemExit(main())
