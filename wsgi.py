"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi …``."""
import gc
import sys

from portal import create_app
from portal.config import ConfigError

try:
    app = create_app()
except ConfigError as error:  # a setting that cannot be used: said plainly, not as a traceback
    sys.exit(f"portal: {error}")
# What start-up built (the app, its extensions, SQLAlchemy's tables and mappers, Babel's data) lives as long as the
# process: taken out of the garbage collector's generations, so that its collections look only at what requests
# make. Scanning it again and again had cost ~8 % of a comment submission's instructions (issue 9).
gc.freeze()
