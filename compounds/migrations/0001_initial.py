"""The roster and its staff roles and codes, moved here from the meetings app.

The tables stay where meetings created them (db_table "meetings_*"): this
migration only tells Django's state that these models now belong to
compounds (SeparateDatabaseAndState with no database operation), and moves
their content types (so admin permissions follow). No row is touched;
tests/test_compounds_migration.py migrates a populated database across it.
"""

import compounds.models.staff
import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


MOVED = ["compound", "building", "buildingunit", "household", "rosterupload", "staffrole", "credential"]


def move_content_types(apps, schema_editor):
    _relabel(apps, schema_editor, "meetings", "compounds")


def move_content_types_back(apps, schema_editor):
    _relabel(apps, schema_editor, "compounds", "meetings")


def _relabel(apps, schema_editor, old, new):
    # On a new database content types do not exist yet (post_migrate makes
    # them, under the new label): nothing to move.
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if not ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('meetings', '0004_attendance_sign_in'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Building',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=50, verbose_name='building')),
                        ('sort_key', models.CharField(default='', editable=False, max_length=120)),
                    ],
                    options={
                        'verbose_name': 'building',
                        'verbose_name_plural': 'buildings',
                        'db_table': 'meetings_building',
                        'ordering': ['compound', 'sort_key', 'name'],
                    },
                ),
                migrations.CreateModel(
                    name='Compound',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, unique=True, verbose_name='name')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'verbose_name': 'compound',
                        'verbose_name_plural': 'compounds',
                        'db_table': 'meetings_compound',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='BuildingUnit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(blank=True, max_length=50, verbose_name='building unit')),
                        ('sort_key', models.CharField(default='', editable=False, max_length=120)),
                        ('building', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='units', to='compounds.building')),
                    ],
                    options={
                        'verbose_name': 'building unit',
                        'verbose_name_plural': 'building units',
                        'db_table': 'meetings_buildingunit',
                        'ordering': ['building', 'sort_key', 'name'],
                    },
                ),
                migrations.AddField(
                    model_name='building',
                    name='compound',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='buildings', to='compounds.compound'),
                ),
                migrations.CreateModel(
                    name='Household',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('room', models.CharField(max_length=50, verbose_name='room')),
                        ('kind', models.CharField(choices=[('residence', 'residence'), ('shop', 'shop'), ('parking', 'parking space')], default='residence', max_length=20, verbose_name='kind')),
                        ('area', models.DecimalField(decimal_places=2, max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='exclusive area (m²)')),
                        ('area_source', models.CharField(choices=[('registered', 'registered'), ('surveyed', 'surveyed'), ('contract', 'sales contract')], default='registered', max_length=20, verbose_name='area source')),
                        ('owner_names', models.CharField(blank=True, max_length=200, verbose_name='owner name(s)')),
                        ('owner_key', models.CharField(blank=True, db_index=True, max_length=64)),
                        ('developer_unsold', models.BooleanField(default=False, verbose_name='developer, unsold')),
                        ('phone', models.CharField(blank=True, max_length=40, verbose_name='phone')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('sort_key', models.CharField(default='', editable=False, max_length=120)),
                        ('compound', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='households', to='compounds.compound')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='households', to='compounds.buildingunit')),
                    ],
                    options={
                        'verbose_name': 'household',
                        'verbose_name_plural': 'households',
                        'db_table': 'meetings_household',
                        'ordering': ['unit__building__sort_key', 'unit__sort_key', 'sort_key'],
                    },
                ),
                migrations.CreateModel(
                    name='Credential',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(default=compounds.models.staff.new_code, max_length=16, unique=True)),
                        ('issued_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('issued_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('household', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='credentials', to='compounds.household')),
                    ],
                    options={
                        'verbose_name': 'household credential',
                        'verbose_name_plural': 'household credentials',
                        'db_table': 'meetings_credential',
                    },
                ),
                migrations.CreateModel(
                    name='RosterUpload',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('filename', models.CharField(max_length=255, verbose_name='file name')),
                        ('content', models.BinaryField()),
                        ('sha256', models.CharField(max_length=64)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('applied_at', models.DateTimeField(blank=True, null=True)),
                        ('compound', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='roster_uploads', to='compounds.compound')),
                        ('uploaded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'roster upload',
                        'verbose_name_plural': 'roster uploads',
                        'db_table': 'meetings_rosterupload',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='StaffRole',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('facilitator', 'facilitator'), ('worker', 'community worker'), ('secretary', 'secretary'), ('observer', 'observer')], max_length=20, verbose_name='role')),
                        ('compound', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='staff_roles', to='compounds.compound')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='staff_roles', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'staff role',
                        'verbose_name_plural': 'staff roles',
                        'db_table': 'meetings_staffrole',
                    },
                ),
                migrations.AddConstraint(
                    model_name='buildingunit',
                    constraint=models.UniqueConstraint(fields=('building', 'name'), name='unit_unique_name'),
                ),
                migrations.AddConstraint(
                    model_name='building',
                    constraint=models.UniqueConstraint(fields=('compound', 'name'), name='building_unique_name'),
                ),
                migrations.AddConstraint(
                    model_name='household',
                    constraint=models.UniqueConstraint(fields=('unit', 'room'), name='household_unique_room'),
                ),
                migrations.AddConstraint(
                    model_name='credential',
                    constraint=models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('household',), name='credential_one_active'),
                ),
                migrations.AddConstraint(
                    model_name='staffrole',
                    constraint=models.UniqueConstraint(fields=('user', 'compound', 'role'), name='staffrole_unique'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back, elidable=False),
    ]
