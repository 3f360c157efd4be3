"""export_jobs.outdated_at: when a comment a ready export file held was taken out of what it shows (withdrawn,
hidden, marked spam, its personal information masked); the job is expired then, and its page says the file was out
of date and must be prepared again

Revision ID: 0061
Revises: 0060
Create Date: 2026-12-06 09:23:07

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0061'
down_revision = '0060'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outdated_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.drop_column('outdated_at')
