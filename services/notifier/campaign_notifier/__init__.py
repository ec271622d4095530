"""Notifier service (dịch vụ thông báo): rules on events -> e-mail deliveries to units."""

SERVICE = "notifier"
