"""The SQL views in sql/: discovery, header comments, creation."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .validator.report import Problem, Report

VIEW_FILE = re.compile(r"^\d{2}_([a-z_]+)\.sql$")


@dataclass(frozen=True)
class View:
    name: str
    path: Path
    sql: str

    @property
    def description(self) -> str:
        """The leading '--' comment block: the question the view answers and its columns."""
        lines = []
        for line in self.sql.splitlines():
            if not line.startswith("--"):
                break
            lines.append(line[2:].strip())
        return "\n".join(lines).strip()

    @property
    def question(self) -> str:
        """First paragraph of the description."""
        return self.description.split("\n\n")[0].replace("\n", " ")


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
