from django.db import migrations

from roadmaps.directions import DIRECTIONS


def load_directions(apps, schema_editor):
    Direction = apps.get_model("roadmaps", "Direction")
    for position, (code, name, group) in enumerate(DIRECTIONS, start=1):
        Direction.objects.update_or_create(
            code=code, defaults={"name": name, "group": group, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("roadmaps", "0001_initial")]

    operations = [migrations.RunPython(load_directions, migrations.RunPython.noop)]
