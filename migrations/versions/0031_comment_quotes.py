"""comments quote the draft (引用原文): the words of the section a comment is about, selected or pasted by the
commenter and checked to be in that section

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    # a plain ADD COLUMN (no batch rebuild on SQLite, which would drop the comments' triggers: migration 0009)
    op.add_column('comments', sa.Column('quote', sa.Text(), nullable=True))
    # the comments that quote the draft, by consultation (the draft's pages mark the sentences public ones quote)
    op.create_index('ix_comments_quoted', 'comments', ['consultation_id', 'status'],
                    sqlite_where=sa.text('quote IS NOT NULL'), postgresql_where=sa.text('quote IS NOT NULL'))


def downgrade():
    op.drop_index('ix_comments_quoted', table_name='comments')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE comments DROP COLUMN quote')
    else:
        op.drop_column('comments', 'quote')
