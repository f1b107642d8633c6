"""Framework content stored in every interface language (django-modeltranslation).

Each registered field gets one column per language (`name_en`, `name_es`, `name_pt_br`);
reading `criterion.name` gives the active language, falling back to English.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import Criterion, Framework, GoodPractice, GuidingQuestion, RubricLevel, Tradeoff


@register(Framework)
class FrameworkTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Criterion)
class CriterionTranslation(TranslationOptions):
    fields = ("name", "chart_label", "definition", "why_it_matters", "key_takeaways")


@register(RubricLevel)
class RubricLevelTranslation(TranslationOptions):
    fields = ("descriptor",)


@register(GuidingQuestion)
class GuidingQuestionTranslation(TranslationOptions):
    fields = ("text",)


@register(Tradeoff)
class TradeoffTranslation(TranslationOptions):
    fields = ("title", "summary")


@register(GoodPractice)
class GoodPracticeTranslation(TranslationOptions):
    fields = ("title", "summary")


# What each model translates, for seeding and completeness checks.
TRANSLATED = {
    Framework: FrameworkTranslation.fields,
    Criterion: CriterionTranslation.fields,
    RubricLevel: RubricLevelTranslation.fields,
    GuidingQuestion: GuidingQuestionTranslation.fields,
    Tradeoff: TradeoffTranslation.fields,
    GoodPractice: GoodPracticeTranslation.fields,
}
