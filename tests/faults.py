"""A catalogue of corrupted packages: each fault is a named mutation and the error it must produce."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Fault:
    name: str
    mutate: Callable[[Path], None]
    check: str  # the check that must report it
    file: str  # the file the error must name
    field: str | None = None  # the field it must name (None: not checked)
    row: int | None = None  # the CSV row it must name, header = 1 (None: not checked)


def read(pkg: Path, table: str) -> list[list[str]]:
    with (pkg / "data" / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def write(pkg: Path, table: str, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    (pkg / "data" / f"{table}.csv").write_text(buf.getvalue(), encoding="utf-8")


def set_cell(table: str, row: int, field: str, value: str | Callable[[str], str]) -> Callable[[Path], None]:
    """Mutation: set one cell (row counted as in the file, header = 1)."""
    def mutate(pkg: Path) -> None:
        rows = read(pkg, table)
        col = rows[0].index(field)
        rows[row - 1][col] = value(rows[row - 1][col]) if callable(value) else value
        write(pkg, table, rows)
    return mutate


def edit_file(rel: str, change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def mutate(pkg: Path) -> None:
        path = pkg / rel
        path.write_bytes(change(path.read_bytes()))
    return mutate


def delete(rel: str) -> Callable[[Path], None]:
    return lambda pkg: (pkg / rel).unlink()


def duplicate_row(table: str, row: int) -> Callable[[Path], None]:
    def mutate(pkg: Path) -> None:
        rows = read(pkg, table)
        write(pkg, table, rows + [rows[row - 1]])
    return mutate


def drop_row(table: str, row: int) -> Callable[[Path], None]:
    def mutate(pkg: Path) -> None:
        rows = read(pkg, table)
        del rows[row - 1]
        write(pkg, table, rows)
    return mutate


def swap_columns(table: str, a: int, b: int) -> Callable[[Path], None]:
    def mutate(pkg: Path) -> None:
        rows = read(pkg, table)
        for r in rows:
            r[a], r[b] = r[b], r[a]
        write(pkg, table, rows)
    return mutate


def add_view(name: str, sql: str) -> Callable[[Path], None]:
    return lambda pkg: (pkg / "sql" / name).write_text(sql, encoding="utf-8")


def add_event_without_mention(pkg: Path) -> None:
    rows = read(pkg, "events")
    new = list(rows[1])
    new[0] = "ev_orphan"
    write(pkg, "events", rows + [new])


def set_cells(table: str, row: int, values: dict[str, str]) -> Callable[[Path], None]:
    """Mutation: set several cells of one row."""
    def mutate(pkg: Path) -> None:
        for field, value in values.items():
            set_cell(table, row, field, value)(pkg)
    return mutate


def edit_descriptor(change: Callable[[dict], None]) -> Callable[[Path], None]:
    """Mutation: change the parsed datapackage.json in place."""
    def mutate(pkg: Path) -> None:
        import json

        path = pkg / "datapackage.json"
        d = json.loads(path.read_text(encoding="utf-8"))
        change(d)
        path.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    return mutate


def res(d: dict, name: str) -> dict:
    return next(r for r in d["resources"] if r["name"] == name)


def fk(d: dict, table: str, k: int = 0) -> dict:
    return res(d, table)["schema"]["foreignKeys"][k]


def field_of(d: dict, table: str, name: str) -> dict:
    return next(f for f in res(d, table)["schema"]["fields"] if f["name"] == name)


DP = "datapackage.json"
EV = "data/events.csv"
FAULTS: list[Fault] = [
    Fault("bad_date", set_cell("events", 2, "date_start", "1910-13-01"), "type", EV, "date_start", 2),
    Fault("date_not_iso", set_cell("events", 2, "date_end", "31/12/1945"), "type", EV, "date_end", 2),
    Fault("non_integer_offset", set_cell("event_mentions", 3, "char_start", "12a"), "type", "data/event_mentions.csv", "char_start", 3),
    Fault("negative_offset", set_cell("statements", 2, "char_start", "-1"), "minimum", "data/statements.csv", "char_start", 2),
    Fault("duplicate_primary_key", duplicate_row("actors", 3), "primary-key", "data/actors.csv", "actor_id"),
    Fault("dangling_foreign_key", set_cell("event_mentions", 4, "event_id", "ev_no_such_event"), "foreign-key", "data/event_mentions.csv", "event_id", 4),
    Fault("dangling_self_reference", set_cell("actors", 7, "parent_actor_id", "nobody"), "foreign-key", "data/actors.csv", "parent_actor_id", 7),
    Fault("unknown_enum_value", set_cell("events", 5, "status", "rumoured"), "enum", EV, "status", 5),
    Fault("empty_required_field", set_cell("actors", 4, "name", ""), "required", "data/actors.csv", "name", 4),
    Fault("pattern_violation", set_cell("actors", 2, "country_iso3", "jp"), "pattern", "data/actors.csv", "country_iso3", 2),
    Fault("whitespace_in_key", set_cell("event_mentions", 2, "article_id", "art000 "), "whitespace", "data/event_mentions.csv", "article_id", 2),
    Fault("span_text_edited", set_cell("statements", 3, "text", lambda v: v + "!"), "span", "data/statements.csv", "text", 3),
    Fault("span_offset_shifted", set_cell("claims", 2, "char_start", lambda v: str(int(v) + 1)), "span", "data/claims.csv", "evidence_text", 2),
    Fault("span_past_end_of_source", set_cell("event_mentions", 2, "char_end", "999999"), "span", "data/event_mentions.csv", "char_end", 2),
    Fault("source_file_edited", edit_file("data/sources/002_0d747d615daa2c56.txt", lambda b: b.replace(b"55-minute", b"45-minute")),
          "source-checksum", "data/articles.csv", "source_sha256", 4),
    Fault("checksum_edited", set_cell("articles", 2, "source_sha256", "0" * 64), "source-checksum", "data/articles.csv", "source_sha256", 2),
    Fault("missing_data_file", delete("data/claims.csv"), "missing-file", "data/claims.csv"),
    Fault("missing_source_file", delete("data/sources/004_211d29bb0920ff2d.txt"), "source-file", "data/articles.csv", "source_file", 6),
    Fault("ragged_row", edit_file("data/actors.csv", lambda b: b.replace(b"\nkor,", b"\nkor,extra,", 1)), "ragged-row", "data/actors.csv", None, 3),
    Fault("surplus_empty_cell", edit_file("data/cameo_codes.csv", lambda b: b.replace(b"\n", b",\n", 2).replace(b",\n", b"\n", 1)),
          "ragged-row", "data/cameo_codes.csv", None, 2),
    Fault("header_wrong_order", swap_columns("actors", 1, 2), "header", "data/actors.csv", None, 1),
    Fault("header_duplicated", edit_file("data/actors.csv", lambda b: b.replace(b"reasoning,notes", b"reasoning,reasoning", 1)),
          "header", "data/actors.csv", None, 1),
    Fault("header_missing_column", edit_file("data/cameo_codes.csv", lambda b: b.replace(b",crosswalk_note\n", b"\n", 1)), "header", "data/cameo_codes.csv", None, 1),
    Fault("latin1_file", edit_file("data/actors.csv", lambda b: b.decode("utf-8").replace("Airlines flying", "Compañías flying").encode("latin-1", "replace")),
          "encoding", "data/actors.csv"),
    Fault("byte_order_mark", edit_file("data/articles.csv", lambda b: b"\xef\xbb\xbf" + b), "encoding", "data/articles.csv", None, 1),
    Fault("unclosed_quote", edit_file("data/cameo_codes.csv", lambda b: b + b'999,"Unclosed label,99,,,\n'), "csv-syntax", "data/cameo_codes.csv"),
    Fault("empty_file", edit_file("data/event_relations.csv", lambda b: b""), "header", "data/event_relations.csv", None, 1),
    Fault("view_does_not_compile", add_view("99_broken.sql", "CREATE VIEW broken AS SELECT no_such_column FROM events;"), "view", "sql/99_broken.sql"),
    Fault("view_misnamed", add_view("98_mine.sql", "CREATE VIEW other AS SELECT 1;"), "view", "sql/98_mine.sql"),
    Fault("parent_cycle", set_cell("actors", 2, "parent_actor_id", "jpn_mofa"), "parent-cycle", "data/actors.csv", "parent_actor_id"),
    Fault("event_without_mention", add_event_without_mention, "event-has-mention", EV, "event_id"),
    Fault("dates_reversed", set_cell("events", 2, "date_start", "1950-01-01"), "dates", EV, "date_start", 2),
    Fault("inferred_date_without_reasoning", set_cell("events", 7, "date_reasoning", ""), "dates", EV, "date_reasoning", 7),
    Fault("said_after_article", set_cell("statements", 2, "said_date_start", "2019-09-01"), "said-date", "data/statements.csv"),
    Fault("quotation_unclassified", drop_row("quotations", 2), "quotations-complete", "data/quotations.csv"),
    Fault("evidence_in_boilerplate", set_cell("article_segments", 25, "segment_type", "byline"), "segment-text", "data/article_segments.csv", "text", 25),
    Fault("body_end_past_source", set_cell("articles", 2, "body_end", "99999"), "body-bounds", "data/articles.csv"),
    Fault("event_code_missing", set_cell("events", 2, "cameo_code", ""), "event-code", EV, "cameo_code", 2),
    Fault("claim_subject_missing", set_cell("claims", 2, "subject_id", "ev_nowhere"), "claim-subject", "data/claims.csv", "subject_id", 2),
    Fault("claim_dyad_unordered", set_cells("claims", 3, {"subject_table": "dyads", "subject_id": "kor-jpn"}), "claim-subject", "data/claims.csv", "subject_id", 3),
    # descriptor faults: found before any file is read, located by JSON path
    Fault("fk_to_missing_resource", edit_descriptor(lambda d: fk(d, "event_mentions")["reference"].update(resource="nowhere")), "descriptor", DP),
    Fault("fk_field_count_mismatch", edit_descriptor(lambda d: fk(d, "event_mentions").update(fields=["event_id", "article_id"])), "descriptor", DP),
    Fault("fk_from_missing_field", edit_descriptor(lambda d: fk(d, "event_mentions").update(fields=["no_such_field"])), "descriptor", DP),
    Fault("fk_reference_is_a_string", edit_descriptor(lambda d: fk(d, "event_mentions").update(reference="events")), "descriptor", DP),
    Fault("duplicate_resource_name", edit_descriptor(lambda d: res(d, "cameo_codes").update(name="actors")), "descriptor", DP),
    Fault("unsafe_path_parent", edit_descriptor(lambda d: res(d, "cameo_codes").update(path="../victim/cameo_codes.csv")), "descriptor", DP),
    Fault("unsafe_path_absolute", edit_descriptor(lambda d: res(d, "cameo_codes").update(path="/etc/passwd")), "descriptor", DP),
    Fault("primary_key_missing_field", edit_descriptor(lambda d: res(d, "actors")["schema"].update(primaryKey=["nobody"])), "descriptor", DP),
    Fault("required_not_boolean", edit_descriptor(lambda d: field_of(d, "actors", "name")["constraints"].update(required="false")), "descriptor", DP),
    Fault("minimum_not_a_number", edit_descriptor(lambda d: field_of(d, "statements", "char_start")["constraints"].update(minimum="zero")), "descriptor", DP),
    Fault("invalid_regex", edit_descriptor(lambda d: field_of(d, "actors", "actor_id")["constraints"].update(pattern="[a-")), "descriptor", DP),
    Fault("unknown_field_type", edit_descriptor(lambda d: field_of(d, "actors", "name").update(type="text")), "descriptor", DP),
    # CSV shape and views
    Fault("blank_lines_at_end", edit_file("data/actors.csv", lambda b: b + b"\n" * 5), "ragged-row", "data/actors.csv"),
    Fault("view_two_statements", add_view("97_two.sql", "CREATE VIEW two AS SELECT 1 AS x; CREATE TABLE pwned AS SELECT 42 AS v;"), "view", "sql/97_two.sql"),
    Fault("view_reads_a_file", add_view("96_reader.sql", "CREATE VIEW reader AS SELECT * FROM read_text('datapackage.json');"), "view", "sql/96_reader.sql"),
    Fault("addressee_span_shifted", set_cell("statement_addressees", 2, "char_start", lambda v: str(int(v) + 1)),
          "span", "data/statement_addressees.csv", "evidence_text", 2),
    Fault("about_link_evidence_edited", set_cell("statement_events", 3, "evidence_text", lambda v: v + "!"), "span", "data/statement_events.csv", "evidence_text", 3),
    Fault("member_of_missing_group", set_cell("actor_members", 2, "group_actor_id", "nobody"), "foreign-key", "data/actor_members.csv", "group_actor_id", 2),
    Fault("addressee_unknown_actor", set_cell("statement_addressees", 3, "addressee_id", "nobody"), "foreign-key", "data/statement_addressees.csv", "addressee_id", 3),
    Fault("claim_dyad_unknown_actor", set_cells("claims", 4, {"subject_table": "dyads", "subject_id": "jpn-nobody"}), "claim-subject", "data/claims.csv", "subject_id", 4),
]
