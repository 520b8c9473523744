"""The background loops (push sender, webhook sender, job runner, scheduler) under one supervisor.

`supervisor` runs each loop in a thread and restarts it after a database or
network fault; `heartbeats` is the table of who is alive, read by /readyz and
`wallet status`; `runner` starts the set of loops a process runs.
"""
