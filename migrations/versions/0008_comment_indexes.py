"""comment indexes: thread pages, the public counts per section, the burst sign

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 17:26:30.545325

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_client_hash_created_at', ['client_hash', 'created_at'], unique=False)
        batch_op.create_index('ix_comments_section_counts', ['consultation_id', 'status', 'section_id'], unique=False)
        batch_op.create_index('ix_comments_threads', ['consultation_id', 'section_id', 'parent_id', 'created_at', 'status'], unique=False)



def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_threads')
        batch_op.drop_index('ix_comments_section_counts')
        batch_op.drop_index('ix_comments_client_hash_created_at')

