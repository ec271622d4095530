"""Awards service (dịch vụ khen thưởng): standings projected from the event log, candidates,
and the Council's decisions."""

SERVICE = "awards"
