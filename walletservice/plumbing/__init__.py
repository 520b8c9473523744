"""Mechanisms without business rules, importable from any layer: JSON value helpers,
the byte-budget memory cache and outbound HTTP with destination pinning."""
