"""The cities' outcome figures join the indicator model (1 of 3: the new columns).

Each (city, kind, label, area) of the old `ViolenceIndicator` rows becomes one city series
(an `Indicator` without an office), and each row one of its yearly values (31 December of
the year) with the row's qualifier and source. Office indicators get their office's city.
Nothing is dropped: every old row becomes exactly one value.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cities', '0016_office_transitions'),
    ]

    operations = [
        # The old model gives its `city.indicators` accessor to the new one.
        migrations.AlterField(
            model_name='violenceindicator',
            name='city',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cities.city', verbose_name='city'),
        ),
        migrations.CreateModel(
            name='CityFigureSeries',
            fields=[
            ],
            options={
                'verbose_name': 'city outcome series',
                'verbose_name_plural': 'city outcome series',
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('cities.indicator',),
        ),
        migrations.AddField(
            model_name='historicalindicator',
            name='area',
            field=models.CharField(blank=True, help_text='e.g. metropolitan area.', max_length=200, verbose_name='area'),
        ),
        migrations.AddField(
            model_name='historicalindicator',
            name='city',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cities.city', verbose_name='city'),
        ),
        migrations.AddField(
            model_name='historicalindicator',
            name='measure',
            field=models.CharField(blank=True, choices=[('homicides', 'Homicides (count)'), ('homicide_rate', 'Homicide rate per 100,000'), ('violent_death_rate', 'Violent deaths per 100,000'), ('other', 'Other')], help_text='What a city figure counts; office indicators leave it empty.', max_length=20, verbose_name='measure'),
        ),
        migrations.AddField(
            model_name='historicalindicatorvalue',
            name='qualifier',
            field=models.CharField(choices=[('exact', 'exactly'), ('about', 'about'), ('under', 'under'), ('over', 'over')], default='exact', max_length=8, verbose_name='qualifier'),
        ),
        migrations.AddField(
            model_name='historicalindicatorvalue',
            name='source',
            field=models.TextField(blank=True, help_text="Where this value comes from, when not the indicator's own source.", max_length=2000, verbose_name='source'),
        ),
        migrations.AddField(
            model_name='indicator',
            name='area',
            field=models.CharField(blank=True, help_text='e.g. metropolitan area.', max_length=200, verbose_name='area'),
        ),
        migrations.AddField(
            model_name='indicator',
            name='city',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='indicators', to='cities.city', verbose_name='city'),
        ),
        migrations.AddField(
            model_name='indicator',
            name='measure',
            field=models.CharField(blank=True, choices=[('homicides', 'Homicides (count)'), ('homicide_rate', 'Homicide rate per 100,000'), ('violent_death_rate', 'Violent deaths per 100,000'), ('other', 'Other')], help_text='What a city figure counts; office indicators leave it empty.', max_length=20, verbose_name='measure'),
        ),
        migrations.AddField(
            model_name='indicatorvalue',
            name='qualifier',
            field=models.CharField(choices=[('exact', 'exactly'), ('about', 'about'), ('under', 'under'), ('over', 'over')], default='exact', max_length=8, verbose_name='qualifier'),
        ),
        migrations.AddField(
            model_name='indicatorvalue',
            name='source',
            field=models.TextField(blank=True, help_text="Where this value comes from, when not the indicator's own source.", max_length=2000, verbose_name='source'),
        ),
        migrations.AlterField(
            model_name='historicalindicator',
            name='name',
            field=models.CharField(blank=True, max_length=200, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='historicalindicator',
            name='office',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text="Empty for the city's own outcome figures.", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cities.office', verbose_name='office'),
        ),
        migrations.AlterField(
            model_name='historicalindicator',
            name='unit',
            field=models.CharField(blank=True, help_text='What one number counts, e.g. homicides per 100,000 people, % of respondents, meetings held.', max_length=100, verbose_name='unit'),
        ),
        migrations.AlterField(
            model_name='indicator',
            name='name',
            field=models.CharField(blank=True, max_length=200, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='indicator',
            name='office',
            field=models.ForeignKey(blank=True, help_text="Empty for the city's own outcome figures.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='indicators', to='cities.office', verbose_name='office'),
        ),
        migrations.AlterField(
            model_name='indicator',
            name='unit',
            field=models.CharField(blank=True, help_text='What one number counts, e.g. homicides per 100,000 people, % of respondents, meetings held.', max_length=100, verbose_name='unit'),
        ),
    ]
