"""The error a pass design or pass.json raises when Wallet would not accept it."""

from __future__ import annotations

from collections.abc import Iterable


class PassValidationError(ValueError):
    """Every problem found in a pass, each a sentence that names its JSON path.

    All problems are collected before raising, so a designer fixes them in one round
    instead of one per request.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(self.problems)  # args stay the list, so the error survives pickling

    def __str__(self) -> str:
        return "; ".join(self.problems)
