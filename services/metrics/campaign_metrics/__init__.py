"""Metrics service (dịch vụ chỉ số): portal records in, the campaign's indicators out."""

SERVICE = "metrics"
