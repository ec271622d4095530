"""The awards service's rules, pure: points and ranks, periods, forecasts, award conditions,
candidates and the Council's decisions. Nothing here imports a broker, an ORM or settings."""
