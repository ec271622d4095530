"""Adapters of the metrics service around its domain: tables, the projection of portal records,
announcements, queries, the gRPC API, the command line, telemetry."""
