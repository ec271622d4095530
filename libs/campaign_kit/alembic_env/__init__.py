"""Alembic's environment for every service: env.py and the template of a new revision."""
