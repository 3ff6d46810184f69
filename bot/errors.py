"""The errors a user is shown: each str() is one sentence for the person who asked."""

from __future__ import annotations


class RuleError(ValueError):
    """A value breaks a registry rule; str() is one sentence for the user."""


class CommandError(ValueError):
    """A user-facing parse error; str(err) is one clear sentence for the user."""


class NotFound(RuleError):
    """No partner by that name; carries the closest names."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = ""
        if suggestions:
            hint = " Did you mean " + " or ".join(f"*{s}*" for s in suggestions) + "?"
        super().__init__(f"No partner is named *{name}*.{hint}")


class Forbidden(RuleError):
    """The actor may not change this partner; says who can."""

    def __init__(self, name: str, owner: str) -> None:
        self.name = name
        self.owner = owner
        super().__init__(f"Only the owner of *{name}* or a partnerbot admin can change it.")


class AlreadyRegistered(RuleError):
    """A partner by that name exists already."""

    def __init__(self, name: str, owner: str) -> None:
        self.name = name
        self.owner = owner
        super().__init__(f"*{name}* is already registered; see it with `/partner show {name}`.")


class StaleEdit(RuleError):
    """A form was opened before the partner's latest change."""


class NameTaken(RuleError):
    """The workspace's unique name constraint refused a partner's name."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"Another partner is already named *{name}*.")


class WriteConflict(StaleEdit):
    """Another change to the same row landed between this transaction's read and its
    versioned write; the transaction is rolled back, so nothing was changed."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"*{name}* was changed by someone else at the same moment; nothing was changed. "
            "Try again."
        )


class DatabaseUnavailable(RuleError):
    """The database could not be reached; the transaction did not happen."""

    def __init__(self) -> None:
        super().__init__("Database unavailable, nothing was changed. Try again in a minute.")
