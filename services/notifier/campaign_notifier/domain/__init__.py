"""The notifier's pure core: which notices are due, to whom, about what, for which period.
No broker, database or settings here; adapters hand the rules their facts and a clock."""
