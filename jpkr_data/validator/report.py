"""Validation problems and the report that collects them."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Problem:
    """One error. `row` counts CSV records with the header as row 1 (frictionless' convention)."""
    check: str
    file: str
    message: str
    row: int | None = None
    field: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", field {self.field}"
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}: [{self.check}] {self.message}{shown}"


@dataclass
class Report:
    """What validate() found. `checks` lists every check that ran, so an empty report means valid."""
    descriptor: str
    problems: list[Problem] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.problems

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def ran(self, check: str) -> None:
        if check not in self.checks:
            self.checks.append(check)

    def to_dict(self) -> dict:
        return {
            "descriptor": self.descriptor,
            "valid": self.valid,
            "error_count": len(self.problems),
            "errors": [asdict(p) for p in self.problems],
            "checks": self.checks,
            "row_counts": self.tables,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        if self.valid:
            rows = sum(self.tables.values())
            return (f"valid: {self.descriptor}: {len(self.tables)} tables, {rows} rows, "
                    f"{len(self.checks)} checks passed")
        lines = [str(p) for p in self.problems]
        lines.append(f"invalid: {len(self.problems)} error(s) in {self.descriptor}")
        return "\n".join(lines)


class ValidationError(Exception):
    """Raised when the package is invalid; carries the report."""

    def __init__(self, report: Report):
        self.report = report
        first = "\n".join(str(p) for p in report.problems[:10])
        more = len(report.problems) - 10
        tail = f"\n... and {more} more" if more > 0 else ""
        super().__init__(f"{report.descriptor} is invalid:\n{first}{tail}")
