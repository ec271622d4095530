"""The one interface every indicator implements, and how the campaign file picks them.

An indicator says what it reads from a dossier's state (`place`: the day that decides its
periods and whether the dossier is in the numerator, or None when it is not in the
denominator), which subjects it applies to, and what it counts for people (hồ sơ, dịch vụ).
An indicator that counts services rather than dossiers (`counts_services`) also says which
services make a subject's denominator; a dossier it places is then one *use* of its procedure,
and a service is in the numerator while its uses in the period are above zero.

A module in this package that defines `INDICATOR` (a subclass of `Indicator`) is a plug-in;
the campaign file's `kind` names it.
"""

from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from campaign_contracts.campaign_file import IndicatorRule
from campaign_metrics.domain.catalogue import Catalogue
from campaign_metrics.domain.state import DossierState

UNIT, OFFICER, DEPARTMENT = "unit", "officer", "department"
EVERY_SUBJECT = frozenset({UNIT, OFFICER, DEPARTMENT})

Placement = tuple[date, bool] | None
"""(day deciding the periods, in the numerator) or None: not in this indicator at all."""


class NoSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IndicatorConfigError(ValueError):
    """A campaign file's indicator that cannot be used: unknown kind or bad settings."""


class Indicator(ABC):
    """One indicator of the campaign, bound to its rule and the catalogue in force."""

    kind: ClassVar[str]
    counted_unit: ClassVar[str] = "hồ sơ"
    subject_kinds: ClassVar[frozenset[str]] = EVERY_SUBJECT
    counts_services: ClassVar[bool] = False
    period_field: ClassVar[str] = "received_on"
    """The state's day that places a dossier in periods (a column of the snapshot table)."""
    Settings: ClassVar[type[BaseModel]] = NoSettings

    def __init__(self, rule: IndicatorRule, catalogue: Catalogue, settings: BaseModel,
                 participants: frozenset[str]) -> None:
        self.rule = rule
        self.code: str = rule.code  # read for every record: an attribute, not a property
        self.catalogue = catalogue
        self.settings = settings
        self.participants = participants

    @property
    def name(self) -> str:
        return self.rule.name

    @property
    def target(self) -> Decimal:
        return self.rule.target

    def applies_to(self, subject_kind: str) -> bool:
        return subject_kind in self.subject_kinds

    @abstractmethod
    def place(self, state: DossierState) -> Placement:
        """Where a dossier in this state counts: None when it is outside the denominator."""

    def services(self, subject_kind: str, subject_code: str) -> frozenset[str]:
        """The services (MaTTHC) of a subject's denominator, for an indicator counting them."""
        return frozenset()

    def describe_settings(self) -> dict[str, Any]:
        return self.settings.model_dump(mode="json")


def _plugins() -> dict[str, type[Indicator]]:
    """Every module of this package that defines INDICATOR, by its kind."""
    import campaign_metrics.domain.indicators as package

    found: dict[str, type[Indicator]] = {}
    for module in pkgutil.iter_modules(package.__path__):
        plugin = getattr(importlib.import_module(f"{package.__name__}.{module.name}"),
                         "INDICATOR", None)
        if isinstance(plugin, type) and issubclass(plugin, Indicator):
            found[plugin.kind] = plugin
    return found


KINDS: dict[str, type[Indicator]] = {}


def kinds() -> dict[str, type[Indicator]]:
    if not KINDS:
        KINDS.update(_plugins())
    return KINDS


def build_indicators(rules: Iterable[IndicatorRule], catalogue: Catalogue,
                     participants: frozenset[str]) -> list[Indicator]:
    """The campaign's indicators as plug-ins; an unknown kind or a bad setting raises
    IndicatorConfigError with one line naming it."""
    available = kinds()
    built = []
    for rule in rules:
        plugin = available.get(rule.kind)
        if plugin is None:
            raise IndicatorConfigError(
                f"indicator {rule.code}: unknown kind {rule.kind!r} "
                f"(known: {', '.join(sorted(available))})")
        try:
            settings = plugin.Settings.model_validate(dict(rule.settings))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise IndicatorConfigError(
                f"indicator {rule.code} ({rule.kind}): settings.{where}: {first['msg']}"
            ) from None
        built.append(plugin(rule, catalogue, settings, participants))
    return built
