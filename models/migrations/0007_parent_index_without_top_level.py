from tortoise import migrations
from tortoise.migrations import operations as ops
from models.indexes import PresentIndex

class Migration(migrations.Migration):
    dependencies = [('models', '0006_webhooks')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='Comment',
            name='comment_parent_idx',
            fields=None,
        ),
        ops.AddIndex(
            model_name='Comment',
            index=PresentIndex(fields=['parent_id', 'is_public'], name='comment_parent_idx'),
        ),
    ]
