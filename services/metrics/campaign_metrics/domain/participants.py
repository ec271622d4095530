"""Who takes part (domain.md): the campaign file's units are the participants, and what the
procedure catalogue and the campaign file say about them must agree. The reports below are
made when either is loaded; they stop nothing (the catalogue may lag behind), they are said."""

from __future__ import annotations

from collections import defaultdict

from campaign_contracts.campaign_file import Campaign
from campaign_metrics.domain.catalogue import Catalogue


def definition_reports(campaign: Campaign, catalogue: Catalogue) -> list[str]:
    """One line per mismatch between the catalogue and the campaign file, sorted."""
    participants = {u.code for u in campaign.units}
    reports = [
        f"catalogue unit {unit} is not in the campaign file: its dossiers are kept as "
        "unattributed and enter no Department figure"
        for unit in sorted(catalogue.units - participants)
    ]
    reports += [
        f"campaign unit {unit} has no online service in the catalogue: indicators that "
        "count services (K1) have no denominator for it"
        for unit in sorted(participants) if not catalogue.online_services(unit)
    ]
    fees: dict[str, set[bool]] = defaultdict(set)
    for entry in catalogue.entries:
        fees[entry.procedure_code].add(entry.has_fees)
    reports += [
        f"procedure {procedure}: catalogue rows disagree on fees; counted as carrying fees"
        for procedure, values in sorted(fees.items()) if len(values) > 1
    ]
    return reports
