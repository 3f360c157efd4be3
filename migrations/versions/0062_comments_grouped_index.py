"""comments: an index of the grouping worker's look at each consultation's comments (consultation_id, grouped_at),
partial (grouped comments only), so that the feedback report's key reads max(grouped_at) from one index entry instead
of every comment of the consultation; a submission writes no entry (its comment is stored ungrouped)

Revision ID: 0062
Revises: 0061
Create Date: 2026-12-06 13:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0062'
down_revision = '0061'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_comments_grouped', 'comments', ['consultation_id', 'grouped_at'], unique=False,
                    sqlite_where=sa.text('grouped_at IS NOT NULL'), postgresql_where=sa.text('grouped_at IS NOT NULL'))


def downgrade():
    op.drop_index('ix_comments_grouped', table_name='comments')
