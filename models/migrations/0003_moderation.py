from tortoise import migrations
from tortoise.migrations import operations as ops
from models.api_token import Role
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_submissions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=100)),
                ('role', fields.CharEnumField(description='EDITOR: editor\nMODERATOR: moderator\nBUILDER: builder', enum_type=Role, max_length=20)),
                ('token_hash', fields.CharField(unique=True, description='SHA-256, hex.', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_token', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One token, named by its owner, with one role.'},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='Comment',
            index=Index(fields=['status', 'created_at'], name='comment_queue_idx'),
        ),
    ]
