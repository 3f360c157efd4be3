"""unit_advice: an index of a consultation's advice by comment (consultation_id, comment_id), so that the office's units
table on the answering page (advice_by_unit) and the digests' advice column (in comment order) read the consultation's
advice rows from it instead of every comment of the consultation (SQLite went through ix_comments_threads for its
20,000 comments to find 1,177 advice rows)

Revision ID: 0064
Revises: 0063
Create Date: 2026-12-06 16:31:40

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0064'
down_revision = '0063'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_unit_advice_consultation_comment', 'unit_advice', ['consultation_id', 'comment_id'],
                    unique=False)


def downgrade():
    op.drop_index('ix_unit_advice_consultation_comment', table_name='unit_advice')
