from campaign_awards import SERVICE
from campaign_awards.app import build
from campaign_awards.settings import AwardsSettings
from campaign_kit.cli import service_main

raise SystemExit(service_main(SERVICE, AwardsSettings, build))
