"""The public catalogue of the technikum's programmes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q, QuerySet
from django.views.generic import ListView

from employers.models import DualTrainingPlace
from schools.models import Programme


class ProgrammeListView(ListView):
    template_name = "schools/programme_list.html"
    context_object_name = "programmes"
    http_method_names = ["get", "head"]
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Programme]:
        """Published programmes with their technikum and count of published dual places."""
        return (
            Programme.objects.published()
            .select_related("technikum")
            .annotate(
                dual_place_count=Count(
                    "dual_places", filter=Q(dual_places__status=DualTrainingPlace.Status.PUBLISHED)
                )
            )
            .order_by("okso_code", "form_of_study")
        )


programme_list = login_not_required(ProgrammeListView.as_view())


def _pending(*args, **kwargs):  # being built
    from django.http import Http404

    raise Http404


programme_create = programme_manage = programme_detail = programme_update = _pending
