"""Leases for background tasks: a task's claim expires unless its worker heartbeats, and a
restarted worker takes over what a killed one left (see :mod:`parindex.jobs.leases`)."""
