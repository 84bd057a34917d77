"""Admin of professions (being built)."""
