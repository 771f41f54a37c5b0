"""What a change is: data, not prose.

A :class:`Change` names the rule that found it (a stable kebab-case id), its level, where it
is (a location in the form Microsoft's breaking-change checker uses), and the old and new
values. Sentences are produced when rendering, keyed by the rule id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable


_CONTROL = {c: f"\\x{c:02x}" for c in range(32) if chr(c) not in "\n\t"}
_CONTROL.update({0x7F: "\\x7f"})
_CONTROL.update({c: f"\\x{c:02x}" for c in range(0x80, 0xA0)})


def printable(text: str) -> str:
    """Text from a definition made safe to print: control characters (terminal escape
    sequences, carriage returns) are shown as ``\\xNN`` instead of acting on the terminal.

    >>> printable("Get item\\x1b]0;pwned\\x07 now\\r")
    'Get item\\\\x1b]0;pwned\\\\x07 now\\\\x0d'
    """
    return text.translate(_CONTROL)


def pointer_text(pointer: tuple) -> str:
    """A JSON pointer string (RFC 6901) for a pointer tuple.

    >>> pointer_text(("paths", "/items/{id}", "get"))
    '/paths/~1items~1{id}/get'
    """
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in pointer)


class Level(str, Enum):
    """How a change affects the people who use a connector, most severe first."""

    BREAKING = "breaking"
    RISKY = "risky"
    DEPRECATION = "deprecation"
    ADDITIVE = "additive"
    COSMETIC = "cosmetic"

    @property
    def severity(self) -> int:
        """Higher is worse: breaking 5 ... cosmetic 1."""
        return _SEVERITY[self]

    def __str__(self) -> str:  # so f-strings print "breaking", not "Level.BREAKING"
        return self.value

    @classmethod
    def parse(cls, text: str) -> "Level":
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(level.value for level in cls)
            raise ValueError(f"unknown level {text!r}; expected one of {names}") from None


_SEVERITY = {
    Level.BREAKING: 5,
    Level.RISKY: 4,
    Level.DEPRECATION: 3,
    Level.ADDITIVE: 2,
    Level.COSMETIC: 1,
}

#: Levels from the most to the least severe.
LEVELS: tuple[Level, ...] = tuple(sorted(Level, key=lambda lv: -lv.severity))


def count_levels(changes) -> dict["Level", int]:
    """How many changes there are at each level, every level present, most severe first."""
    counts = {level: 0 for level in LEVELS}
    for change in changes:
        counts[change.level] += 1
    return counts


@dataclass(frozen=True)
class Change:
    """One change between two connector versions.

    ``location`` uses the checker's ValuePath form, e.g.
    ``operation/GetItem/parameter/body/schema/name/type``. ``file`` and ``pointer`` say
    where in which file the element lives (a JSON pointer as a tuple of keys), on the
    ``side`` that has it: the new file, or the old one for a removal.
    ``details`` holds rule-specific extra data (for example ``{"renamed_to": "X"}``).
    """

    rule: str
    level: Level
    location: str
    operation: str | None = None
    old: Any = None
    new: Any = None
    file: str | None = None
    pointer: tuple = ()
    side: str = "new"
    details: tuple[tuple[str, Any], ...] = field(default=())
    #: Other ``(file, pointer)`` places this finding speaks for (the residual pass's coverage).
    covers: tuple[tuple[str, tuple], ...] = field(default=(), compare=False)

    @property
    def detail(self) -> dict[str, Any]:
        return dict(self.details)

    @property
    def message(self) -> str:
        """The rendered one-line sentence for this change (from its rule's template).

        The rule catalogue (:mod:`versioning.rules`, imported with the package) installs the
        renderer with :func:`set_message_renderer`; this module never imports it back."""
        return _render(self) if _render is not None else self.rule

    def sort_key(self) -> tuple:
        return (-self.level.severity, self.operation or "", self.location, self.rule)


_render: Callable[[Change], str] | None = None


def set_message_renderer(render: Callable[[Change], str]) -> None:
    """Install how :attr:`Change.message` turns a change into its sentence (the rule
    catalogue does, keyed by rule id)."""
    global _render
    _render = render
