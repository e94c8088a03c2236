from django.db import migrations, models

from assessment.questionnaire.result import headline


def fill_sector(apps, schema_editor):
    """Copy the sector fact of every stored result into the new column (as
    Assessment.result_columns does for a new one)."""
    Assessment = apps.get_model("assessment", "Assessment")
    batch = []
    rows = Assessment.objects.filter(result__isnull=False).only("pk", "result").order_by("pk")
    for assessment in rows.iterator(chunk_size=1000):
        assessment.sector = headline(assessment.result)[3] or ""
        batch.append(assessment)
        if len(batch) == 1000:
            Assessment.objects.bulk_update(batch, ["sector"])
            batch = []
    Assessment.objects.bulk_update(batch, ["sector"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0016_api_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="sector",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(fields=["campaign", "sector"], name="assessment_campaign_sector"),
        ),
        # Nothing to undo going back: the column goes with the field.
        migrations.RunPython(fill_sector, migrations.RunPython.noop, elidable=True),
    ]
