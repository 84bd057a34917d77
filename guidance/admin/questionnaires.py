"""Admin of questionnaires (being built)."""
