"""Celery tasks of the students app: thin wrappers over its services."""

from __future__ import annotations

from celery import shared_task

from students.services.retention import deletion_requests_process, pupils_anonymise


# Idempotent (anonymised rows and done requests are never picked again), so acknowledged late.
@shared_task(acks_late=True)
def data_retention_task() -> dict:
    """Carry out open deletion requests, then anonymise pupils past the retention period."""
    done = deletion_requests_process()
    run = pupils_anonymise()
    return {"deletion_requests": len(done), **run.counts.as_dict()}
