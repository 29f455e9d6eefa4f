from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_moderation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor', fields.CharField(description="The token's name.", max_length=100)),
                ('action', fields.CharField(description='Like `post.publish`.', max_length=50)),
                ('target', fields.CharField(description='Like `Post:12`.', max_length=100)),
                ('details', fields.TextField(default='', description='What changed, in short.', unique=False)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'audit_entry', 'app': 'models', 'indexes': [Index(fields=['target', 'id'], name='audit_target_idx')], 'pk_attr': 'id', 'table_description': 'One write.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PostRedirect',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('old_uri', fields.CharField(unique=True, max_length=500)),
                ('post', fields.ForeignKeyField('models.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='redirects', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'post_redirect', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A uri a post was public at, and the post it now belongs to.'},
            bases=['Model'],
        ),
    ]
