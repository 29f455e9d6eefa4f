"""The one exception the importer raises for bad input."""


class ImportRefused(Exception):
    """The file cannot be imported; the message says why, for a person to read.

    Raised before anything is written (the validation pass reads the whole file first), so a
    refused import leaves the database as it was.
    """
