import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_do_not_drift():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # makemigrations --check exits 1 when a migration is missing
        pytest.fail(f"Missing migrations:\n{out.getvalue()} ({exc})")


@pytest.mark.django_db(transaction=True)
def test_free_text_rounds_become_round_objects():
    """0012: one Round per (network, framework, text); code from the text; year dates; the
    offices that had assessments invited; the city's first network when it has several."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("criteria", "0013_rounds"), ("cities", "0009_network_text_per_language")]
    after = [("criteria", "0014_rounds_from_text")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Network = apps.get_model("cities", "Network")
    City = apps.get_model("cities", "City")
    Office = apps.get_model("cities", "Office")
    Membership = apps.get_model("cities", "NetworkMembership")
    Framework = apps.get_model("criteria", "Framework")
    Assessment = apps.get_model("criteria", "Assessment")
    first = Network.objects.create(slug="m-first", name="First")
    second = Network.objects.create(slug="m-second", name="Second")
    city = City.objects.create(slug="m-city", name="M City", country="CO", region="latin_america")
    Membership.objects.create(network=second, city=city)
    Membership.objects.create(network=first, city=city)
    lonely = City.objects.create(slug="m-lonely", name="Lonely", country="CO",
                                 region="latin_america")
    a = Office.objects.create(slug="m-a", city=city, name="A")
    b = Office.objects.create(slug="m-b", city=city, name="B")
    c = Office.objects.create(slug="m-c", city=lonely, name="C")
    framework = Framework.objects.create(slug="m-fw", name="FW", version="m1")
    for office, text in ((a, "2026/27"), (b, "2026/27"), (a, "dos mil veintisiete"),
                         (c, "2023")):
        Assessment.objects.create(framework=framework, office=office, city=office.city,
                                  scope="office", round=text)
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    Round = apps.get_model("criteria", "Round")
    Assessment = apps.get_model("criteria", "Assessment")
    rounds = {r.code: r for r in Round.objects.filter(framework__slug="m-fw")}
    assert set(rounds) == {"2026-27", "dos-mil-veintisiete", "2023"}
    r = rounds["2026-27"]
    assert r.name == "2026/27" and r.network.slug == min(
        [first, second], key=lambda n: n.pk).slug
    assert (r.opens_on.isoformat(), r.closes_on.isoformat()) == ("2026-01-01", "2026-12-31")
    assert set(r.invited_offices.values_list("slug", flat=True)) == {"m-a", "m-b"}
    assert rounds["2023"].network.slug == "unaffiliated"
    free = rounds["dos-mil-veintisiete"]
    assert free.opens_on <= free.closes_on
    assert not Assessment.objects.filter(framework__slug="m-fw", round_ref__isnull=True).exists()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_city_outcome_figures_join_the_indicator_model_without_loss():
    """0017–0019: every old figure becomes exactly one value of its city series (city, kind,
    label, area), with its year, value, qualifier and source; office indicators get their
    office's city; back again, the same rows return."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("cities", "0016_office_transitions")]
    after = [("cities", "0019_city_figures_constraints")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    City = apps.get_model("cities", "City")
    Office = apps.get_model("cities", "Office")
    Old = apps.get_model("cities", "ViolenceIndicator")
    Indicator = apps.get_model("cities", "Indicator")
    city = City.objects.create(slug="j-city", name="J City", country="CO",
                               region="latin_america_caribbean")
    office = Office.objects.create(slug="j-office", city=city, name="J Office")
    Indicator.objects.create(office=office, name="Mediations", kind="process", unit="n")
    rows = [
        (2011, "homicide_rate", "", "98.10", "exact", "", "Retreat"),
        (2022, "homicide_rate", "", "42.90", "exact", "", "Retreat 2"),
        (2022, "homicides", "", "287.00", "exact", "metro", "n. 63"),
        (2021, "homicide_rate", "", "22.10", "exact", "metro", "n. 63"),
        (2022, "other", "Share with firearms", "70.00", "over", "metro", "n. 63"),
    ]
    for year, kind, label, value, qualifier, area, source in rows:
        Old.objects.create(city=city, year=year, kind=kind, label=label, value=value,
                           qualifier=qualifier, area=area, source=source)

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    Indicator = apps.get_model("cities", "Indicator")
    Value = apps.get_model("cities", "IndicatorValue")
    moved = sorted(
        (v.on.year, v.indicator.measure, v.indicator.name, f"{v.value:.2f}", v.qualifier,
         v.indicator.area, v.source)
        for v in Value.objects.filter(indicator__city__slug="j-city",
                                      indicator__office__isnull=True))
    assert moved == sorted(rows)
    assert all(v.on.month == 12 and v.on.day == 31 for v in Value.objects.filter(
        indicator__city__slug="j-city", indicator__office__isnull=True))
    # One series per (kind, label, area): the two city-wide rates share one.
    assert Indicator.objects.filter(city__slug="j-city", office__isnull=True).count() == 4
    assert Indicator.objects.get(name="Mediations").city.slug == "j-city"

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Old = apps.get_model("cities", "ViolenceIndicator")
    back = sorted((o.year, o.kind, o.label, f"{o.value:.2f}", o.qualifier, o.area, o.source)
                  for o in Old.objects.filter(city__slug="j-city"))
    assert back == sorted(rows)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture(autouse=True)
def _reseed_after_flush(request):
    """A transactional test empties the database when it ends; put the session's seed back."""
    yield
    if request.node.get_closest_marker("django_db") and request.node.get_closest_marker(
            "django_db").kwargs.get("transaction"):
        from django.test import override_settings

        with override_settings(DEBUG=True):
            call_command("seed_demo", verbosity=0, stdout=io.StringIO())
