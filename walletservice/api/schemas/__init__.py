"""Pydantic models of the integrator API: they validate requests and shape the OpenAPI document."""
