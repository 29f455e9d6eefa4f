from tortoise import migrations
from tortoise.migrations import operations as ops
from models.media import RenditionState
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0010_pages')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MediaItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('file_name', fields.CharField(description='Its content-addressed name in the media storage.', max_length=200)),
                ('sha256', fields.CharField(description='Of the bytes as served.', max_length=64)),
                ('mime_type', fields.CharField(description='Sniffed from the bytes.', max_length=100)),
                ('file_size', fields.BigIntField(description='Bytes, as served (metadata stripped).')),
                ('width', fields.IntField(null=True)),
                ('height', fields.IntField(null=True)),
                ('title', fields.CharField(default='', max_length=250)),
                ('alt_text', fields.TextField(default='', unique=False)),
                ('caption', fields.TextField(null=True, unique=False)),
                ('original_name', fields.CharField(default='', description="The uploaded file's own name, for editors.", max_length=250)),
                ('renditions', fields.CharEnumField(default=RenditionState.PENDING, description='PENDING: pending\nDONE: done\nFAILED: failed\nNONE: none', enum_type=RenditionState, max_length=16)),
                ('uploaded_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'media_item', 'app': 'models', 'indexes': [Index(fields=['renditions', 'id'], name='media_item_renditions_idx')], 'pk_attr': 'id', 'table_description': 'An uploaded file: an image, or audio, video or PDF served as it is.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MediaSize',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('media_item', fields.ForeignKeyField('models.MediaItem', source_field='media_item_id', db_constraint=True, to_field='id', related_name='sizes', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(description='"768", or "768-webp".', max_length=50)),
                ('file_name', fields.CharField(max_length=200)),
                ('width', fields.IntField()),
                ('height', fields.IntField()),
                ('mime_type', fields.CharField(max_length=100)),
                ('file_size', fields.BigIntField()),
            ],
            options={'table': 'media_size', 'app': 'models', 'unique_together': (('media_item', 'name'),), 'indexes': [Index(fields=['media_item_id', 'width'], name='media_size_item_idx')], 'pk_attr': 'id', 'table_description': "One rendition of an image: a width, in the original's format or in WebP."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Author',
            name='avatar',
            field=fields.ForeignKeyField('models.MediaItem', source_field='avatar_id', null=True, db_constraint=True, to_field='id', related_name='avatar_of', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddIndex(
            model_name='Author',
            index=Index(fields=['avatar_id'], name='author_avatar_idx'),
        ),
        ops.AddField(
            model_name='Post',
            name='featured_image',
            field=fields.ForeignKeyField('models.MediaItem', source_field='featured_image_id', null=True, db_constraint=True, to_field='id', related_name='featured_on', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddIndex(
            model_name='Post',
            index=Index(fields=['featured_image_id'], name='post_featured_image_idx'),
        ),
    ]
