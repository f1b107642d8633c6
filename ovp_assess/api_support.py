"""Plumbing shared by every API view: strict query parameters, pagination, error shapes.

Bad input must be a 400 that names the field, never a 500 and never silently ignored:
DRF by default ignores unknown query parameters and unknown ordering terms, and answers a
malformed page number with 404. Researchers build URLs by hand; a typo that silently returns
the unfiltered data would be worse than an error.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import filters, pagination, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

#: Parameters every list accepts besides its filters.
COMMON_PARAMS = {"page", "page_size", "ordering", "format"}
MAX_ID = 2**63 - 1


def positive_int(value, field):
    """`value` as an int id in the database's range, or a 400 naming `field`."""
    text = str(value).strip()
    if not text.isdigit() or not 0 < int(text) <= MAX_ID:
        raise ValidationError({field: [_("Expected a positive whole number.")]})
    return int(text)


def allowed_params(view) -> set[str]:
    names = set(COMMON_PARAMS) | set(getattr(view, "extra_query_params", ()))
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is not None:
        names |= set(filterset_class.base_filters)
    return names


class StrictQueryParams(filters.BaseFilterBackend):
    """Refuse query parameters the endpoint does not know (400, naming each one)."""

    def filter_queryset(self, request, queryset, view):
        allowed = allowed_params(view)
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise ValidationError({
                name: [_("Unknown parameter. Allowed: %(allowed)s.")
                       % {"allowed": ", ".join(sorted(allowed))}]
                for name in unknown
            })
        return queryset


class StrictOrdering(filters.OrderingFilter):
    """Ordering by a field the endpoint does not offer is a 400, not a silent no-op."""

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if not params:
            return self.get_default_ordering(view)
        fields = [p.strip() for p in params.split(",") if p.strip()]
        context = {"request": request}
        valid = {name for name, _label in self.get_valid_fields(queryset, view, context)}
        bad = [f for f in fields if f.lstrip("-") not in valid]
        if bad or not fields:
            raise ValidationError({self.ordering_param: [
                _("Cannot order by %(bad)s. Choose from: %(valid)s.")
                % {"bad": ", ".join(bad) or "''", "valid": ", ".join(sorted(valid))}
            ]})
        return fields


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        if self.page_size_query_param in request.query_params:
            size = positive_int(request.query_params[self.page_size_query_param], "page_size")
            return min(size, self.max_page_size)
        return self.page_size

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw != "last":
            positive_int(raw, "page")
        try:
            return super().paginate_queryset(queryset, request, view)
        except Exception as exc:  # NotFound for a page past the end
            if getattr(exc, "status_code", None) == 404:
                raise ValidationError({"page": [_("There is no such page.")]}) from exc
            raise


def exception_handler(exc, context):
    # A model's full_clean() or a form helper may raise Django's ValidationError; it is the
    # caller's mistake, so a 400 with the fields, not a 500.
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = ValidationError(detail)
    return drf_exception_handler(exc, context)


class ErrorSerializer(serializers.Serializer):
    """The shape of a 400: field name → list of messages (documented in the schema)."""

    detail = serializers.CharField(required=False)
