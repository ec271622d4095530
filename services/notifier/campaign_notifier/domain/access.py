"""Who may read the delivery log and resend: every signed-in role reads, a unit only its own
deliveries; the operators and the Office resend."""

from __future__ import annotations

from dataclasses import dataclass

RESENDERS = ("operator", "office")


class Refused(Exception):
    """`status` names the gRPC status, `reason` is a stable English code, `message` is for
    people (Vietnamese)."""

    def __init__(self, status: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Reader:
    role: str
    unit_code: str | None


def unit_filter(reader: Reader, requested: str) -> str:
    """The unit whose deliveries the reader sees: a unit only its own."""
    if reader.role != "unit":
        return requested
    if requested and requested != reader.unit_code:
        raise Refused("PERMISSION_DENIED", "other_unit",
                      "Đơn vị chỉ được xem thông báo gửi cho đơn vị mình.")
    return reader.unit_code or ""


def check_resend(reader: Reader) -> None:
    if reader.role not in RESENDERS:
        raise Refused("PERMISSION_DENIED", "role_not_allowed",
                      "Chỉ tổ vận hành hoặc Văn phòng Sở được gửi lại thông báo.")
