"""Polls' and ballots' households, buildings and units now live in compounds
(compounds 0001): state only, the tables and their foreign keys are unchanged."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('compounds', '0001_initial'),
        ('voting', '0002_tie_break_receipts_replacements'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='ballot',
                    name='household',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='compounds.household'),
                ),
                migrations.AlterField(
                    model_name='ballotaudit',
                    name='household',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='compounds.household'),
                ),
                migrations.AlterField(
                    model_name='participation',
                    name='household',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='compounds.household'),
                ),
                migrations.AlterField(
                    model_name='poll',
                    name='building_unit',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='compounds.buildingunit', verbose_name='building unit'),
                ),
                migrations.AlterField(
                    model_name='poll',
                    name='buildings',
                    field=models.ManyToManyField(blank=True, related_name='+', to='compounds.building', verbose_name='buildings'),
                ),
                migrations.AlterField(
                    model_name='votereceipt',
                    name='household',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='compounds.household'),
                ),
            ],
            database_operations=[],
        ),
    ]
