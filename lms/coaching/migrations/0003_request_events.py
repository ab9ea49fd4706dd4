"""The events of a request (each origin that opened or joined it); the old constraint goes.

The new one, one active request per (learner, pathway), is added by 0005 once 0004 has
merged the duplicates it would refuse.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('coaching', '0002_verbose_names'),
        ('pathways', '0007_pathwaypage_coaching_competences_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RequestEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('origin', models.CharField(choices=[('checkpoint', 'Balise de progression'), ('help', "Demande d'aide"), ('inactivity', 'Inactivité'), ('self_assessment', 'Autodiagnostic')], max_length=16, verbose_name='origine')),
                ('point_id', models.CharField(max_length=64)),
                ('message', models.TextField(blank=True, max_length=4000, verbose_name='message de la personne')),
                ('where', models.CharField(blank=True, max_length=255, verbose_name='où en est la personne')),
                ('opened_request', models.BooleanField(default=False)),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('announced_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'verbose_name': 'événement de demande',
                'verbose_name_plural': 'événements de demande',
                'ordering': ['created_at', 'pk'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='coachingrequest',
            name='one_active_request_per_point',
        ),
        migrations.AddField(
            model_name='requestevent',
            name='request',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='coaching.coachingrequest'),
        ),
        migrations.AddIndex(
            model_name='requestevent',
            index=models.Index(condition=models.Q(('announced_at__isnull', True)), fields=['created_at'], name='request_event_to_announce'),
        ),
    ]
