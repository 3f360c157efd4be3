"""explanatory notes are searchable: queue the published consultations that already have one, so that the search
worker indexes their notes with their sections (no schema change)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 11:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "INSERT INTO search_queue (kind, target_id, consultation_id, enqueued_at) "
        "SELECT 'sections', id, id, CURRENT_TIMESTAMP FROM consultations "
        "WHERE published_at IS NOT NULL AND explanatory_note IS NOT NULL"
    )


def downgrade():
    pass  # the queue rows are worked off (or harmless: the worker indexes what is there)
