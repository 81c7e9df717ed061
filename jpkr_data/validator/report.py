"""Validation problems and the report that collects them (capped, so a hostile file cannot exhaust memory)."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

MAX_PROBLEMS = 1000  # problems kept in one report; the rest are counted, not stored


@dataclass(frozen=True)
class Problem:
    """One error. `row` counts CSV records with the header as row 1 (frictionless' convention);
    `json_path` locates a descriptor error (e.g. resources[3].schema.foreignKeys[0].reference.fields)."""
    check: str
    file: str
    message: str
    row: int | None = None
    field: str | None = None
    value: str | None = None
    json_path: str | None = None

    def __str__(self) -> str:
        """One line: where, which check, what, and the offending value."""
        where = self.file
        if self.json_path:
            where += f", at {self.json_path}"
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", field {self.field}"
        shown = "" if self.value is None else f" (value {_short(self.value)!r})"
        return f"{where}: [{self.check}] {self.message}{shown}"


def _short(value: str, limit: int = 200) -> str:
    """A value cut to `limit` characters for display (a 3 MB cell is not printed whole)."""
    return value if len(value) <= limit else value[:limit] + f"... ({len(value)} characters)"


@dataclass
class Report:
    """What validate() found. `checks` lists every check that ran, so an empty report means valid."""
    descriptor: str
    problems: list[Problem] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)
    not_listed: int = 0  # problems found beyond MAX_PROBLEMS, counted only

    @property
    def valid(self) -> bool:
        """True when no problem was found."""
        return not self.problems and not self.not_listed

    def add(self, problem: Problem) -> None:
        """Keep the problem, or only count it once the report holds MAX_PROBLEMS."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.not_listed += 1

    def ran(self, check: str) -> None:
        """Record that a check ran."""
        if check not in self.checks:
            self.checks.append(check)

    def to_dict(self) -> dict:
        """The report as plain data (the --format json output)."""
        return {
            "descriptor": self.descriptor,
            "valid": self.valid,
            "error_count": len(self.problems) + self.not_listed,
            "errors": [asdict(p) for p in self.problems],
            "errors_not_listed": self.not_listed,
            "checks": self.checks,
            "row_counts": self.tables,
        }

    def to_json(self) -> str:
        """The report as indented JSON."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        """The report as lines of text, one per problem, then a verdict."""
        if self.valid:
            rows = sum(self.tables.values())
            return (f"valid: {self.descriptor}: {len(self.tables)} tables, {rows} rows, "
                    f"{len(self.checks)} checks passed")
        lines = [str(p) for p in self.problems]
        if self.not_listed:
            lines.append(f"{self.not_listed} more errors not listed (a report lists at most {MAX_PROBLEMS})")
        lines.append(f"invalid: {len(self.problems) + self.not_listed} error(s) in {self.descriptor}")
        return "\n".join(lines)


class ValidationError(Exception):
    """Raised when the package is invalid; carries the report."""

    def __init__(self, report: Report):
        self.report = report
        first = "\n".join(str(p) for p in report.problems[:10])
        more = len(report.problems) + report.not_listed - 10
        tail = f"\n... and {more} more" if more > 0 else ""
        super().__init__(f"{report.descriptor} is invalid:\n{first}{tail}")
