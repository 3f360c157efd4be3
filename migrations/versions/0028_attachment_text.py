"""the text of comments' files (附件文字): read from PDF, Word, Excel, OFD and text files by a scheduled job, so
that staff read a letter without downloading it, find it by its words and get it in the digest

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    # plain ADD COLUMNs; the files already stored have text_read_at NULL, so the job reads them too
    op.add_column('comment_attachments', sa.Column('text', sa.Text(), nullable=True))
    op.add_column('comment_attachments', sa.Column('text_read_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_comment_attachments_unread', 'comment_attachments', ['id'],
                    sqlite_where=sa.text('text_read_at IS NULL'), postgresql_where=sa.text('text_read_at IS NULL'))


def downgrade():
    op.drop_index('ix_comment_attachments_unread', table_name='comment_attachments')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE comment_attachments DROP COLUMN text_read_at')
        op.execute('ALTER TABLE comment_attachments DROP COLUMN text')
    else:
        op.drop_column('comment_attachments', 'text_read_at')
        op.drop_column('comment_attachments', 'text')
