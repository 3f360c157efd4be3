"""sections: lead_unit_names, the responsible units that lead (牵头单位: marked * as "(带*为牵头单位,下同)" says, "（牵头）",
or listed under 牵头单位), a part of unit_names shown apart on the section page and the office's review; NULL (sections
imported before) reads as none

Revision ID: 0065
Revises: 0064
Create Date: 2026-12-06 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0065'
down_revision = '0064'
branch_labels = None
depends_on = None


def upgrade():
    # a plain ADD COLUMN (no batch rebuild on SQLite, which would drop the table's triggers: migrations 0009, 0010)
    op.add_column('sections', sa.Column('lead_unit_names', sa.JSON(), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE sections DROP COLUMN lead_unit_names')
    else:
        op.drop_column('sections', 'lead_unit_names')
