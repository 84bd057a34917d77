"""Event pages (being built)."""

from django.http import Http404


def _pending(*args, **kwargs):
    raise Http404


event_list = event_ical = event_create = event_detail = event_update = _pending
event_register = event_attendance = registration_cancel = feedback_create = _pending
