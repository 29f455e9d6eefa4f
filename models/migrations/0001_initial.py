from tortoise import migrations
from tortoise.migrations import operations as ops
from models.comment import CommentModeration
from models.post import CommentStatus, PostStatus
from tortoise.fields.base import OnDelete
from tortoise.timezone import now
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Author',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=200)),
                ('name', fields.CharField(max_length=250)),
                ('bio', fields.TextField(null=True, unique=False)),
                ('url', fields.CharField(null=True, max_length=500)),
                ('email', fields.CharField(null=True, description='Private, never public.', max_length=254)),
                ('wp_login', fields.CharField(null=True, unique=True, description='WordPress login, the import key.', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'author', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A person who writes posts.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Category',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=200)),
                ('name', fields.CharField(max_length=250)),
                ('description', fields.TextField(null=True, unique=False)),
                ('parent', fields.ForeignKeyField('models.Category', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.SET_NULL)),
                ('wp_term_id', fields.IntField(null=True, unique=True, description='WordPress term id.')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'category', 'app': 'models', 'indexes': [Index(fields=['parent_id'], name='category_parent_idx')], 'pk_attr': 'id', 'table_description': 'A category. Categories nest through `parent`.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Post',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=200)),
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
                ('comment_status', fields.CharEnumField(default=CommentStatus.OPEN, description='OPEN: open\nCLOSED: closed', enum_type=CommentStatus, max_length=16)),
                ('author', fields.ForeignKeyField('models.Author', source_field='author_id', db_constraint=True, to_field='id', related_name='posts', on_delete=OnDelete.RESTRICT)),
                ('categories', fields.ManyToManyField('models.Category', unique=True, db_constraint=True, through='post_category', forward_key='category_id', backward_key='post_id', related_name='posts', on_delete=OnDelete.CASCADE)),
                ('wp_id', fields.IntField(null=True, unique=True, description='WordPress post id.')),
            ],
            options={'table': 'post', 'app': 'models', 'indexes': [Index(fields=['status', 'published_at', 'id'], name='post_status_published_idx'), Index(fields=['updated_at', 'id'], name='post_updated_idx'), Index(fields=['title_key', 'id'], name='post_title_key_idx'), Index(fields=['author_id', 'published_at'], name='post_author_idx')], 'pk_attr': 'id', 'table_description': 'A blog post.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Comment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('models.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='comments', on_delete=OnDelete.CASCADE)),
                ('parent', fields.ForeignKeyField('models.Comment', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='replies', on_delete=OnDelete.CASCADE)),
                ('depth', fields.IntField(default=0, description='0 for a top-level comment.')),
                ('path', fields.TextField(default='', description='Thread order key (see the module doc).', unique=False)),
                ('author_name', fields.CharField(max_length=245)),
                ('author_email', fields.CharField(default='', description='Private.', max_length=100)),
                ('author_url', fields.CharField(null=True, max_length=200)),
                ('author_ip', fields.CharField(null=True, description='Private.', max_length=100)),
                ('author_user_agent', fields.CharField(null=True, description='Private.', max_length=255)),
                ('content', fields.TextField(description='Sanitised HTML.', unique=False)),
                ('created_at', fields.DatetimeField(default=now, auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=CommentModeration.PENDING, description='APPROVED: approved\nPENDING: pending\nSPAM: spam\nTRASH: trash', enum_type=CommentModeration, max_length=16)),
                ('is_public', fields.BooleanField(default=False, description='Approved, and every ancestor approved.')),
                ('wp_id', fields.IntField(null=True, unique=True, description='WordPress comment id.')),
            ],
            options={'table': 'comment', 'app': 'models', 'indexes': [Index(fields=['post_id', 'is_public', 'path'], name='comment_thread_idx'), Index(fields=['parent_id', 'is_public'], name='comment_parent_idx'), Index(fields=['author_email', 'status'], name='comment_author_email_idx')], 'pk_attr': 'id', 'table_description': 'A comment by a reader on a post, or a reply to another comment.'},
            bases=['Model'],
        ),
    ]
