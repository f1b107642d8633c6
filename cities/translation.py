"""Networks, cities and offices as we described them, stored in every interface language.

django-modeltranslation gives each registered field one column per language (`name_en`,
`name_es`, `name_pt_br`), seeded from `fixtures/pioc_network.<lang>.json`; reading
`office.name` gives the active language, falling back to English.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import City, Network, Office


@register(Office)
class OfficeTranslation(TranslationOptions):
    fields = ("name", "description", "budget_summary", "staff_summary", "funding_summary",
              "approach_summary", "focus_population")


@register(City)
class CityTranslation(TranslationOptions):
    fields = ("context",)


@register(Network)
class NetworkTranslation(TranslationOptions):
    fields = ("description", "goal")


TRANSLATED = {Office: OfficeTranslation.fields, City: CityTranslation.fields,
              Network: NetworkTranslation.fields}
