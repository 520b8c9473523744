"""The floor of durable background work: rows and leases, no business rules, no Flask.

Services enqueue work here in their own transaction; workers claim it with a
lease (`leases.claim`), retry it under one policy (`retry.RetryPolicy`) and
record the outcome. Each kind of work keeps its own table, so the push outbox's
set-based expansion and batched claims stay one statement each:

- `pushes`: push requests and their per-device deliveries;
- `webhooks`: webhook deliveries;
- `jobs`: background jobs run in chunks, and the JobKind a service declares for each.
"""
