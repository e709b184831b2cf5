"""The error services raise when a request cannot be carried out."""


class ServiceError(Exception):
    """A use case refused: the message is shown to the user (a lazy translated string)."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotFound(ServiceError):
    """The object does not exist or the user may not know it exists."""
