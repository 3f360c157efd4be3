"""comments: an index of those naming a key question (重点问题), so that the office's answering page, the statistics
page and the digest count each question's comments without reading every comment of the consultation

Revision ID: 0059
Revises: 0058
Create Date: 2026-12-06 06:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0059'
down_revision = '0058'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_comments_questions', 'comments', ['consultation_id', 'status', 'question'], unique=False,
                    sqlite_where=sa.text('question IS NOT NULL'), postgresql_where=sa.text('question IS NOT NULL'))


def downgrade():
    op.drop_index('ix_comments_questions', table_name='comments')
