from tortoise import fields, migrations
from tortoise.migrations import operations as ops

# Every existing category's address from its place in the tree (the same statement as
# `models.category.refresh_category_uris`, as an UPDATE).
FILL_URIS = """
WITH RECURSIVE addresses(id, uri, depth) AS (
    SELECT id, '/category/' || slug || '/', 0 FROM category WHERE parent_id IS NULL
    UNION ALL
    SELECT child.id, parent.uri || child.slug || '/', parent.depth + 1
    FROM category child JOIN addresses parent ON child.parent_id = parent.id
    WHERE parent.depth < 1000
)
UPDATE category SET uri = (SELECT uri FROM addresses WHERE addresses.id = category.id)
WHERE id IN (SELECT id FROM addresses)
"""


class Migration(migrations.Migration):
    dependencies = [('models', '0007_parent_index_without_top_level')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Category',
            name='uri',
            field=fields.CharField(
                default='',
                db_default='',
                description='Its archive\'s address, nested like its parents: "/category/running/trail/".',
                max_length=2000,
            ),
        ),
        ops.RunSQL(FILL_URIS, reverse_sql=""),
    ]
