from tortoise import migrations
from tortoise.migrations import operations as ops
from models.post import PostStatus
from tortoise.fields.base import OnDelete
from tortoise.timezone import now
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0009_tags')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Page',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(max_length=200)),
                ('uri', fields.CharField(unique=True, max_length=500)),
                ('title', fields.TextField(unique=False)),
                ('title_key', fields.CharField(default='', description='Case-insensitive sort key of the title.', max_length=512)),
                ('excerpt', fields.TextField(default='', unique=False)),
                ('content', fields.TextField(default='', unique=False)),
                ('status', fields.CharEnumField(default=PostStatus.DRAFT, description='DRAFT: draft\nPENDING: pending\nPRIVATE: private\nPUBLISHED: published', enum_type=PostStatus, max_length=16)),
                ('password', fields.CharField(default='', description='Non-empty: password-protected, never public.', max_length=255)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(default=now, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=now, auto_now=False, auto_now_add=False)),
                ('menu_order', fields.IntField(default=0, description='Position among its siblings.')),
                ('parent', fields.ForeignKeyField('models.Page', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.NO_ACTION)),
                ('author', fields.ForeignKeyField('models.Author', source_field='author_id', db_constraint=True, to_field='id', related_name='pages', on_delete=OnDelete.RESTRICT)),
                ('wp_id', fields.IntField(null=True, unique=True, description='WordPress post id.')),
                ('announced_at', fields.DatetimeField(null=True, description='When the change log last recorded the page becoming public.', auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'page', 'app': 'models', 'indexes': [Index(fields=['parent_id', 'menu_order', 'id'], name='page_parent_idx'), Index(fields=['status', 'published_at', 'id'], name='page_status_published_idx'), Index(fields=['menu_order', 'id'], name='page_menu_order_idx'), Index(fields=['author_id'], name='page_author_idx')], 'pk_attr': 'id', 'table_description': 'A page of the site, nested in another through `parent`.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PageRedirect',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('old_uri', fields.CharField(unique=True, max_length=500)),
                ('page', fields.ForeignKeyField('models.Page', source_field='page_id', db_constraint=True, to_field='id', related_name='redirects', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'page_redirect', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A uri a page was public at, and the page it now belongs to.'},
            bases=['Model'],
        ),
    ]
