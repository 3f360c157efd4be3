"""meetings (座谈会、听证会、论证会) of a consultation and the public's sign-ups for them; a change of a meeting renews
its consultation's content token, as its pages show it (migrations 0010, 0023)

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-05 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None

OPERATIONS = ("INSERT", "UPDATE", "DELETE")
SQLITE_NEW = "lower(hex(randomblob(16)))"  # migration 0010
STANDING = "status != 'withdrawn'"


def upgrade():
    op.create_table(
        'meetings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('place', sa.String(length=300), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('seats', sa.Integer(), nullable=True),
        sa.Column('signup_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('cancel_reason', sa.Text(), nullable=True),
        sa.Column('minutes', sa.Text(), nullable=True),
        sa.Column('minutes_published_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'],
                                name=op.f('fk_meetings_consultation_id_consultations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings')),
    )
    op.create_index(op.f('ix_meetings_consultation_id'), 'meetings', ['consultation_id'], unique=False)
    op.create_table(
        'meeting_registrations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=50), nullable=False),
        sa.Column('phone', sa.String(length=50), nullable=False),
        sa.Column('phone_key', sa.String(length=50), nullable=False),
        sa.Column('email', sa.String(length=200), nullable=True),
        sa.Column('organisation', sa.String(length=200), nullable=True),
        sa.Column('statement', sa.Text(), nullable=True),
        sa.Column('language', sa.String(length=10), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'],
                                name=op.f('fk_meeting_registrations_meeting_id_meetings'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_registrations')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_meeting_registrations_key_hash')),
    )
    op.create_index(op.f('ix_meeting_registrations_meeting_id'), 'meeting_registrations', ['meeting_id'],
                    unique=False)
    op.create_index('uq_meeting_registrations_phone', 'meeting_registrations', ['meeting_id', 'phone_key'],
                    unique=True, sqlite_where=sa.text(STANDING), postgresql_where=sa.text(STANDING))
    if op.get_bind().dialect.name == 'postgresql':
        # the function of migration 0023: renews the content token of OLD's and NEW's consultation
        op.execute("CREATE TRIGGER meetings_content_token AFTER INSERT OR UPDATE OR DELETE ON "
                   "meetings FOR EACH ROW EXECUTE FUNCTION portal_renew_consultation_content_token()")
    else:
        for operation in OPERATIONS:
            rows = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}[operation]
            targets = ", ".join(f"{row}.consultation_id" for row in rows)
            op.execute(f"CREATE TRIGGER meetings_content_token_{operation.lower()} AFTER {operation} ON "
                       f"meetings BEGIN UPDATE consultations SET content_token = {SQLITE_NEW} "
                       f"WHERE id IN ({targets}); END")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS meetings_content_token ON meetings")
    op.drop_index('uq_meeting_registrations_phone', table_name='meeting_registrations')
    op.drop_index(op.f('ix_meeting_registrations_meeting_id'), table_name='meeting_registrations')
    op.drop_table('meeting_registrations')
    op.drop_index(op.f('ix_meetings_consultation_id'), table_name='meetings')
    op.drop_table('meetings')
