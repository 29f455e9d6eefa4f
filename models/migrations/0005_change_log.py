from tortoise import migrations
from tortoise.migrations import operations as ops
from models.change import ChangeKind
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_authoring')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Change',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='UPSERT: upsert\nDELETE: delete', enum_type=ChangeKind, max_length=10)),
                ('typename', fields.CharField(description='Post, Comment, Author, Category.', max_length=20)),
                ('node_id', fields.IntField()),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'change', 'app': 'models', 'pk_attr': 'id', 'table_description': "One node's change."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Post',
            name='announced_at',
            field=fields.DatetimeField(null=True, description='When the change log last recorded the post becoming public.', auto_now=False, auto_now_add=False),
        ),
    ]
