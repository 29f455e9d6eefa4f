from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0011_media')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Menu',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=200)),
                ('name', fields.CharField(max_length=250)),
                ('location', fields.CharField(null=True, unique=True, description='Where the site shows it ("primary"), one menu per location.', max_length=100)),
                ('wp_term_id', fields.IntField(null=True, unique=True, description='WordPress term id.')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'menu', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A menu: its items form a tree (`MenuItem.parent`), ordered by `position`.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MenuItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('menu', fields.ForeignKeyField('models.Menu', source_field='menu_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('parent', fields.ForeignKeyField('models.MenuItem', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField(default=0, description='Order among its siblings.')),
                ('label', fields.CharField(default='', description="Its own title, or empty for the linked node's.", max_length=500)),
                ('link_kind', fields.CharField(default='custom', max_length=20)),
                ('link_id', fields.IntField(null=True, description="The linked node's primary key.")),
                ('url', fields.CharField(default='', description="A custom item's URL.", max_length=2000)),
                ('target', fields.CharField(null=True, description='"_blank", or none.', max_length=20)),
                ('wp_id', fields.IntField(null=True, description='WordPress post id of the menu item.')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'menu_item', 'app': 'models', 'unique_together': (('menu', 'wp_id'),), 'indexes': [Index(fields=['menu_id', 'position'], name='menu_item_menu_idx'), Index(fields=['link_kind', 'link_id'], name='menu_item_link_idx'), Index(fields=['parent_id'], name='menu_item_parent_idx')], 'pk_attr': 'id', 'table_description': 'One link of a menu. `link_kind` names what it links to (`custom`, or a kind of node'},
            bases=['Model'],
        ),
    ]
