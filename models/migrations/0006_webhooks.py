from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_change_log')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WebhookSubscriber',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('url', fields.CharField(max_length=500)),
                ('secret', fields.CharField(description='The HMAC key, shown only when added.', max_length=200)),
                ('events', fields.CharField(default='*', description='Comma-separated event names, or a star for all.', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'webhook_subscriber', 'app': 'models', 'pk_attr': 'id', 'table_description': "Where events are sent, signed with the subscriber's secret."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscriber', fields.ForeignKeyField('models.WebhookSubscriber', source_field='subscriber_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('delivery_id', fields.CharField(unique=True, max_length=36)),
                ('event', fields.CharField(max_length=50)),
                ('body', fields.TextField(description='The exact JSON sent (and signed).', unique=False)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('failed_at', fields.DatetimeField(null=True, description='Given up after the last attempt.', auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'webhook_delivery', 'app': 'models', 'indexes': [Index(fields=['delivered_at', 'failed_at', 'next_attempt_at'], name='webhook_due_idx')], 'pk_attr': 'id', 'table_description': 'One event for one subscriber, until it is delivered or given up.'},
            bases=['Model'],
        ),
    ]
