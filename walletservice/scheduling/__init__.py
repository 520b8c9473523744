"""Scheduled work: leader election through the database, APScheduler, built-in jobs."""
