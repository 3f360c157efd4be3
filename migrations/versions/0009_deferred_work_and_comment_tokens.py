"""deferred work and cached pages: mail rendered by the worker, form letters grouped after the commit,
a token per consultation that triggers renew when its public comments change

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 19:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# What the public sees of a comment: a change to any of these columns renews the consultation's token.
SHOWN = ("status", "body", "author_name", "stance", "section_id", "parent_id", "consultation_id",
         "created_at", "hidden_reason")

SQLITE_TRIGGERS = [
    """CREATE TRIGGER comments_token_insert AFTER INSERT ON comments WHEN NEW.status = 'approved'
    BEGIN
      UPDATE consultations SET comments_token = lower(hex(randomblob(16))) WHERE id = NEW.consultation_id;
    END""",
    """CREATE TRIGGER comments_token_update AFTER UPDATE ON comments WHEN {changed}
    BEGIN
      UPDATE consultations SET comments_token = lower(hex(randomblob(16)))
      WHERE id IN (OLD.consultation_id, NEW.consultation_id);
    END""".format(changed=" OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in SHOWN)),
    """CREATE TRIGGER comments_token_delete AFTER DELETE ON comments
    BEGIN
      UPDATE consultations SET comments_token = lower(hex(randomblob(16))) WHERE id = OLD.consultation_id;
    END""",
]

POSTGRESQL_TRIGGERS = [
    """CREATE FUNCTION portal_renew_comments_token() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE consultations SET comments_token = md5(random()::text || clock_timestamp()::text)
        WHERE id = OLD.consultation_id;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE consultations SET comments_token = md5(random()::text || clock_timestamp()::text)
        WHERE id = NEW.consultation_id;
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER comments_token_insert AFTER INSERT ON comments FOR EACH ROW
    WHEN (NEW.status = 'approved') EXECUTE FUNCTION portal_renew_comments_token()""",
    """CREATE TRIGGER comments_token_update AFTER UPDATE ON comments FOR EACH ROW
    WHEN ({changed}) EXECUTE FUNCTION portal_renew_comments_token()""".format(
        changed=" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in SHOWN)),
    """CREATE TRIGGER comments_token_delete AFTER DELETE ON comments FOR EACH ROW
    EXECUTE FUNCTION portal_renew_comments_token()""",
]


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('context', sa.JSON(), nullable=True))
        batch_op.alter_column('subject', existing_type=sa.String(length=500), nullable=True)
        batch_op.alter_column('body_text', existing_type=sa.Text(), nullable=True)

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grouped_at', sa.DateTime(timezone=True), nullable=True))
    # comments stored before this revision were grouped when they were submitted
    op.execute("UPDATE comments SET grouped_at = created_at")
    op.create_index('ix_comments_ungrouped', 'comments', ['id'], unique=False,
                    sqlite_where=sa.text('grouped_at IS NULL'), postgresql_where=sa.text('grouped_at IS NULL'))

    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comments_token', sa.String(length=32), server_default='', nullable=False))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("UPDATE consultations SET comments_token = md5(random()::text || id::text)")
        statements = POSTGRESQL_TRIGGERS
    else:
        op.execute("UPDATE consultations SET comments_token = lower(hex(randomblob(16)))")
        statements = SQLITE_TRIGGERS
    # Triggers last: on SQLite a batch rebuild of the comments table would drop them (a later migration that
    # rebuilds ``comments`` must create them again; tests/comments/test_page_cache.py would notice).
    for statement in statements:
        op.execute(statement)


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS comments_token_insert" + (" ON comments" if _pg() else ""))
    op.execute("DROP TRIGGER IF EXISTS comments_token_update" + (" ON comments" if _pg() else ""))
    op.execute("DROP TRIGGER IF EXISTS comments_token_delete" + (" ON comments" if _pg() else ""))
    if _pg():
        op.execute("DROP FUNCTION IF EXISTS portal_renew_comments_token()")
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('comments_token')
    op.drop_index('ix_comments_ungrouped', table_name='comments')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('grouped_at')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('body_text', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('subject', existing_type=sa.String(length=500), nullable=False)
        batch_op.drop_column('context')
        batch_op.drop_column('template')


def _pg() -> bool:
    return op.get_bind().dialect.name == 'postgresql'
