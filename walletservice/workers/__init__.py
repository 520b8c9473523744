"""The background loops and the supervisor they run under.

The loops: `push_sender` (with `push_results` and `apns_clients`), `webhook_sender`
and `job_runner` (the kinds it runs: `job_kinds`); the scheduler's loop lives in
walletservice/scheduling. They claim work from the queue floor (walletservice/queue),
call services, and record; no business rule lives here. `supervisor` runs each loop
in a thread and restarts it after a database or network fault; `heartbeats` is the
table of who is alive, read by /readyz and `wallet status`; `runner` starts the set
of loops a process runs.
"""
