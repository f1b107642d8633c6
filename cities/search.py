"""Search that ignores accents and case, the same on SQLite and PostgreSQL.

Each searchable model keeps a `search_text` column: the text a reader may search for (names
and titles in every interface language) folded once in Python — decomposed, accents dropped,
case folded — so "medellin", "MEDELLÍN" and "Medellín" are the same word. A query is folded the
same way and matched with a plain `LIKE`, which both databases run alike (PostgreSQL's
`unaccent` and SQLite's `NOCASE` disagree on what an accent is; Python's Unicode tables do not
depend on the database). The column is written by `save()` and, for rows that existed before
it, by the migration that added it; bulk writes call `refresh_search_text` themselves.
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

MAX_WORDS = 8


def fold(text) -> str:
    """`text` without accents, case-folded, with runs of white space made one space."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def words(query) -> list[str]:
    """The folded words of a search query (at most MAX_WORDS; the rest are ignored)."""
    return fold(query).split()[:MAX_WORDS]


def matching(query, *paths) -> Q:
    """Rows where every word of `query` is in the search text at one of `paths`.

    `paths` name search_text columns, e.g. "search_text", "city__search_text". A row matches
    a word when any of them contains it; it matches the query when it matches every word.
    """
    condition = Q()
    for word in words(query):
        any_path = Q()
        for path in paths:
            any_path |= Q(**{f"{path}__contains": word})
        condition &= any_path
    return condition


class Searchable(models.Model):
    """A model with a folded `search_text`, built from `search_document()`."""

    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)

    def search_document(self) -> list[str]:  # pragma: no cover - every subclass says
        raise NotImplementedError

    def refresh_search_text(self):
        self.search_text = fold(" ".join(t for t in self.search_document() if t))
        return self.search_text


def country_names(country) -> list[str]:
    """The name of `country` (a django-countries Country) in every interface language."""
    names = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.append(str(country.name or ""))
    return names


def translated_values(instance, name, languages) -> list[str]:
    """`name` in every language column modeltranslation gave it (name_en, name_es, …)."""
    values = [getattr(instance, name, "")]
    for code in languages:
        values.append(getattr(instance, f"{name}_{code.replace('-', '_')}", "") or "")
    return values
