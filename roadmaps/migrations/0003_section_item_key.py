"""A stable key on sections and items, shared by every version of a plan.

AddField computes a callable default once, so existing rows would all get the same UUID: the key
is added as nullable, every row gets its own (its historical rows the same one), then it is made
required and unique within a plan.
"""

import uuid

from django.db import migrations, models


def give_each_row_its_own_key(apps, schema_editor):
    for model_name in ("Section", "Item"):
        model = apps.get_model("roadmaps", model_name)
        history = apps.get_model("roadmaps", f"Historical{model_name}")
        for pk in model.objects.values_list("pk", flat=True).iterator():
            key = uuid.uuid4()
            model.objects.filter(pk=pk).update(key=key)
            history.objects.filter(id=pk).update(key=key)
        history.objects.filter(key__isnull=True).update(key=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("roadmaps", "0002_directions")]

    operations = [
        *(
            migrations.AddField(
                model_name=model_name,
                name="key",
                field=models.UUIDField(editable=False, null=True, verbose_name="ключ"),
            )
            for model_name in ("section", "item", "historicalsection", "historicalitem")
        ),
        migrations.RunPython(give_each_row_its_own_key, migrations.RunPython.noop),
        *(
            migrations.AlterField(
                model_name=model_name,
                name="key",
                field=models.UUIDField(
                    db_index=True, default=uuid.uuid4, editable=False, verbose_name="ключ"
                ),
            )
            for model_name in ("section", "item", "historicalsection", "historicalitem")
        ),
        migrations.AddConstraint(
            model_name="section",
            constraint=models.UniqueConstraint(
                fields=("roadmap", "key"), name="section_unique_key"
            ),
        ),
        migrations.AddConstraint(
            model_name="item",
            constraint=models.UniqueConstraint(fields=("roadmap", "key"), name="item_unique_key"),
        ),
    ]
