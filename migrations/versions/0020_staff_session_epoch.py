"""staff session epoch: a staff member's sessions end everywhere when their password changes (by themselves at
/password, or set anew by an administrator); the epoch is part of the id each session carries

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE users DROP COLUMN session_epoch')
    else:
        op.drop_column('users', 'session_epoch')
