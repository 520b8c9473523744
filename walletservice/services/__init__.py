"""Business rules. Functions take a session and plain values, flush, and never commit."""
