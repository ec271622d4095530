"""The metrics domain, pure: a dossier's state as the indicators read it, the campaign's periods,
the procedure catalogue, the indicators (one plug-in module each) and what a state contributes
to the indicator cells. No broker, database or settings here."""
