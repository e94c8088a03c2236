from django.db import migrations


def count_again(apps, schema_editor):
    """Store every campaign's tallies in the new format (with the members by sector), so that no
    campaign page counts them on each read until the campaign's next write. Uses the app's own
    counting, as the services do after a write (the tallies are what that code computes)."""
    from assessment import services

    Campaign = apps.get_model("assessment", "Campaign")
    for pk in Campaign.objects.values_list("pk", flat=True).order_by("pk"):
        services.campaign_tallies_refresh(pk)


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0019_member_indexes_cover"),
    ]

    # Nothing to undo going back: older code counts tallies of another format again when read.
    operations = [migrations.RunPython(count_again, migrations.RunPython.noop, elidable=True)]
