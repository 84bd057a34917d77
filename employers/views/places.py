"""Dual-training places (being built)."""

from django.http import Http404


def _pending(*args, **kwargs):
    raise Http404


place_detail = place_create = place_update = place_manage = _pending
