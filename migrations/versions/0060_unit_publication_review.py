"""units: publication_review, whether a unit's consultations need 审核发布 (NULL: follow PORTAL_PUBLICATION_REVIEW,
true: a colleague or an administrator approves each publication, false: its staff publish alone)

Revision ID: 0060
Revises: 0059
Create Date: 2026-12-06 09:22:10

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0060'
down_revision = '0059'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publication_review', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('publication_review')
