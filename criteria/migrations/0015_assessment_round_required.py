import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("criteria", "0014_rounds_from_text"),
    ]

    operations = [
        # A default first, so that migrating back re-adds the text column to filled tables.
        migrations.AlterField(model_name="assessment", name="round",
                              field=models.CharField(default="", max_length=40)),
        migrations.AlterField(model_name="historicalassessment", name="round",
                              field=models.CharField(default="", max_length=40)),
        migrations.RemoveField(model_name="assessment", name="round"),
        migrations.RemoveField(model_name="historicalassessment", name="round"),
        migrations.RenameField(model_name="assessment", old_name="round_ref", new_name="round"),
        migrations.RenameField(model_name="historicalassessment", old_name="round_ref",
                               new_name="round"),
        migrations.AlterField(
            model_name="assessment",
            name="round",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                    related_name="assessments", to="criteria.round",
                                    verbose_name="round"),
        ),
        migrations.AlterModelOptions(
            name="assessment",
            options={"ordering": ["-round__opens_on", "-round__closes_on", "city__name"],
                     "verbose_name": "assessment", "verbose_name_plural": "assessments"},
        ),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.UniqueConstraint(condition=models.Q(("office__isnull", False)),
                                               fields=("office", "round"),
                                               name="one_assessment_per_office_round"),
        ),
        migrations.AddConstraint(
            model_name="assessment",
            constraint=models.UniqueConstraint(condition=models.Q(("office__isnull", True)),
                                               fields=("city", "round"),
                                               name="one_ecosystem_assessment_per_city_round"),
        ),
    ]
