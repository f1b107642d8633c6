"""Load the framework, the network's data and the report's Part 4 charts from `fixtures/`.

Everything is matched by natural keys (slugs, numbers, titles) and written only where it
differs from what is stored, so loading twice changes nothing — no rows, no history entries.
"""

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models
from django.utils import translation

from cities.models import (
    City,
    Indicator,
    IndicatorValue,
    Network,
    NetworkMembership,
    Office,
    year_end,
)
from cities.translation import TRANSLATED as CITIES_TRANSLATED
from criteria.models import (
    Assessment,
    Criterion,
    CriterionResponse,
    Evidence,
    Framework,
    FundingSource,
    GoodPractice,
    GuidingQuestion,
    OfficeProfile,
    Round,
    RubricLevel,
    Tradeoff,
)
from criteria.seed_translations import (
    ASSESSMENT_FIELDS,
    EVIDENCE_FIELDS,
    FUNDING_FIELDS,
    RESPONSE_FIELDS,
    Index,
    translations_of,
)
from criteria.seed_translations import CITY_FIELDS as CITY_TRANSLATED_FIELDS
from criteria.seed_translations import NETWORK_FIELDS as NETWORK_TRANSLATED_FIELDS
from criteria.seed_translations import OFFICE_FIELDS as OFFICE_TRANSLATED_FIELDS
from criteria.seed_translations import PROFILE_FIELDS as PROFILE_TEXT_FIELDS
from criteria.translation import TRANSLATED

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
FRAMEWORK_FILE = FIXTURES / "pioc_framework.json"
# Translations of the framework content, one file per interface language other than English.
TRANSLATION_FILES = {
    code: FIXTURES / f"pioc_framework.{code}.json" for code, _name in settings.LANGUAGES
    if code != "en"
}
NETWORK_FILE = FIXTURES / "pioc_network.json"
PART4_FILE = FIXTURES / "pioc_part4_assessments.json"
# Translations of the content we wrote for the network and the Part 4 charts (see
# criteria/seed_translations.py), keyed by language code as `get_language()` returns it.
CONTENT_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
PART4_TRANSLATION_FILES = {
    code: FIXTURES / f"pioc_part4_assessments.{code}.json" for code in CONTENT_LANGUAGES
}
NETWORK_TRANSLATION_FILES = {
    code: FIXTURES / f"pioc_network.{code}.json" for code in CONTENT_LANGUAGES
}


class SeedError(Exception):
    """The seed data is inconsistent; the message says where."""


@dataclass
class SeedReport:
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)
    deleted: dict = field(default_factory=dict)

    def count(self, bucket, model):
        name = model._meta.verbose_name_plural
        bucket[name] = bucket.get(name, 0) + 1

    @property
    def changed(self):
        return bool(self.created or self.updated or self.deleted)

    def lines(self):
        for label, bucket in (
            ("created", self.created),
            ("updated", self.updated),
            ("deleted", self.deleted),
        ):
            for name, n in sorted(bucket.items()):
                yield f"  {label} {n} {name}"


def _read(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise SeedError(f"{path} is missing.") from None
    except json.JSONDecodeError as exc:
        raise SeedError(f"{path} is not valid JSON: {exc}") from None


def _coerce(model, name, value):
    """Turn JSON values into what the model field stores, so comparisons are exact."""
    fld = model._meta.get_field(name)
    if value is None:
        return None
    if isinstance(fld, models.DecimalField):
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-fld.decimal_places))
    if isinstance(fld, models.DateTimeField) and isinstance(value, str):
        day = datetime.date.fromisoformat(value)
        return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)
    if isinstance(fld, models.DateField) and isinstance(value, str):
        return datetime.date.fromisoformat(value) if value else None
    return value


def _with_english_columns(model, values):
    """Translated fields are written to their English column too (see criteria/translation.py)."""
    fields = {**TRANSLATED, **CITIES_TRANSLATED}.get(model, ())
    extra = {f"{name}_en": values[name] for name in fields if name in values}
    return {**values, **extra}


def sync(report, model, lookup, values, where):
    """Get the row matching `lookup`, creating it or updating only the fields that differ."""
    values = _with_english_columns(model, values)
    values = {k: _coerce(model, k, v) for k, v in values.items()}
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        changed = True
        bucket = report.created
    else:
        changed = [k for k, v in values.items() if getattr(obj, k) != v]
        for k in changed:
            setattr(obj, k, values[k])
        bucket = report.updated
    if changed:
        _save(obj, where)
        report.count(bucket, model)
    return obj


def _save(obj, where, update_fields=None):
    """Validate the fields and the model's own rules, then write. The table's constraints
    (unique rows, CHECKs) are the database's to enforce: checked by the model as well, each
    costs a query per row, most of a seeding's time. A violation still names where it is."""
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise SeedError(f"{where}: {exc.message_dict}") from None
    try:
        obj.save(update_fields=update_fields)
    except IntegrityError as exc:  # the seeding's transaction is lost: stop, saying where
        raise SeedError(f"{where}: {exc}") from None


def _update(report, obj, values, where):
    """Write `values` into `obj` (already fetched), only the fields that differ."""
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        _save(obj, where, update_fields=changed)
        report.count(report.updated, type(obj))
    return obj


def prune(report, queryset):
    """Delete rows the seed data no longer lists."""
    for obj in queryset:
        obj.delete()
        report.count(report.deleted, type(obj))


def _pick(data, *names, where):
    missing = [n for n in names if n not in data]
    if missing:
        raise SeedError(f"{where}: missing {', '.join(missing)}")
    return {n: data[n] for n in names}


# --- framework -----------------------------------------------------------------------------


def load_framework(report, data):
    fw = data["framework"]
    framework = sync(
        report,
        Framework,
        {"slug": fw["slug"], "version": fw["version"]},
        {
            "name": fw["name"],
            "publisher": fw.get("publisher", ""),
            "description": fw.get("description", ""),
            "source": fw.get("source", ""),
            "is_default": True,
        },
        where="framework",
    )
    for item in data["criteria"]:
        where = f"criterion {item.get('number')}"
        criterion = sync(
            report,
            Criterion,
            {"framework": framework, "number": item["number"]},
            {
                **_pick(item, "slug", "name", "definition", where=where),
                "chart_label": item.get("chart_label", ""),
                "why_it_matters": item.get("why_it_matters", ""),
                "key_takeaways": item.get("key_takeaways", []),
                "source_section": item.get("source_section", ""),
            },
            where=where,
        )
        rubric = item.get("rubric", {})
        if sorted(rubric) != ["0", "1", "2", "3", "4"]:
            raise SeedError(f"{where}: the rubric needs exactly levels 0 to 4")
        for level, descriptor in rubric.items():
            sync(
                report, RubricLevel, {"criterion": criterion, "level": int(level)},
                {"descriptor": descriptor}, where=f"{where}, rubric level {level}",
            )
        questions = item.get("guiding_questions", [])
        for order, text in enumerate(questions, start=1):
            sync(
                report, GuidingQuestion, {"criterion": criterion, "order": order},
                {"text": text}, where=f"{where}, question {order}",
            )
        prune(report, criterion.guiding_questions.filter(order__gt=len(questions)))

        titles = []
        for order, tradeoff in enumerate(item.get("tradeoffs", []), start=1):
            titles.append(tradeoff["title"])
            sync(
                report, Tradeoff, {"criterion": criterion, "title": tradeoff["title"]},
                {"order": order, "summary": tradeoff["summary"],
                 "source_section": tradeoff.get("source_section", "")},
                where=f"{where}, tradeoff {tradeoff['title']!r}",
            )
        prune(report, criterion.tradeoffs.exclude(title__in=titles))

        for practice in item.get("good_practices", []):
            pwhere = f"{where}, practice {practice.get('title')!r}"
            office = _office(practice["office"], pwhere) if practice.get("office") else None
            city = office.city if office else _city(practice["city"], pwhere)
            sync(
                report, GoodPractice,
                {"criterion": criterion, "city": city, "title": practice["title"]},
                {"office": office, "summary": practice["summary"],
                 "source_section": practice.get("source_section", "")},
                where=pwhere,
            )
    return framework


# --- network -------------------------------------------------------------------------------

CITY_FIELDS = (
    "name", "country", "region", "population", "population_year", "population_source",
    "police_control", "police_control_source", "in_report_sample", "context", "source",
)
OFFICE_FIELDS = (
    "name", "local_name", "kind", "institutional_location", "civilian_led", "founded_year",
    "status", "website", "description", "budget_summary", "staff_summary", "staff_fte",
    "funding_summary", "approach_summary", "prevention_primary", "prevention_secondary",
    "prevention_tertiary", "staffing_model", "staff_expertise", "focus_population", "source",
)


def _fields(item, names, defaults=None):
    defaults = defaults or {}
    return {n: item.get(n, defaults.get(n, "")) for n in names if n in item or n in defaults}


def _city(slug, where):
    try:
        return City.objects.get(slug=slug)
    except City.DoesNotExist:
        raise SeedError(f"{where}: no city {slug!r}") from None


def _office(slug, where):
    try:
        return Office.objects.select_related("city").get(slug=slug)
    except Office.DoesNotExist:
        raise SeedError(f"{where}: no office {slug!r}") from None


def _columns(translations, kind, item, names):
    """The per-language columns of one city or office, e.g. {"context_es": ...}.

    A missing translation leaves its column empty, so readers see the English (fallback).
    """
    values = {}
    for code, index in translations.items():
        suffix = code.replace("-", "_")
        for name in names:
            if name in item:
                entry = index.by_path.get((kind, item["slug"], name))
                values[f"{name}_{suffix}"] = entry["text"] if entry else ""
    return values


def load_network(report, data, translations=None):
    """`translations`: {language: seed_translations.Index} of the offices' translations."""
    translations = translations or {}
    networks = {}
    for item in data["networks"]:
        values = _fields(item, ("name", "acronym", "founded_year", "description", "goal",
                                "goal_reduction_percent", "goal_baseline_year",
                                "goal_target_year", "goal_measure", "goal_source", "website",
                                "source"))
        values.update(_columns(translations, "network", item, NETWORK_TRANSLATED_FIELDS))
        networks[item["slug"]] = sync(
            report, Network, {"slug": item["slug"]}, values, where=f"network {item['slug']}",
        )
    for item in data["cities"]:
        where = f"city {item.get('slug')}"
        values = _fields(item, CITY_FIELDS)
        values.update(_columns(translations, "city", item, CITY_TRANSLATED_FIELDS))
        city = sync(report, City, {"slug": item["slug"]}, values, where)
        for slug in item.get("networks", []):
            if slug not in networks:
                raise SeedError(f"{where}: no network {slug!r}")
            sync(
                report, NetworkMembership, {"network": networks[slug], "city": city},
                {"source": item.get("networks_source", "")}, where=f"{where} in {slug}",
            )
    for item in data["offices"]:
        where = f"office {item.get('slug')}"
        values = _fields(item, OFFICE_FIELDS)
        values["city"] = _city(item["city"], where)
        values.update(_columns(translations, "office", item, OFFICE_TRANSLATED_FIELDS))
        sync(report, Office, {"slug": item["slug"]}, values, where)
    for item in data.get("indicators", []):
        where = f"indicator {item.get('city')} {item.get('year')} {item.get('kind')}"
        # A city figure: one year's value of one of the city's outcome series.
        series = sync(
            report, Indicator,
            {"city": _city(item["city"], where), "office": None, "measure": item["kind"],
             "name": item.get("label", ""), "area": item.get("area", "")},
            {"kind": Indicator.Kind.OUTCOME, "cadence": Indicator.Cadence.YEARLY,
             "is_public": True},
            where=where,
        )
        sync(
            report, IndicatorValue, {"indicator": series, "on": year_end(item["year"])},
            {"value": item["value"], "qualifier": item.get("qualifier", "exact"),
             "source": item["source"]},
            where=where,
        )


# --- Part 4 assessments --------------------------------------------------------------------

PROFILE_FIELDS = (
    "institutional_location", "police_control", "budget_amount", "budget_currency",
    "budget_year", "budget_note", "staff_fte", "staff_note", "staffing_model",
    "staff_expertise", "prevention_primary", "prevention_secondary", "prevention_tertiary",
    "focus_population", "mandate_goals", "has_baseline", "last_diagnosis_year",
    "diagnosis_cycle_years", "buy_in_single_champion", "leadership", "formal_strategy",
    "overlapping_mandates", "short_term_contracts", "short_term_contract_share",
    "impact_evaluation", "last_reach_audit_year", "next_transition_year",
    "next_transition_month", "notes",
)


def _translations(translations, names, english, *path):
    """The `content_translations` value of one seeded row: {language: {field: entry}}.

    `english` holds the row's English texts by field name.
    """
    out = {}
    for code, index in translations.items():
        fields = {}
        for name in names:
            if not english.get(name):
                continue
            entry, _path = index.find((*path, name), english[name])
            if entry is not None:
                fields[name] = {"text": entry["text"], "source": entry["source_hash"]}
        if fields:
            out[code] = fields
    return out


def network_of(city):
    """The network a city's rounds belong to: the one it joined first (lowest id), the same
    rule the migration from free-text rounds used (criteria/migrations/0012)."""
    membership = (NetworkMembership.objects.filter(city=city).order_by("network_id")
                  .select_related("network").first())
    if membership is None:
        raise SeedError(f"{city.slug} is in no network, so it has no round to seed into.")
    return membership.network


def seed_round(report, *, network, framework, name, code, opens_on, closes_on, offices=()):
    """The round `code` of `network`, created once with these dates; offices are invited
    (never uninvited, so what the secretariat changed survives a re-seed)."""
    rnd = Round.objects.filter(network=network, code=code).first()
    if rnd is None:
        rnd = Round.objects.create(network=network, framework=framework, name=name, code=code,
                                   opens_on=opens_on, closes_on=closes_on)
        report.count(report.created, Round)
    missing = [o for o in offices if not rnd.invited_offices.filter(pk=o.pk).exists()]
    if missing:
        rnd.invited_offices.add(*missing)
        report.count(report.updated, Round)
    return rnd


def load_part4(report, data, framework, translations=None):
    """`translations`: {language: seed_translations.Index} of the Part 4 translations."""
    translations = translations or {}
    criteria = {c.number: c for c in framework.criteria.all()}
    for item in data["assessments"]:
        key = item.get("key")
        where = f"assessment {key}"
        city = _city(item["city"], where)
        office = _office(item["office"], where) if item.get("office") else None
        year = int(item["round"])  # the Part 4 charts are dated by year (fixtures/SCHEMA.md)
        rnd = seed_round(report, network=network_of(city), framework=framework,
                         name=item["round"], code=item["round"],
                         opens_on=datetime.date(year, 1, 1), closes_on=datetime.date(year, 12, 31),
                         offices=[office] if office else [])
        lookup = {"framework": framework, "round": rnd, "city": city, "office": office}
        assessment = sync(
            report, Assessment, lookup,
            {
                "scope": item["scope"],
                "subject_label": item.get("subject_label", ""),
                "status": item["status"],
                "is_public": True,
                "summary": item.get("summary", ""),
                "source": item.get("source", ""),
                "level_note": item.get("level_note", ""),
                "published_at": item.get("published_on"),
                "published_precision": item.get("published_precision", "day"),
                "content_translations": _translations(translations, ASSESSMENT_FIELDS, item, key),
            },
            where=where,
        )
        profile_data = item.get("profile", {})
        profile = sync(
            report, OfficeProfile, {"assessment": assessment},
            {**{k: profile_data[k] for k in PROFILE_FIELDS if k in profile_data},
             "content_translations": _translations(
                 translations, PROFILE_TEXT_FIELDS, profile_data, key, "profile")},
            where=f"{where}, profile",
        )
        names = []
        for source in profile_data.get("funding_sources", []):
            names.append(source["name"])
            sync(
                report, FundingSource, {"profile": profile, "name": source["name"]},
                {**_fields(source, ("kind", "share_percent", "project_based",
                                    "legally_protected")),
                 "content_translations": _translations(
                     translations, FUNDING_FIELDS, source, key, "funding", source["name"])},
                where=f"{where}, funding {source['name']!r}",
            )
        prune(report, profile.funding_sources.exclude(name__in=names))

        numbers = sorted(r["criterion"] for r in item["responses"])
        if numbers != sorted(criteria):
            raise SeedError(f"{where}: needs one response for each of criteria {sorted(criteria)}")
        for resp in item["responses"]:
            rwhere = f"{where}, criterion {resp['criterion']}"
            response = sync(
                report, CriterionResponse,
                {"assessment": assessment, "criterion": criteria[resp["criterion"]]},
                {**_fields(resp, ("level", "level_rationale", "confidence",
                                  "current_strengths", "opportunities")),
                 "language": "en",
                 "content_translations": _translations(
                     translations, RESPONSE_FIELDS, resp, key, "criterion",
                     str(resp["criterion"]))},
                where=rwhere,
            )
            titles = []
            for ev in resp.get("evidence", []):
                titles.append(ev["title"])
                values = _fields(ev, ("kind", "url", "date", "date_precision", "source", "note"),
                                 defaults={"date_precision": "day"})
                values["strength"] = Evidence.Strength.DOCUMENTED
                values["language"] = "en"
                values["content_translations"] = _translations(
                    translations, EVIDENCE_FIELDS, ev, key, "criterion",
                    str(resp["criterion"]), "evidence", ev["title"])
                sync(report, Evidence, {"response": response, "title": ev["title"]}, values,
                     where=f"{rwhere}, evidence {ev['title']!r}")
            prune(report, response.evidence.exclude(title__in=titles))


# --- translations of the framework ----------------------------------------------------------


def load_translation(report, framework, data):
    """Fill one language's columns of the framework content, matched by English keys."""
    code = data["language"]
    suffix = code.replace("-", "_")
    where = f"{code} translation"

    def put(model, obj, values, item_where):
        columns = {f"{name}_{suffix}": value for name, value in values.items()}
        _update(report, obj, columns, f"{where}, {item_where}")

    put(Framework, framework, data["framework"], "framework")
    criteria = {c.number: c for c in framework.criteria.all()}
    for item in data["criteria"]:
        number = item["number"]
        criterion = criteria.get(number)
        if criterion is None:
            raise SeedError(f"{where}: no criterion {number}")
        cwhere = f"criterion {number}"
        put(Criterion, criterion,
            {k: item[k] for k in ("name", "chart_label", "definition", "why_it_matters",
                                  "key_takeaways")}, cwhere)
        for level in criterion.rubric_levels.all():
            put(RubricLevel, level, {"descriptor": item["rubric"][str(level.level)]},
                f"{cwhere}, rubric {level.level}")
        questions = list(criterion.guiding_questions.all())
        if len(questions) != len(item["guiding_questions"]):
            raise SeedError(f"{where}, {cwhere}: guiding questions do not match the English")
        for question, text in zip(questions, item["guiding_questions"], strict=True):
            put(GuidingQuestion, question, {"text": text}, f"{cwhere}, question {question.order}")
        tradeoffs = {t.title_en: t for t in criterion.tradeoffs.all()}
        for entry in item["tradeoffs"]:
            tradeoff = tradeoffs.get(entry["title_en"])
            if tradeoff is None:
                raise SeedError(f"{where}, {cwhere}: no tradeoff {entry['title_en']!r}")
            put(Tradeoff, tradeoff, {"title": entry["title"], "summary": entry["summary"]},
                f"{cwhere}, tradeoff {entry['title_en']!r}")
        practices = {p.title_en: p for p in criterion.good_practices.all()}
        for entry in item["good_practices"]:
            practice = practices.get(entry["title_en"])
            if practice is None:
                raise SeedError(f"{where}, {cwhere}: no practice {entry['title_en']!r}")
            put(GoodPractice, practice, {"title": entry["title"], "summary": entry["summary"]},
                f"{cwhere}, practice {entry['title_en']!r}")


def _companions(files):
    """{language: Index of its entries} of the translation files that exist."""
    out = {}
    for code, path in files.items():
        if path.exists():
            data = _read(path)
            if data.get("language") != code:
                raise SeedError(f"{path}: \"language\" must be {code!r}")
            out[code] = Index(translations_of(data))
    return out


def load_all():
    """Load every seed file; returns a SeedReport. Call inside a transaction."""
    report = SeedReport()
    # Seed in English: reading a translated field gives the active language's column.
    with translation.override("en"):
        load_network(report, _read(NETWORK_FILE), _companions(NETWORK_TRANSLATION_FILES))
        framework = load_framework(report, _read(FRAMEWORK_FILE))
        load_part4(report, _read(PART4_FILE), framework, _companions(PART4_TRANSLATION_FILES))
        for path in TRANSLATION_FILES.values():
            if path.exists():
                load_translation(report, framework, _read(path))
    return report
