"""Placements and mentors' evaluations (being built)."""

from django.http import Http404


def _pending(*args, **kwargs):
    raise Http404


placement_create = placement_list = placement_detail = placement_transition = _pending
evaluation_create = _pending
