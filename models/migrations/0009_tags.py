from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_category_uris')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Tag',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=200)),
                ('name', fields.CharField(max_length=250)),
                ('description', fields.TextField(null=True, unique=False)),
                ('wp_term_id', fields.IntField(null=True, unique=True, description='WordPress term id.')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'tag', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A tag. Unlike categories, tags do not nest: a post has any number of them.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Post',
            name='sticky',
            field=fields.BooleanField(default=False, description='Kept at the top of the front page.', db_default=False),
        ),
        ops.AddField(
            model_name='Post',
            name='tags',
            field=fields.ManyToManyField('models.Tag', unique=True, db_constraint=True, through='post_tag', forward_key='tag_id', backward_key='post_id', related_name='posts', on_delete=OnDelete.CASCADE),
        ),
        # A tag page reads its posts through `post_tag` by tag: the unique index Tortoise
        # makes starts with `post_id`, so without this one every tag page scans the table.
        ops.RunSQL(
            'CREATE INDEX "post_tag_tag_idx" ON "post_tag" ("tag_id", "post_id")',
            reverse_sql='DROP INDEX "post_tag_tag_idx"',
        ),
    ]
