"""One module per report topic; importing them fills reports.registry.REPORTS in order."""

from reports.definitions import (  # noqa: F401
    career_minimum,
    continuity,
    coverage,
    dual_training,
    events,
    interests,
    labour_balance,
    paths,
    trends,
)
