"""The indicators, one module each; see base.py for the interface."""

from campaign_metrics.domain.indicators.base import (
    DEPARTMENT,
    OFFICER,
    UNIT,
    Indicator,
    IndicatorConfigError,
    Placement,
    build_indicators,
    kinds,
)

__all__ = ["DEPARTMENT", "OFFICER", "UNIT", "Indicator", "IndicatorConfigError", "Placement",
           "build_indicators", "kinds"]
