import sys

from campaign_kit.migrations import migrate_main
from campaign_metrics import SERVICE
from campaign_metrics.adapters.cli import main
from campaign_metrics.adapters.tables import metadata

if sys.argv[1:2] == ["migrate"]:  # the schema step of every start, alone (the kit's command)
    raise SystemExit(migrate_main(SERVICE, metadata, sys.argv[2:]))
raise SystemExit(main())
