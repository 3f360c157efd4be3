"""the policy as finally issued after a consultation (正式文件): its title, number, date, note and sections, to
compare with the draft consulted on; the consultation notes when it was last published

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-05 01:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'final_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('document_number', sa.String(length=100), nullable=True),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('filename', sa.String(length=200), nullable=True),
        sa.Column('source_text', sa.Text(), nullable=False),
        sa.Column('sections', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('consultation_id'),
    )
    # a plain ADD COLUMN (no batch rebuild on SQLite, which would drop the consultations' triggers: migration 0010)
    op.add_column('consultations', sa.Column('final_published_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE consultations DROP COLUMN final_published_at')
    else:
        op.drop_column('consultations', 'final_published_at')
    op.drop_table('final_documents')
