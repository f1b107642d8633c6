"""The cities' outcome figures join the indicator model (2 of 3: the rows move).

Each (city, kind, label, area) of the old `ViolenceIndicator` rows becomes one city series
(an `Indicator` without an office), and each row one of its yearly values (31 December of
the year) with the row's qualifier and source. Office indicators get their office's city.
Nothing is dropped: every old row becomes exactly one value.
"""

import datetime

from django.db import migrations


def move_city_figures(apps, schema_editor):
    Indicator = apps.get_model("cities", "Indicator")
    IndicatorValue = apps.get_model("cities", "IndicatorValue")
    ViolenceIndicator = apps.get_model("cities", "ViolenceIndicator")
    Office = apps.get_model("cities", "Office")
    for office in Office.objects.filter(indicators__isnull=False).distinct():
        Indicator.objects.filter(office=office).update(city_id=office.city_id)
    series = {}
    for row in ViolenceIndicator.objects.order_by("pk"):
        key = (row.city_id, row.kind, row.label, row.area)
        if key not in series:
            series[key] = Indicator.objects.create(
                city_id=row.city_id, office=None, measure=row.kind, name=row.label,
                area=row.area, kind="outcome", cadence="yearly", is_public=True, unit="")
        IndicatorValue.objects.create(
            indicator=series[key], on=datetime.date(row.year, 12, 31), value=row.value,
            qualifier=row.qualifier, source=row.source)


def keep_city_figures(apps, schema_editor):
    """Back: each value of a city series becomes a row again."""
    Indicator = apps.get_model("cities", "Indicator")
    IndicatorValue = apps.get_model("cities", "IndicatorValue")
    ViolenceIndicator = apps.get_model("cities", "ViolenceIndicator")
    for value in IndicatorValue.objects.filter(indicator__office__isnull=True).select_related(
            "indicator"):
        ViolenceIndicator.objects.create(
            city_id=value.indicator.city_id, year=value.on.year, kind=value.indicator.measure,
            label=value.indicator.name, value=value.value, qualifier=value.qualifier,
            area=value.indicator.area, source=value.source)
    Indicator.objects.filter(office__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('cities', '0017_indicators_join_city_figures'),
    ]

    operations = [
        migrations.RunPython(move_city_figures, keep_city_figures),
    ]
