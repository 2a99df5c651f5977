from django.db import migrations

from orgs.regions import REGIONS


def load_regions(apps, schema_editor):
    Region = apps.get_model("orgs", "Region")
    for code, name in REGIONS:
        Region.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]

    operations = [migrations.RunPython(load_regions, migrations.RunPython.noop)]
