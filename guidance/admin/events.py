"""Admin of events (being built)."""
