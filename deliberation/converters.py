"""URL converters shared by the apps' routes."""

MAX_ID = 2**63 - 1


class IdConverter:
    """A database id in a URL: a value a 64-bit integer column can hold, else
    no match (404). (`<int:...>` takes any value; a lookup through a foreign
    key with one past 2**63 raises OverflowError on SQLite instead of
    finding nothing.)"""

    regex = "[0-9]+"

    def to_python(self, value):
        number = int(value)
        if number > MAX_ID:
            raise ValueError("past a 64-bit id")  # Django: this URL does not match
        return number

    def to_url(self, value):
        return str(value)
