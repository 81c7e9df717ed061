"""Errors the accessor raises for user input."""
from __future__ import annotations


class ReadOnlyError(PermissionError):
    """Raised when SQL tries to change the package, the cache, a file or the session's settings."""


class UnknownNameError(KeyError):
    """Raised for a table or view name the package does not have."""

    def __str__(self) -> str:
        return str(self.args[0])


class QueryError(ValueError):
    """Raised for SQL that cannot be run at all: empty, not UTF-8, unparsable statement list."""


class CacheError(OSError):
    """Raised when the database for a package can be neither found, built nor opened; names the file."""
