"""Durable background work: the push outbox and the worker that drains it."""
