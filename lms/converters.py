"""URL converters shared by Balise's apps."""


class IdConverter:
    """A database id: at most 18 digits, so that a longer number is a 404 instead of an
    overflow in the database driver (SQLite cannot compare integers past 2**63)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))
