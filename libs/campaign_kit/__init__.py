"""What every service needs the same way: settings, logs, database, tracked consumers, the
outbox, topic administration and the process runtime (FastStream + gRPC + /metrics)."""
