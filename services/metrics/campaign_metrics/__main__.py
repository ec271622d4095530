from campaign_kit.cli import service_main
from campaign_metrics import SERVICE
from campaign_metrics.app import build
from campaign_metrics.settings import MetricsSettings

raise SystemExit(service_main(SERVICE, MetricsSettings, build))
