from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Comment',
            name='client_mutation_id',
            field=fields.CharField(null=True, description='Idempotency key of the submission, per email.', max_length=255),
        ),
        ops.AddField(
            model_name='Comment',
            name='moderation_reasons',
            field=fields.CharField(default='', description='Why the comment was held, comma-separated.', db_default='', max_length=255),
        ),
        ops.AddField(
            model_name='Comment',
            name='submission_digest',
            field=fields.CharField(null=True, description='Hash of the submitted input, for replays.', max_length=64),
        ),
        ops.AddIndex(
            model_name='Comment',
            index=Index(fields=['author_email', 'created_at'], name='comment_email_time_idx'),
        ),
        ops.AddIndex(
            model_name='Comment',
            index=Index(fields=['author_ip', 'created_at'], name='comment_ip_time_idx'),
        ),
        ops.AddConstraint(
            model_name='Comment',
            constraint=UniqueConstraint(fields=('author_email', 'client_mutation_id'), name=None),
        ),
    ]
