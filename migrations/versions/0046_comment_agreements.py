"""readers agree with a public comment (赞同): one row a reader and comment, a count on the comment; the comments
token renewed when the count (or another column the public sees) changes

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-05 07:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0046'
down_revision = '0045'
branch_labels = None
depends_on = None

# What the public sees of a comment (migration 0009's list, with the columns added since that pages show, and the
# readers' agreements): a change to any of them renews the consultation's comments token (portal/comments/page_cache.py)
SHOWN_0009 = ("status", "body", "author_name", "stance", "section_id", "parent_id", "consultation_id",
              "created_at", "hidden_reason")
SHOWN = SHOWN_0009 + ("channel", "quote", "proposal", "organisation", "organisation_kind", "question",
                      "agreement_count")


def _pg() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def _update_trigger(columns) -> str:
    if _pg():
        return ("CREATE TRIGGER comments_token_update AFTER UPDATE ON comments FOR EACH ROW WHEN ({}) "
                "EXECUTE FUNCTION portal_renew_comments_token()").format(
                    " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns))
    return """CREATE TRIGGER comments_token_update AFTER UPDATE ON comments WHEN {}
    BEGIN
      UPDATE consultations SET comments_token = lower(hex(randomblob(16)))
      WHERE id IN (OLD.consultation_id, NEW.consultation_id);
    END""".format(" OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns))


def _replace_trigger(columns) -> None:
    op.execute("DROP TRIGGER IF EXISTS comments_token_update" + (" ON comments" if _pg() else ""))
    op.execute(_update_trigger(columns))


def upgrade():
    # a plain ADD COLUMN (no batch rebuild on SQLite, which would drop the table's triggers: migrations 0009, 0010)
    op.add_column('comments', sa.Column('agreement_count', sa.Integer(), server_default='0', nullable=False))
    op.create_table(
        'comment_agreements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('voter_hash', sa.String(length=64), nullable=False),
        sa.Column('client_hash', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'],
                                name=op.f('fk_comment_agreements_comment_id_comments'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'],
                                name=op.f('fk_comment_agreements_consultation_id_consultations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_agreements')),
        sa.UniqueConstraint('comment_id', 'voter_hash', name='uq_comment_agreements_voter'),
    )
    op.create_index('ix_comment_agreements_consultation_id', 'comment_agreements', ['consultation_id'], unique=False)
    _replace_trigger(SHOWN)


def downgrade():
    _replace_trigger(SHOWN_0009)
    op.drop_index('ix_comment_agreements_consultation_id', table_name='comment_agreements')
    op.drop_table('comment_agreements')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE comments DROP COLUMN agreement_count')
    else:
        op.drop_column('comments', 'agreement_count')
