"""drop two comment indexes that others cover (each is the first columns of another): fewer index writes per
submission (issue 9)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 20:55:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    # covered by ix_comments_client_hash_created_at and ix_comments_section_counts
    op.drop_index('ix_comments_client_hash', table_name='comments')
    op.drop_index('ix_comments_consultation_status', table_name='comments')


def downgrade():
    op.create_index('ix_comments_consultation_status', 'comments', ['consultation_id', 'status'], unique=False)
    op.create_index('ix_comments_client_hash', 'comments', ['client_hash'], unique=False)
