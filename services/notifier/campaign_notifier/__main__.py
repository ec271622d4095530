import sys

from campaign_kit.cli import service_main
from campaign_kit.migrations import migrate_main
from campaign_notifier import SERVICE
from campaign_notifier.app import build
from campaign_notifier.settings import NotifierSettings
from campaign_notifier.store import metadata

if sys.argv[1:2] and sys.argv[1] in ("deliveries", "resend", "--target", "--token"):
    from campaign_notifier.cli import main  # the notifier's commands for people

    raise SystemExit(main(sys.argv[1:]))
if sys.argv[1:2] == ["migrate"]:  # the schema step of every start, alone (the kit's command)
    raise SystemExit(migrate_main(SERVICE, metadata, sys.argv[2:]))
raise SystemExit(service_main(SERVICE, NotifierSettings, build))
