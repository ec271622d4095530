"""Run by Alembic for each command: hands it the connection (or, for `--sql`, the URL) and the
service's tables that `campaign_kit.migrations.alembic_config` put in the configuration."""

from alembic import context

config = context.config
options = {
    "target_metadata": config.attributes["metadata"],
    # Changes to a table as "batch" operations: SQLite rebuilds the table, PostgreSQL alters it.
    "render_as_batch": True,
    "compare_type": True,
}
if context.is_offline_mode():
    context.configure(url=config.attributes["url"], literal_binds=True, **options)
else:
    context.configure(connection=config.attributes["connection"], **options)
with context.begin_transaction():
    context.run_migrations()
