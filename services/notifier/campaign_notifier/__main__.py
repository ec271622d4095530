from campaign_kit.cli import service_main
from campaign_notifier import SERVICE
from campaign_notifier.app import build
from campaign_notifier.settings import NotifierSettings

raise SystemExit(service_main(SERVICE, NotifierSettings, build))
