"""Forms of the mail pages: validation only."""
from portal.core.forms import Form


class ConfirmForm(Form):
    """Confirm an address or unsubscribe: one button, the signed token is in the URL."""
