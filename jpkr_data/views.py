"""The SQL views in sql/: discovery, header comments, creation."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .validator.report import Problem, Report

VIEW_FILE = re.compile(r"^\d{2}_([a-z_]+)\.sql$")


COLUMN_LINE = re.compile(r"^--   ([a-z_][a-z0-9_]*): (\S.*)$")


@dataclass(frozen=True)
class View:
    """One view file: its name, path and SQL (header comment included)."""
    name: str
    path: Path
    sql: str

    @property
    def header(self) -> list[str]:
        """The leading '--' comment lines, as written."""
        lines = []
        for line in self.sql.splitlines():
            if not line.startswith("--"):
                break
            lines.append(line)
        return lines

    @property
    def description(self) -> str:
        """The header without its comment markers: the question, the prose and the columns."""
        return "\n".join(line[2:].strip() for line in self.header).strip()

    @property
    def question(self) -> str:
        """The first header line: the question the view answers."""
        return self.header[0][2:].strip() if self.header else ""

    @property
    def columns(self) -> dict[str, str]:
        """Column name -> description, from the header's '-- Columns:' block ('--   name: description' lines)."""
        lines = self.header
        try:
            start = next(i for i, line in enumerate(lines) if line.rstrip() == "-- Columns:") + 1
        except StopIteration:
            return {}
        out: dict[str, str] = {}
        for line in lines[start:]:
            m = COLUMN_LINE.match(line.rstrip())
            if m is None:
                break
            out[m.group(1)] = m.group(2).strip()
        return out

    def header_problems(self) -> list[str]:
        """What the header lacks or repeats, against the format: question, '--', prose, '-- Columns:', one line per column."""
        lines, problems = self.header, []
        if len(lines) < 2 or not lines[0][2:].strip() or lines[1].rstrip() != "--":
            problems.append("the header must start with '-- <question>' and then a line '--'")
        if "-- Columns:" not in [line.rstrip() for line in lines]:
            problems.append("the header has no '-- Columns:' block")
        names = [m.group(1) for m in (COLUMN_LINE.match(line.rstrip()) for line in lines) if m]
        problems += [f"column {n!r} is described twice" for n in sorted({n for n in names if names.count(n) > 1})]
        return problems


def discover_views(root: Path) -> list[View]:
    """Views in file-name order (the two-digit prefix orders dependencies)."""
    folder = root / "sql"
    views = []
    for path in sorted(folder.glob("*.sql")) if folder.is_dir() else []:
        m = VIEW_FILE.match(path.name)
        if m:
            views.append(View(m.group(1), path, path.read_text(encoding="utf-8")))
    return views


def create_views(con: duckdb.DuckDBPyConnection, root: Path, report: Report, temporary: bool = False) -> list[View]:
    """Create every view and run it once; report those that fail to compile or run.

    temporary=True (validation) creates them as TEMP views over the checked tables and only
    plans and opens each one (LIMIT 0), which is enough to prove that it compiles; a build
    (temporary=False) runs every view to the end."""
    created = []
    for view in discover_views(root):
        report.ran("view")
        rel = f"sql/{view.path.name}"
        if not re.search(rf"\bCREATE\s+(OR\s+REPLACE\s+)?VIEW\s+{view.name}\b", view.sql, re.IGNORECASE):
            report.add(Problem("view", rel, f"the file must create the view {view.name!r} (named after the file)"))
            continue
        try:
            sql = re.sub(r"\bCREATE\s+(OR\s+REPLACE\s+)?VIEW\b", "CREATE OR REPLACE TEMP VIEW", view.sql, count=1, flags=re.IGNORECASE) if temporary else view.sql
            con.execute(sql)
            probe = f'SELECT * FROM "{view.name}" LIMIT 0' if temporary else f'SELECT count(*) FROM "{view.name}"'
            con.execute(probe).fetchall()
        except duckdb.Error as exc:
            report.add(Problem("view", rel, f"view {view.name!r} does not compile or run: {str(exc).splitlines()[0]}"))
            continue
        created.append(view)
    return created
