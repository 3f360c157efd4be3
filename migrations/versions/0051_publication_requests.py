"""publication review (审核发布): where a second person must approve each publication, the period one staff member
set waits as a request for a colleague (or an administrator) to approve or return

Revision ID: 0051
Revises: 0050
Create Date: 2026-12-05 10:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0051'
down_revision = '0050'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'publication_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('requested_by_label', sa.String(length=200), nullable=False),
        sa.Column('opens_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
        sa.Column('comment_visibility', sa.String(length=20), nullable=False),
        sa.Column('short_reason', sa.Text(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_by_label', sa.String(length=200), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'],
                                name=op.f('fk_publication_requests_consultation_id_consultations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                                name=op.f('fk_publication_requests_decided_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'],
                                name=op.f('fk_publication_requests_requested_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_requests')),
    )
    op.create_index(op.f('ix_publication_requests_consultation_id'), 'publication_requests', ['consultation_id'],
                    unique=False)
    op.create_index('uq_publication_requests_pending', 'publication_requests', ['consultation_id'], unique=True,
                    sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))


def downgrade():
    op.drop_index('uq_publication_requests_pending', table_name='publication_requests')
    op.drop_index(op.f('ix_publication_requests_consultation_id'), table_name='publication_requests')
    op.drop_table('publication_requests')
