"""Published contracts of the campaign platform: events, topics, the inbound portal record and
the campaign file. The only package services import from each other."""
