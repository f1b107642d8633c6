"""Every free-text round becomes a Round object (docs/access.md, "Rounds", says how).

- One Round per (network, framework, old text). The network is the one the assessment's city
  belongs to; a city in several networks takes the network with the lowest id (the one that
  was recorded first), so the result never depends on query order. A city in no network gets
  the network "unaffiliated" (created here only if needed), so no assessment is left behind.
- name = the old text as typed; code = the text reduced to lowercase letters, digits and
  hyphens ("2026/27" → "2026-27", "dos mil veintisiete" → "dos-mil-veintisiete"), with "-2",
  "-3"… when two texts of one network reduce to the same code.
- Dates: a text that starts with a year (2023, "2026/27") opens on 1 January and closes on
  31 December of that year; any other text spans its assessments' first creation to their
  last creation, submission or publication date.
- Invited: the offices that had an assessment in it.
"""

import re
import unicodedata
from datetime import date

from django.db import migrations


def code_for(text):
    ascii_text = (unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
                  .decode("ascii").lower())
    code = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:36].strip("-")
    return code or "round"


def _network_for(city_id, apps, cache):
    if city_id not in cache:
        Membership = apps.get_model("cities", "NetworkMembership")
        network_id = (Membership.objects.filter(city_id=city_id).order_by("network_id")
                      .values_list("network_id", flat=True).first())
        if network_id is None:
            Network = apps.get_model("cities", "Network")
            network_id = Network.objects.get_or_create(
                slug="unaffiliated",
                defaults={"name": "Cities outside any network",
                          "description": "Created when free-text rounds became round objects, "
                                         "for assessments of cities in no network."},
            )[0].pk
        cache[city_id] = network_id
    return cache[city_id]


def forwards(apps, schema_editor):
    Assessment = apps.get_model("criteria", "Assessment")
    Historical = apps.get_model("criteria", "HistoricalAssessment")
    Round = apps.get_model("criteria", "Round")
    networks = {}
    groups = {}  # (network, framework, text) → list of assessment rows
    rows = Assessment.objects.order_by("pk").values(
        "pk", "city_id", "office_id", "framework_id", "round", "created_at", "submitted_at",
        "published_at")
    for row in rows:
        key = (_network_for(row["city_id"], apps, networks), row["framework_id"], row["round"])
        groups.setdefault(key, []).append(row)
    used = {}  # network → codes taken
    rounds = {}
    for (network_id, framework_id, text), members in sorted(
            groups.items(), key=lambda item: (item[0][0], item[0][1], item[0][2])):
        existing = Round.objects.filter(network_id=network_id, framework_id=framework_id,
                                        name=text[:100]).first()
        if existing is not None:  # migrated before (e.g. back and forth): reuse it
            existing.invited_offices.add(*{m["office_id"] for m in members if m["office_id"]})
            rounds[(network_id, framework_id, text)] = existing.pk
            Assessment.objects.filter(pk__in=[m["pk"] for m in members]).update(
                round_ref=existing.pk)
            continue
        taken = used.setdefault(
            network_id, set(Round.objects.filter(network_id=network_id)
                            .values_list("code", flat=True)))
        base = code = code_for(text)
        n = 2
        while code in taken:
            code = f"{base}-{n}"
            n += 1
        taken.add(code)
        year = re.match(r"\s*(\d{4})(?!\d)", text)
        if year and 1900 <= int(year.group(1)) <= 2999:
            opens, closes = date(int(year.group(1)), 1, 1), date(int(year.group(1)), 12, 31)
        else:
            moments = [m[f] for m in members for f in ("created_at", "submitted_at",
                                                       "published_at") if m[f]]
            opens = min(m["created_at"] for m in members).date()
            closes = max(max(moments).date(), opens)
        rnd = Round.objects.create(network_id=network_id, framework_id=framework_id,
                                   name=text[:100], code=code, opens_on=opens, closes_on=closes)
        rnd.invited_offices.set({m["office_id"] for m in members if m["office_id"]})
        rounds[(network_id, framework_id, text)] = rnd.pk
        Assessment.objects.filter(pk__in=[m["pk"] for m in members]).update(round_ref=rnd.pk)
    # History rows follow (their city may have left every network since: same rule).
    for row in Historical.objects.values("history_id", "city_id", "framework_id", "round"):
        if row["city_id"] is None:
            continue
        key = (_network_for(row["city_id"], apps, networks), row["framework_id"], row["round"])
        if key in rounds:
            Historical.objects.filter(history_id=row["history_id"]).update(round_ref=rounds[key])


def backwards(apps, schema_editor):
    Assessment = apps.get_model("criteria", "Assessment")
    Historical = apps.get_model("criteria", "HistoricalAssessment")
    Round = apps.get_model("criteria", "Round")
    names = dict(Round.objects.values_list("pk", "name"))
    for model in (Assessment, Historical):
        for pk, ref in model.objects.exclude(round_ref=None).values_list("pk", "round_ref"):
            model.objects.filter(pk=pk).update(round=names[ref][:40])


class Migration(migrations.Migration):

    dependencies = [
        ("cities", "0009_network_text_per_language"),
        ("criteria", "0013_rounds"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
