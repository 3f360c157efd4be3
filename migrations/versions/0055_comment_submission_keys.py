"""comments: the one-use key of the form a comment was sent with, so that the same form sent twice (a retry after a
lost answer, a second press) stores one comment and gives its receipt again

Revision ID: 0055
Revises: 0054
Create Date: 2026-12-06 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0055'
down_revision = '0054'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
    op.create_index('ix_comments_submission_key', 'comments', ['submission_key'], unique=True,
                    sqlite_where=sa.text('submission_key IS NOT NULL'),
                    postgresql_where=sa.text('submission_key IS NOT NULL'))


def downgrade():
    op.drop_index('ix_comments_submission_key', table_name='comments')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('submission_key')
