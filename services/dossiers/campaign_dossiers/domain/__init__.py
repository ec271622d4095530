"""The nomination dossier domain (hồ sơ đề nghị khen thưởng): pure decisions on commands.

Nothing here imports a broker, an ORM or the settings: a decision takes the dossier's state,
the command and the campaign file, and returns new events or raises a `Refusal`.
"""
