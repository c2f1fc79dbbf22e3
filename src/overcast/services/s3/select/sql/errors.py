"""The one exception the S3 Select engine raises: AWS's error code, message and HTTP status."""


class SelectError(Exception):
    """An S3 Select failure as AWS reports it.

    ``code`` is AWS's error code (``ParseUnexpectedToken``, ``CastFailed`` ...), ``message``
    its text byte for byte, ``status`` the HTTP status AWS answers with (400 for nearly all).
    Raised by compile_select for bad SQL and by SelectQuery.run while evaluating; the
    operation turns it into an error response, or an error event once the stream began.
    """

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def cannot_evaluate() -> SelectError:
    """AWS's answer when values of types that do not go together meet (a CSV text ordered
    against a number, arithmetic on text): the query needs a CAST."""
    return SelectError(
        "ExternalEvalException",
        "The query cannot be evaluated. Please check the query and file and try again.",
    )


def unexpected(token) -> SelectError:
    """A token the grammar does not allow where it stands (its value withheld, as AWS)."""
    return SelectError(
        "ParseUnexpectedToken", f"Unexpected token found {token.describe()} {token.where()}."
    )


def unsupported() -> SelectError:
    return SelectError("ParseUnsupportedSyntax", "The SQL expression contains unsupported syntax.")


def unsupported_select() -> SelectError:
    """A SELECT inside the statement (a subquery)."""
    return SelectError(
        "ParseUnsupportedSelect", "The SQL expression contains an unsupported use of SELECT."
    )


def star_not_alone() -> SelectError:
    return SelectError(
        "ParseAsteriskIsNotAloneInSelectList",
        "Other expressions are not allowed in the SELECT list when '*' is used without dot "
        "notation in the SQL expression.",
    )
