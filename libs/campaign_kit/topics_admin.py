"""Topics are created explicitly (auto-creation is off on our brokers), with their partition
counts and retention, through kafka-python's admin client."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from typing import Any

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

from campaign_contracts.topics import Topic

log = logging.getLogger(__name__)


def ensure_topics(bootstrap_servers: str, topics: Iterable[Topic],
                  **client_options: Any) -> list[str]:
    """Create the topics that do not exist yet; returns the names it created.
    `client_options` are kafka-python's (security: see campaign_kit.tls)."""
    wanted = {t.name: t for t in topics}
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="campaign-admin",
                             **client_options)
    try:
        existing = set(admin.list_topics())
        missing = [t for name, t in wanted.items() if name not in existing]
        if not missing:
            return []
        new = [
            NewTopic(name=t.name, num_partitions=t.partitions, replication_factor=1,
                     topic_configs=t.config)
            for t in missing
        ]
        with contextlib.suppress(TopicAlreadyExistsError):  # another service was first
            admin.create_topics(new_topics=new, validate_only=False)
        created = [t.name for t in missing]
        log.info("topics created", extra={"topics": created})
        return created
    finally:
        admin.close()
