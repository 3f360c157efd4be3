"""the meeting (座谈会、听证会) an opinion typed in by the office was voiced at

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-05 05:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0045'
down_revision = '0044'
branch_labels = None
depends_on = None


def upgrade():
    # a plain ADD COLUMN, without a foreign key (no batch rebuild on SQLite, which would drop the table's triggers:
    # migrations 0009, 0010), as comments.citizen_id (migration 0015)
    op.add_column('comments', sa.Column('meeting_id', sa.Integer(), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE comments DROP COLUMN meeting_id')
    else:
        op.drop_column('comments', 'meeting_id')
