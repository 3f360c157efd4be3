"""Forms of the mail pages: validation only."""
from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """Confirm an address or unsubscribe: one button, the signed token is in the URL."""
