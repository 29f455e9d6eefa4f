from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0013_page_featured_image')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ArchiveRedirect',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('old_uri', fields.CharField(unique=True, max_length=2000)),
                ('typename', fields.CharField(description='Category, Tag or Author.', max_length=20)),
                ('target_id', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'archive_redirect', 'app': 'models', 'indexes': [Index(fields=['typename', 'target_id'], name='archive_redirect_target_idx')], 'pk_attr': 'id', 'table_description': 'An address an archive was at, and the node (by type and key) it belongs to now.'},
            bases=['Model'],
        ),
    ]
