"""The cities' outcome figures join the indicator model (3 of 3: every indicator has its
city; the old table goes)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cities', '0018_move_city_figures'),
    ]

    operations = [
        migrations.AlterField(
            model_name='indicator',
            name='city',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='indicators', to='cities.city', verbose_name='city'),
        ),
        migrations.AddConstraint(
            model_name='indicator',
            constraint=models.UniqueConstraint(condition=models.Q(('office__isnull', True)), fields=('city', 'measure', 'name', 'area'), name='unique_city_figure_series'),
        ),
        migrations.AddConstraint(
            model_name='indicator',
            constraint=models.CheckConstraint(condition=models.Q(('office__isnull', True), models.Q(('name', ''), _negated=True), _connector='OR'), name='office_indicator_named'),
        ),
        migrations.AddConstraint(
            model_name='indicator',
            constraint=models.CheckConstraint(condition=models.Q(('office__isnull', False), ('measure__in', ['homicides', 'homicide_rate', 'violent_death_rate', 'other']), _connector='OR'), name='city_figure_has_measure'),
        ),
        migrations.AddConstraint(
            model_name='indicator',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('measure', 'other'), _negated=True), models.Q(('name', ''), _negated=True), _connector='OR'), name='other_figure_named'),
        ),
        migrations.AddConstraint(
            model_name='indicatorvalue',
            constraint=models.CheckConstraint(condition=models.Q(('qualifier__in', ['exact', 'about', 'under', 'over'])), name='indicator_value_qualifier_known'),
        ),
        migrations.DeleteModel(
            name='ViolenceIndicator',
        ),
    ]
