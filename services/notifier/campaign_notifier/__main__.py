import sys

from campaign_kit.cli import service_main
from campaign_notifier import SERVICE
from campaign_notifier.app import build
from campaign_notifier.settings import NotifierSettings

if sys.argv[1:2] and sys.argv[1] in ("deliveries", "resend", "--target", "--token"):
    from campaign_notifier.cli import main  # the notifier's commands for people

    raise SystemExit(main(sys.argv[1:]))
raise SystemExit(service_main(SERVICE, NotifierSettings, build))
