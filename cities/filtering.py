"""What every data view's filters share: strict query strings, chips and data-only options.

A data view (a page, its CSV/XLSX/JSON downloads and its API twin) reads its query string
through ONE FilterSet, so the same query string means the same rows everywhere. Unknown
parameters are refused everywhere alike (a 400 naming them), never silently ignored by one
twin and not the other.
"""

from __future__ import annotations

from dataclasses import dataclass

import django_filters
from django.utils.translation import gettext_lazy as _

#: Parameters that are not filters but may stand beside them: the API's paging and
#: ordering, and an export's shape. They never change which rows match.
NOT_FILTERS = frozenset({"page", "page_size", "ordering", "format", "shape"})


class StrictFilterSet(django_filters.FilterSet):
    """A FilterSet whose query string may hold only its filters (and NOT_FILTERS)."""

    @property
    def unknown(self) -> list[str]:
        return sorted(set(self.data) - set(self.filters) - NOT_FILTERS)

    def is_valid(self):
        return super().is_valid() and not self.unknown

    def error_dict(self) -> dict[str, list[str]]:
        """Bad values and unknown parameters, keyed by parameter (for a 400 or the page).

        (`errors` stays django-filter's ErrorDict: the API's filter backend reads it.)"""
        errors = {name: [str(m) for m in messages]
                  for name, messages in self.form.errors.items()}
        for name in self.unknown:
            errors[name[:40]] = [str(_("Unknown parameter: not a filter of this view."))]
        return errors


@dataclass(frozen=True)
class Chip:
    """One selected filter value, and the query string without it."""

    label: str
    value: str
    remove_query: str


def chips(query, labels) -> list[Chip]:
    """Chips for the values in `query` (a QueryDict) that `labels` knows.

    `labels` maps a parameter to (its label, {value: value label}); a value missing from the
    dict is shown as typed (e.g. search words).
    """
    result = []
    for name, (label, names) in labels.items():
        for value in query.getlist(name):
            if not value:
                continue
            rest = query.copy()
            rest.setlist(name, [v for v in query.getlist(name) if v != value])
            rest.pop("page", None)
            result.append(Chip(label=str(label), value=str(names.get(value, value)),
                               remove_query=rest.urlencode()))
    return result
