"""first come, first served (先报先得) meetings: each sign-up given a place at once until the places are taken

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-05 05:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0044'
down_revision = '0043'
branch_labels = None
depends_on = None


def upgrade():
    # a plain ADD COLUMN (no batch rebuild on SQLite, which would drop the table's triggers: migration 0041)
    op.add_column('meetings', sa.Column('first_come', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE meetings DROP COLUMN first_come')
    else:
        op.drop_column('meetings', 'first_come')
