"""a citizen's usual organisation (以单位名义), filled into the comment form

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-05 04:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0043'
down_revision = '0042'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('citizens', sa.Column('organisation', sa.String(length=200), nullable=True))
    op.add_column('citizens', sa.Column('organisation_kind', sa.String(length=20), nullable=True))


def downgrade():
    for column in ('organisation_kind', 'organisation'):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE citizens DROP COLUMN {column}')
        else:
            op.drop_column('citizens', column)
