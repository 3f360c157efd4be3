"""two-step login's shared secrets sealed (encrypted and authenticated with a key derived from the portal's secret
key, portal/core/sealing.py): a copy of the database no longer gives the second factor away

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def _keys():
    from flask import current_app

    from portal.core.web import secret_keys

    return secret_keys(current_app)


def upgrade():
    from portal.core.sealing import seal

    op.add_column('users', sa.Column('sealed_totp_secret', sa.Text(), nullable=True))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String),
                     sa.column('sealed_totp_secret', sa.Text))
    bind = op.get_bind()
    rows = bind.execute(sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret.is_not(None))).all()
    if rows:
        keys = _keys()
        for user_id, secret in rows:
            bind.execute(users.update().where(users.c.id == user_id)
                         .values(sealed_totp_secret=seal(secret, keys)))
    # a plain DROP COLUMN (SQLite 3.35+; no rebuild of the users table, which other tables refer to)
    if bind.dialect.name == 'sqlite':
        op.execute('ALTER TABLE users DROP COLUMN totp_secret')
    else:
        op.drop_column('users', 'totp_secret')


def downgrade():
    from portal.core.sealing import unseal

    op.add_column('users', sa.Column('totp_secret', sa.String(length=64), nullable=True))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String),
                     sa.column('sealed_totp_secret', sa.Text))
    bind = op.get_bind()
    rows = bind.execute(sa.select(users.c.id, users.c.sealed_totp_secret)
                        .where(users.c.sealed_totp_secret.is_not(None))).all()
    if rows:
        keys = _keys()
        for user_id, sealed in rows:
            bind.execute(users.update().where(users.c.id == user_id).values(totp_secret=unseal(sealed, keys)))
    if bind.dialect.name == 'sqlite':
        op.execute('ALTER TABLE users DROP COLUMN sealed_totp_secret')
    else:
        op.drop_column('users', 'sealed_totp_secret')
