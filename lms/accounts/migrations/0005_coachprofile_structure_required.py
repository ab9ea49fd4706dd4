import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_structures")]

    operations = [
        migrations.RemoveField("coachprofile", "structure_name"),
        migrations.AlterField(
            model_name="coachprofile",
            name="structure",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="coach_profiles",
                to="accounts.structure",
                verbose_name="structure",
            ),
        ),
    ]
