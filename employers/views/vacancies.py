"""Vacancies and employers' profiles (being built)."""

from django.http import Http404


def _pending(*args, **kwargs):
    raise Http404


vacancy_detail = vacancy_create = vacancy_update = vacancy_transition = vacancy_manage = _pending
employer_profile = _pending
