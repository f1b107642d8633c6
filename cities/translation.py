"""Content about offices that this project wrote, stored in every interface language.

django-modeltranslation gives each registered field one column per language (`name_en`,
`name_es`, `name_pt_br`), seeded from `fixtures/pioc_network.<lang>.json`; reading
`office.name` gives the active language, falling back to English.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import Office


@register(Office)
class OfficeTranslation(TranslationOptions):
    fields = ("name",)


TRANSLATED = {Office: OfficeTranslation.fields}
