"""Metrics service (dịch vụ chỉ số): portal records in, indicators K1–K3 out."""

SERVICE = "metrics"
