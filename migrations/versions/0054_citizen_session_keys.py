"""citizens: a random key of each account, kept in its sessions, so that a session of a deleted account never signs in
the new account given the same id (SQLite reuses the highest id)

Revision ID: 0054
Revises: 0053
Create Date: 2026-12-05 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0054'
down_revision = '0053'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('citizens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_key', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('citizens', schema=None) as batch_op:
        batch_op.drop_column('session_key')
