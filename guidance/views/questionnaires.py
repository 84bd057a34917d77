"""Questionnaire pages (being built)."""

from django.http import Http404


def _pending(*args, **kwargs):
    raise Http404


assignment_create = assignment_list = assignment_detail = code_entry = _pending
questionnaire_take = paper_entry = result_detail = _pending
