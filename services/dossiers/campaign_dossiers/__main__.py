from campaign_kit.cli import service_main
from campaign_dossiers import SERVICE
from campaign_dossiers.app import build
from campaign_dossiers.settings import DossiersSettings

raise SystemExit(service_main(SERVICE, DossiersSettings, build))
