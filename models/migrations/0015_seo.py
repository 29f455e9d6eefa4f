from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0014_archive_redirects')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Post',
            name='seo_title',
            field=fields.CharField(null=True, description='Title for search results and shares.', max_length=300),
        ),
        ops.AddField(
            model_name='Post',
            name='seo_description',
            field=fields.CharField(null=True, description='Search-result description.', max_length=1000),
        ),
        ops.AddField(
            model_name='Post',
            name='seo_canonical_url',
            field=fields.CharField(null=True, description='Absolute canonical address.', max_length=2000),
        ),
        ops.AddField(
            model_name='Post',
            name='seo_no_index',
            field=fields.BooleanField(default=False, db_default=False, description='Asks search engines to leave it out.'),
        ),
        ops.AddField(
            model_name='Post',
            name='seo_image',
            field=fields.ForeignKeyField('models.MediaItem', source_field='seo_image_id', null=True, db_constraint=True, to_field='id', related_name='seo_image_on', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddIndex(
            model_name='Post',
            index=Index(fields=['seo_image_id'], name='post_seo_image_idx'),
        ),
        ops.AddField(
            model_name='Page',
            name='seo_title',
            field=fields.CharField(null=True, description='Title for search results and shares.', max_length=300),
        ),
        ops.AddField(
            model_name='Page',
            name='seo_description',
            field=fields.CharField(null=True, description='Search-result description.', max_length=1000),
        ),
        ops.AddField(
            model_name='Page',
            name='seo_canonical_url',
            field=fields.CharField(null=True, description='Absolute canonical address.', max_length=2000),
        ),
        ops.AddField(
            model_name='Page',
            name='seo_no_index',
            field=fields.BooleanField(default=False, db_default=False, description='Asks search engines to leave it out.'),
        ),
        ops.AddField(
            model_name='Page',
            name='seo_image',
            field=fields.ForeignKeyField('models.MediaItem', source_field='seo_image_id', null=True, db_constraint=True, to_field='id', related_name='seo_image_on_pages', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddIndex(
            model_name='Page',
            index=Index(fields=['seo_image_id'], name='page_seo_image_idx'),
        ),
    ]
