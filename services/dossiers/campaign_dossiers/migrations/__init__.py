"""The dossiers service's schema as Alembic revisions, the first being the schema of the
release before migrations (commit 87c062c). Add one with `python -m devkit.schema_revision
dossiers "what changes"`; the service upgrades its database at start, or run
`python -m campaign_dossiers migrate`."""
