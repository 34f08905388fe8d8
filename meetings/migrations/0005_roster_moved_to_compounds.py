"""The roster models left this app for compounds (compounds 0001): state
only; the tables stay, now owned by compounds' models (db_table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('compounds', '0001_initial'),
        ('meetings', '0004_attendance_sign_in'),
        ('voting', '0003_households_in_compounds'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='buildingunit',
                    name='building',
                ),
                migrations.RemoveField(
                    model_name='household',
                    name='unit',
                ),
                migrations.AlterField(
                    model_name='meeting',
                    name='compound',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='meetings', to='compounds.compound'),
                ),
                migrations.RemoveField(
                    model_name='staffrole',
                    name='compound',
                ),
                migrations.RemoveField(
                    model_name='household',
                    name='compound',
                ),
                migrations.RemoveField(
                    model_name='rosterupload',
                    name='compound',
                ),
                migrations.RemoveField(
                    model_name='credential',
                    name='household',
                ),
                migrations.RemoveField(
                    model_name='credential',
                    name='issued_by',
                ),
                migrations.RemoveField(
                    model_name='credential',
                    name='revoked_by',
                ),
                migrations.AlterField(
                    model_name='attendance',
                    name='household',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attendances', to='compounds.household'),
                ),
                migrations.AlterField(
                    model_name='attendancelog',
                    name='household',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='compounds.household'),
                ),
                migrations.AlterField(
                    model_name='floorrequest',
                    name='household',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='compounds.household'),
                ),
                migrations.RemoveField(
                    model_name='rosterupload',
                    name='uploaded_by',
                ),
                migrations.RemoveField(
                    model_name='staffrole',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='Building',
                ),
                migrations.DeleteModel(
                    name='BuildingUnit',
                ),
                migrations.DeleteModel(
                    name='Compound',
                ),
                migrations.DeleteModel(
                    name='Credential',
                ),
                migrations.DeleteModel(
                    name='Household',
                ),
                migrations.DeleteModel(
                    name='RosterUpload',
                ),
                migrations.DeleteModel(
                    name='StaffRole',
                ),
            ],
            database_operations=[],
        ),
    ]
