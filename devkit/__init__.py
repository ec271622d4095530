"""Tools for running the system locally and in tests: the real broker and database started by
deploy/ scripts, services as processes, a mail sink, and the demo feed."""
