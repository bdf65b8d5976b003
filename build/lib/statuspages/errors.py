class StatusPageError(Exception):
    """A change the page's state does not allow; ``message`` is German, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
