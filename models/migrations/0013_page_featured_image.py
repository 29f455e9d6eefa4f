from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0012_menus')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Page',
            name='featured_image',
            field=fields.ForeignKeyField('models.MediaItem', source_field='featured_image_id', null=True, db_constraint=True, to_field='id', related_name='featured_on_pages', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddIndex(
            model_name='Page',
            index=Index(fields=['featured_image_id'], name='page_featured_image_idx'),
        ),
    ]
