"""explanatory notes (起草说明): the office's explanation of a draft, published beside it (why the policy, what it
changes, how it was drafted), typed or uploaded as .txt or .docx

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    # ADD COLUMN without a rebuild on SQLite: the content-token triggers of consultations (migration 0010) stay
    op.add_column('consultations', sa.Column('explanatory_note', sa.Text(), nullable=True))
    op.add_column('consultations', sa.Column('explanatory_note_filename', sa.String(length=200), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE consultations DROP COLUMN explanatory_note_filename')
        op.execute('ALTER TABLE consultations DROP COLUMN explanatory_note')
    else:
        op.drop_column('consultations', 'explanatory_note_filename')
        op.drop_column('consultations', 'explanatory_note')
