"""Writing an import's clean rows into the registry: set-based, inside the caller's transaction.

Rows go in chunks (:data:`CHUNK`). For each chunk:

1. its values go into a temporary staging table — ``COPY`` (CSV built column by column by Arrow) on
   PostgreSQL, one ``executemany`` on SQLite. The staging table has the column types and NOT NULL rules
   of ``registry_child``, so a value the database refuses is reported with its row of the file and its
   column (:class:`RowError`), never with the value itself;
2. ``INSERT … SELECT`` copies the chunk into ``registry_child`` (the constants — status, source, batch,
   timestamps, creator — are parameters of that one statement), then into ``registry_caregiver`` (the
   father, mother and guardian columns of the same staging rows) and ``registry_specialcircumstance``:
   no second pass over the rows in Python and no look-up of the new ids.

Ids are known before the rows are written: on PostgreSQL the staging column's default takes them from
``registry_child``'s own sequence; on SQLite the transaction first takes the database's write lock (one
write), then numbers the rows after the highest id ever used. Rows are written in personal-ID order, so
the two personal-ID indexes fill in key order instead of at random pages.

Foreign keys stay in force. On PostgreSQL the import's constraints are set IMMEDIATE for the
transaction (back to DEFERRED at the end): each chunk is checked at the end of its statement while its
pages are still in memory, rather than a million checks queued until commit.

**Secondary indexes.** Keeping every index up to date row by row costs more than building it once
when the import is at least as large as what the table already holds (an initial load). Then, if the
import has at least :data:`REBUILD_MIN_ROWS` rows, the non-unique indexes of ``registry_child`` are
dropped inside the transaction and built again from their own definitions (``pg_get_indexdef``,
``sqlite_master``) once the rows are in; a failure rolls the drop back with everything else. Cost on
PostgreSQL: ``DROP INDEX`` holds an ACCESS EXCLUSIVE lock on ``registry_child`` until commit, so
nobody reads the registry during such an import — the lock is waited for at most :data:`LOCK_TIMEOUT`
seconds, otherwise the import keeps the indexes. On SQLite (WAL) readers go on reading the committed
state. The setting ``TREEM_IMPORT_REBUILD_INDEXES`` ("auto", the default; "never"; "always") overrides.
"""

from __future__ import annotations

import io
import os
import re
import time
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from treem.core import versions

from .codes import ChildStatus, RecordSource
from .models import Caregiver, Child, SpecialCircumstance

CHUNK = 100_000
REBUILD_MIN_ROWS = 100_000
LOCK_TIMEOUT = 5  # seconds
MAINTENANCE_WORK_MEM = "256MB"  # PostgreSQL, for the index builds of this transaction only
SQLITE_CACHE_KIB = 262_144  # SQLite page cache of the import's connection while it writes (default 2 MB)
STAGING = "registry_import_staging"
MODES = ("auto", "never", "always")

# Child columns whose values come from the rows (the staging table's first columns), in order.
CHILD_VALUES = [
    "id",
    "uid",
    "full_name",
    "name_folded",
    "birth_date",
    "birth_date_precision",
    "sex",
    "ethnicity_code",
    "ethnicity_list",
    "personal_id",
    "birth_registration",
    "birth_registration_date",
    "birth_registration_place",
    "commune_id",
    "source_unit_id",
    "village_id",
    "village_name",
    "address",
    "disability_type",
    "import_row",
]
UNIT_COLUMNS = ("commune_id", "source_unit_id", "village_id")


class RowError(Exception):
    """The database refused a value of the import (or a referenced unit is gone): which rows, which column.

    ``rows`` are row numbers of the file (at most five), ``column`` a staging column (a ``registry_child``
    column, ``circumstance`` or ``cg<k>_name``/``cg<k>_phone``), ``reason`` Vietnamese. No value is kept:
    the message may reach logs."""

    def __init__(self, rows: list[int], column: str, reason: str, sqlstate: str = ""):
        self.rows, self.column, self.reason, self.sqlstate = rows, column, reason, sqlstate
        super().__init__(f"rows {rows} column {column}: {sqlstate or 'refused'}")


@dataclass
class Stats:
    """What :func:`write` did (for the batch, the benchmark and the tests)."""

    written: int = 0
    caregivers: int = 0
    circumstances: int = 0
    rebuilt_indexes: list[str] = field(default_factory=list)
    seconds: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------- values


def uuid7_hex(n: int, now_ms: int | None = None) -> np.ndarray:
    """n UUIDs of version 7 as 32 hex digits (``S32``), time-ordered in row order, built without a Python loop.

    Same layout as ``imports.time_ordered_uuids``: 48 bits of milliseconds, version 7, a 32-bit row
    counter split around the variant bits, 42 random bits."""
    ms = (int(time.time() * 1000) if now_ms is None else now_ms) & ((1 << 48) - 1)
    i = np.arange(n, dtype=np.uint64)
    rand = (
        np.frombuffer(os.urandom(8 * n), dtype=np.uint64) & np.uint64((1 << 42) - 1)
        if n
        else np.zeros(0, np.uint64)
    )
    hi = np.uint64((ms << 16) | (0x7 << 12)) | ((i >> np.uint64(20)) & np.uint64(0xFFF))
    lo = np.uint64(0b10 << 62) | ((i & np.uint64(0xFFFFF)) << np.uint64(42)) | rand
    raw = np.empty((n, 2), dtype=">u8")
    raw[:, 0], raw[:, 1] = hi, lo
    return np.frombuffer(raw.tobytes().hex().encode("ascii"), dtype="S32")


def _text(values) -> np.ndarray:
    return np.asarray(values, dtype=object)


def prepare(batch, result) -> tuple[dict[str, np.ndarray], np.ndarray, list[tuple[str, str | None]]]:
    """The staging columns of the rows to write (object arrays), their file row numbers, and the caregivers
    as (relationship, phone column or None) per ``cg<k>``. Rows are put in personal-ID order."""
    c = result.columns
    idx = np.flatnonzero(result.ok)
    pid = c["personal_id"][idx]
    idx = idx[np.argsort(pid.astype("U12"), kind="stable")]
    cols: dict[str, np.ndarray] = {}
    for name in CHILD_VALUES:
        if name in ("id", "uid"):
            continue
        if name == "import_row":
            cols[name] = result.rownums[idx]
        else:
            cols[name] = c[name][idx]
    cols["circumstance"] = c["circumstance"][idx]
    caregivers = []
    for k, (rel, names, folded, ok, phones) in enumerate(result.caregivers):
        keep = ok[idx]
        cols[f"cg{k}_name"] = np.where(keep, _text(names)[idx], "")
        cols[f"cg{k}_folded"] = np.where(keep, _text(folded)[idx], "")
        phone = _text(phones)[idx]
        cols[f"cg{k}_phone"] = np.where(keep, phone, "")
        caregivers.append((rel, f"cg{k}_phone"))
    return cols, result.rownums[idx], caregivers


def _staging_types(vendor: str, extra: list[str]) -> list[tuple[str, str]]:
    """(column, SQL type with NULL rule) of the staging table: the child columns' own types."""
    out = []
    for name in CHILD_VALUES:
        f = Child._meta.get_field(name)  # the attname of a foreign key finds it too
        sql_type = f.db_type(connection)
        if name == "id":
            sql_type = "bigint" if vendor == "postgresql" else "integer"
        out.append((name, f"{sql_type}{'' if f.null else ' NOT NULL'}"))
    for name in extra:
        if name == "circumstance":
            f = SpecialCircumstance._meta.get_field("group")
        elif name.endswith("_phone"):
            f = Caregiver._meta.get_field("phone")
        else:
            f = Caregiver._meta.get_field("full_name")
        out.append((name, f"{f.db_type(connection)} NOT NULL"))
    return out


# ---------------------------------------------------------------------------------------- write


def rebuild_mode() -> str:
    mode = str(getattr(settings, "TREEM_IMPORT_REBUILD_INDEXES", "auto") or "auto").lower()
    return mode if mode in MODES else "auto"


def write(batch, result, progress=None, mode: str | None = None) -> Stats:
    """Write the clean rows of ``result`` (children, caregivers, special circumstances) for ``batch``.

    Must run inside a transaction (``transaction.atomic``): a failure leaves nothing. Raises
    :class:`RowError` when the database refuses a row's value; other errors propagate."""
    if not connection.in_atomic_block:
        raise RuntimeError("bulk.write needs a transaction")
    mode = mode or rebuild_mode()
    stats = Stats()
    t0 = time.perf_counter()
    cols, rownums, caregivers = prepare(batch, result)
    n = len(rownums)
    _check_units(cols, rownums)
    stats.seconds["prepare"] = time.perf_counter() - t0
    if not n:
        return stats
    writer = (_Postgres if connection.vendor == "postgresql" else _Sqlite)(
        batch, cols, rownums, caregivers, stats
    )
    try:
        writer.start(mode)
        t = time.perf_counter()
        stats.seconds["start"] = t - t0 - stats.seconds["prepare"]
        for a in range(0, n, CHUNK):
            writer.chunk(a, min(n, a + CHUNK))
            if progress:
                progress(min(n, a + CHUNK), n)
        stats.seconds["rows"] = time.perf_counter() - t
        t = time.perf_counter()
        writer.finish(progress)
        stats.seconds["indexes"] = time.perf_counter() - t
    finally:
        writer.close()
    stats.written = n
    versions.bump("records")  # COPY and executemany send no model signals
    return stats


def _check_units(cols: dict, rownums: np.ndarray) -> None:
    """Every referenced unit still exists (a unit removed between check and apply): else RowError."""
    from treem.geo.models import AdministrativeUnit

    for name in UNIT_COLUMNS:
        values = cols[name]
        present = np.array([v is not None for v in values], dtype=bool)
        wanted = {int(v) for v in set(values[present].tolist())}
        if not wanted:
            continue
        found = set(AdministrativeUnit.objects.filter(id__in=wanted).values_list("id", flat=True))
        missing = wanted - found
        if missing:
            bad = np.flatnonzero(present & np.isin(values.astype(object), list(missing)))
            raise RowError(
                rownums[bad[:5]].tolist(), name, "đơn vị hành chính không còn trong danh mục", "23503"
            )


def _constant(values: np.ndarray) -> tuple[bool, object]:
    """Whether every value of a column is the same (then it is a parameter, not a staging column)."""
    if not len(values):
        return False, None
    first = values[0]
    if isinstance(first, float) and first != first:
        return False, None
    same = np.equal(values, None) if first is None else (values == first)
    same = np.asarray(same, dtype=bool)
    return bool(same.shape == values.shape and same.all()), (
        first.item() if isinstance(first, np.generic) else first
    )


class _Writer:
    vendor = ""

    def __init__(self, batch, cols, rownums, caregivers, stats: Stats):
        self.batch, self.cols, self.rownums, self.caregivers, self.stats = (
            batch,
            cols,
            rownums,
            caregivers,
            stats,
        )
        self.n = len(rownums)
        self.extra = ["circumstance"] + [
            f"cg{k}_{part}" for k in range(len(caregivers)) for part in ("name", "folded", "phone")
        ]
        # Columns with one value for every row are parameters of the INSERT … SELECT, not staged per row.
        self.const: dict[str, object] = {}
        for name in [c for c in CHILD_VALUES if c not in ("id", "uid")] + self.extra:
            same, value = _constant(cols[name])
            if same:
                self.const[name] = value
        self.staged = [c for c in CHILD_VALUES if c != "id" and c not in self.const] + [
            c for c in self.extra if c not in self.const
        ]
        self.uids = uuid7_hex(self.n)
        self.qn = connection.ops.quote_name
        self.cur = connection.cursor()
        self.dropped: list[tuple[str, str]] = []  # (index name, its CREATE statement)
        self.dropped_fks: list[tuple[str, str, str]] = []  # (table, constraint name, its definition)
        ops = connection.ops
        self.now = ops.adapt_datetimefield_value(timezone.now())
        self.listed_on = ops.adapt_datefield_value(timezone.localdate(batch.created_at))
        self.note = f"Theo danh sách “{batch.file_name}”"[:500]
        for name in ("birth_date", "birth_registration_date"):
            if self.const.get(name) is not None:
                self.const[name] = ops.adapt_datefield_value(self.const[name])

    # The statements shared by both databases; ``id_sql`` is the child id of a staging row.

    id_sql = "s.id"
    order_sql = "s.seq"

    def _value(self, column: str, params: list) -> str:
        if column in self.const:
            params.append(self.const[column])
            return "%s"
        return f"s.{self.qn(column)}"

    def _insert_children(self, offset: int) -> None:
        params: list = []
        exprs = []
        for c in CHILD_VALUES:
            if c == "id":
                exprs.append(self.id_sql)
                if "%s" in self.id_sql:
                    params.append(offset)
            else:
                exprs.append(self._value(c, params))
        const = {
            "status": ChildStatus.ACTIVE,
            "source": RecordSource.IMPORT,
            "import_batch_id": self.batch.pk,
            "created_at": self.now,
            "updated_at": self.now,
            "created_by_id": self.batch.uploaded_by_id,
            "disability_level": "",
        }
        exprs += ["%s"] * len(const)
        params += list(const.values())
        names = ", ".join(self.qn(c) for c in [*CHILD_VALUES, *const])
        self.cur.execute(
            f"INSERT INTO {self.qn(Child._meta.db_table)} ({names}) SELECT {', '.join(exprs)} FROM {STAGING} s ORDER BY {self.order_sql}",
            params,
        )

    def _insert_related(self, offset: int) -> None:
        child_id = self.id_sql
        id_params = [offset] if "%s" in child_id else []
        table = self.qn(Caregiver._meta.db_table)
        cols = "child_id, relationship, full_name, name_folded, birth_year, personal_id, phone, is_primary, lives_with_child, deceased"
        for k, (rel, phone) in enumerate(self.caregivers):
            name = f"cg{k}_name"
            if self.const.get(name, None) == "":
                continue  # nobody has this caregiver
            # Primary: the first caregiver of the row in the order of the list (father, mother, guardian).
            earlier, primary_known = [], True
            for j in range(k):
                other = f"cg{j}_name"
                if other in self.const:
                    if self.const[other] != "":
                        primary_known = False
                else:
                    earlier.append(f"s.{other} = ''")
            params = [*id_params, rel]
            exprs = [
                child_id,
                "%s",
                self._value(name, params),
                self._value(f"cg{k}_folded", params),
                "NULL",
                "''",
                self._value(phone, params),
            ]
            if not primary_known:
                exprs.append("%s")
                params.append(False)
            elif earlier:
                exprs.append(f"({' AND '.join(earlier)})")
            else:
                exprs.append("%s")
                params.append(True)
            exprs += ["%s", "%s"]
            params += [True, False]
            where = "" if name in self.const else f"WHERE s.{name} <> ''"
            self.cur.execute(
                f"INSERT INTO {table} ({cols}) SELECT {', '.join(exprs)} FROM {STAGING} s {where} ORDER BY {self.order_sql}",
                params,
            )
            self.stats.caregivers += max(self.cur.rowcount, 0)
        if self.const.get("circumstance", None) == "":
            return
        params = list(id_params)
        group = self._value("circumstance", params)
        params += [self.listed_on, self.note]
        where = "" if "circumstance" in self.const else "WHERE s.circumstance <> ''"
        sc = self.qn(SpecialCircumstance._meta.db_table)
        self.cur.execute(
            f"INSERT INTO {sc} (child_id, {self.qn('group')}, subgroup, from_date, to_date, note) "
            f"SELECT {child_id}, {group}, '', %s, NULL, %s FROM {STAGING} s {where} ORDER BY {self.order_sql}",
            params,
        )
        self.stats.circumstances += max(self.cur.rowcount, 0)

    def _existing_at_most(self, limit: int) -> int:
        self.cur.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {self.qn(Child._meta.db_table)} LIMIT {int(limit) + 1}) t"
        )
        return self.cur.fetchone()[0]

    def _want_rebuild(self, mode: str) -> bool:
        if mode == "never":
            return False
        if mode == "always":
            return True
        return self.n >= REBUILD_MIN_ROWS and self._existing_at_most(self.n) <= self.n

    def _rows_with(self, a: int, b: int, column: str, predicate) -> list[int]:
        values = self.cols[column][a:b]
        hit = np.flatnonzero(np.array([predicate(v) for v in values], dtype=bool))
        return self.rownums[a:b][hit[:5]].tolist()

    def close(self) -> None:
        self.cur.close()


REASONS = {
    "22001": "giá trị dài quá mức cho phép",
    "23502": "thiếu giá trị bắt buộc",
    "23503": "giá trị tham chiếu không tồn tại",
    "22007": "ngày tháng không hợp lệ",
    "22008": "ngày tháng không hợp lệ",
    "22003": "số vượt quá giới hạn",
    "22P02": "giá trị không đúng kiểu",
}


class _Postgres(_Writer):
    vendor = "postgresql"

    def start(self, mode: str) -> None:
        cur = self.cur
        cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Child._meta.db_table])
        seq = cur.fetchone()[0]
        types = dict(_staging_types(self.vendor, self.extra))
        types["id"] = f"bigint NOT NULL DEFAULT nextval('{seq}'::regclass)"
        cur.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cur.execute(
            f"CREATE TEMPORARY TABLE {STAGING} (seq integer NOT NULL, "
            + ", ".join(f"{self.qn(c)} {types[c]}" for c in ["id", *self.staged])
            + ")"
        )
        self.tables = [Child._meta.db_table, Caregiver._meta.db_table, SpecialCircumstance._meta.db_table]
        cur.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND condeferrable AND conrelid = ANY(%s::regclass[])",
            [self.tables],
        )
        self.constraints = ", ".join(self.qn(r[0]) for r in cur.fetchall())
        if self.constraints:
            cur.execute(f"SET CONSTRAINTS {self.constraints} IMMEDIATE")
        if self._want_rebuild(mode):
            self._drop_indexes()
        self.copy_columns = ["seq", *self.staged]
        self.arrow = self._arrow_columns()

    def _drop_indexes(self) -> None:
        """Drop the secondary indexes of registry_child and the foreign keys pointing at it from the tables
        the import fills (checked again, set-based, when added back); keep them if the lock is not free."""
        cur = self.cur
        cur.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT i.indisunique AND i.indisvalid "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
            [Child._meta.db_table],
        )
        indexes = cur.fetchall()
        cur.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = %s::regclass AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
            [Child._meta.db_table, self.tables],
        )
        fks = cur.fetchall()
        cur.execute("SHOW lock_timeout")
        previous = cur.fetchone()[0]
        try:
            with transaction.atomic():
                cur.execute(f"SET LOCAL lock_timeout = '{int(LOCK_TIMEOUT * 1000)}ms'")
                cur.execute(
                    f"LOCK TABLE {', '.join(self.qn(t) for t in self.tables)} IN ACCESS EXCLUSIVE MODE"
                )
                for table, name, _ in fks:
                    cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT {self.qn(name)}")
                for name, _ in indexes:
                    cur.execute(f"DROP INDEX {self.qn(name)}")
        except DatabaseError:  # busy tables, or not their owner: keep the indexes
            indexes, fks = [], []
        cur.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
        self.dropped, self.dropped_fks = list(indexes), list(fks)

    def _arrow_columns(self) -> dict:
        import pyarrow as pa

        out = {"seq": pa.array(np.arange(self.n, dtype=np.int64))}
        out["uid"] = pa.StringArray.from_buffers(
            self.n,
            pa.py_buffer(np.arange(0, 32 * (self.n + 1), 32, dtype=np.int32)),
            pa.py_buffer(self.uids.tobytes()),
        )
        for name in self.copy_columns:
            if name in out:
                continue
            values = self.cols[name]
            if name in ("birth_date", "birth_registration_date"):
                out[name] = pa.array(values, type=pa.date32())
            elif name in ("commune_id", "source_unit_id", "village_id", "import_row"):
                out[name] = pa.array(values.tolist() if values.dtype == object else values, type=pa.int64())
            else:
                out[name] = pa.array(values, type=pa.string())
        return out

    def chunk(self, a: int, b: int) -> None:
        import psycopg
        import pyarrow as pa
        import pyarrow.csv as pacsv

        cur = self.cur
        cur.execute(f"TRUNCATE {STAGING}")
        table = pa.table({name: self.arrow[name].slice(a, b - a) for name in self.copy_columns})
        buf = io.BytesIO()
        pacsv.write_csv(
            table, buf, pacsv.WriteOptions(include_header=False, quoting_style="needed", batch_size=8192)
        )
        names = ", ".join(self.qn(c) for c in self.copy_columns)
        try:
            with cur.cursor.copy(f"COPY {STAGING} ({names}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(buf.getbuffer())
            del buf, table
            self._insert_children(a)
            self._insert_related(a)
        except (DatabaseError, psycopg.Error) as exc:
            raise self._row_error(exc, a, b) from None

    def _row_error(self, exc: Exception, a: int, b: int):
        """The row and column of a refused value (from COPY's line or the constraint's key), or ``exc``."""
        err = exc.__cause__ if exc.__cause__ is not None else exc
        diag = getattr(err, "diag", None)
        state = getattr(err, "sqlstate", None) or getattr(diag, "sqlstate", None) or ""
        if diag is None or not (state.startswith("22") or state.startswith("23")):
            return exc
        reason = REASONS.get(state, "giá trị không hợp lệ")
        m = re.search(r"COPY \S+, line (\d+)(?:, column (\w+))?", diag.context or "")
        if m:
            line = int(m.group(1))
            column = m.group(2) or diag.column_name or ""
            if 1 <= line <= b - a:
                return RowError([int(self.rownums[a + line - 1])], column, reason, state)
        m = re.search(r"Key \((\w+)\)=\((.*)\)", diag.message_detail or "")
        if m and m.group(1) in self.cols:
            column, value = m.group(1), m.group(2)
            rows = self._rows_with(a, b, column, lambda v: v is not None and str(v) == value)
            if rows:
                return RowError(rows, column, reason, state)
        if diag.column_name and diag.column_name in self.cols:
            rows = self._rows_with(a, b, diag.column_name, lambda v: v is None)
            if rows:
                return RowError(rows, diag.column_name, reason, state)
        return exc

    def finish(self, progress=None) -> None:
        cur = self.cur
        cur.execute(f"DROP TABLE {STAGING}")
        if self.dropped or self.dropped_fks:
            cur.execute("SHOW maintenance_work_mem")
            previous = cur.fetchone()[0]
            cur.execute("SELECT set_config('maintenance_work_mem', %s, true)", [MAINTENANCE_WORK_MEM])
            steps = len(self.dropped) + len(self.dropped_fks)
            for i, (name, definition) in enumerate(self.dropped):
                if progress:
                    progress(i, steps, phase="apply_indexes")
                cur.execute(definition)
                self.stats.rebuilt_indexes.append(name)
            for i, (table, name, definition) in enumerate(self.dropped_fks):
                if progress:
                    progress(len(self.dropped) + i, steps, phase="apply_indexes")
                cur.execute(
                    f"ALTER TABLE {table} ADD CONSTRAINT {self.qn(name)} {definition}"
                )  # checks every row, set-based
            cur.execute("SELECT set_config('maintenance_work_mem', %s, true)", [previous])
        if self.constraints:
            cur.execute(f"SET CONSTRAINTS {self.constraints} DEFERRED")
        if self.n > 10_000:  # fresh statistics, or the planner keeps scanning the whole table
            cur.execute(f"ANALYZE {self.qn(Child._meta.db_table)}")


class _Sqlite(_Writer):
    vendor = "sqlite"
    id_sql = "(s.rowid + %s)"  # staging rows are numbered 1, 2, … in each chunk
    order_sql = "s.rowid"

    def start(self, mode: str) -> None:
        cur = self.cur
        child = self.qn(Child._meta.db_table)
        # Take the write lock first (a no-op write), so that nobody else inserts children until commit
        # and the ids after the highest one ever used are ours.
        cur.execute(
            f"UPDATE {self.qn(self.batch._meta.db_table)} SET status = status WHERE id = %s", [self.batch.pk]
        )
        cur.execute(
            f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {child}), 0), "
            f"COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [Child._meta.db_table],
        )
        self.base = int(cur.fetchone()[0])
        cur.execute("PRAGMA cache_size")
        self.cache_size = cur.fetchone()[0]
        cur.execute("PRAGMA temp.cache_size")
        self.temp_cache_size = cur.fetchone()[0]
        cur.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        cur.execute(f"PRAGMA temp.cache_size = -{SQLITE_CACHE_KIB}")
        types = dict(_staging_types(self.vendor, self.extra))
        cur.execute(f"DROP TABLE IF EXISTS temp.{STAGING}")
        cur.execute(
            f"CREATE TEMP TABLE {STAGING} ("
            + ", ".join(f"{self.qn(c)} {types[c]}" for c in self.staged)
            + ")"
        )
        if self._want_rebuild(mode):
            self._drop_indexes()
        self.lists = self._python_columns()

    def _drop_indexes(self) -> None:
        cur = self.cur
        cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL "
            "AND sql NOT LIKE 'CREATE UNIQUE%%' ORDER BY name",
            [Child._meta.db_table],
        )
        self.dropped = cur.fetchall()
        for name, _ in self.dropped:
            cur.execute(f"DROP INDEX {self.qn(name)}")

    def _python_columns(self) -> dict:
        h = self.uids.tobytes().decode("ascii")
        out = {"uid": [h[i : i + 32] for i in range(0, 32 * self.n, 32)]}
        for name in self.staged:
            if name in out:
                continue
            if name in (
                "birth_date",
                "birth_registration_date",
            ):  # ISO text, as Django stores dates in SQLite
                import pyarrow as pa

                out[name] = pa.array(self.cols[name], type=pa.date32()).cast(pa.string()).to_pylist()
            else:
                out[name] = self.cols[name].tolist()
        return out

    def chunk(self, a: int, b: int) -> None:
        cur = self.cur
        cur.execute(f"DELETE FROM temp.{STAGING}")  # rowids start again at 1
        names = ", ".join(self.qn(c) for c in self.staged)
        sql = f"INSERT INTO temp.{STAGING} ({names}) VALUES ({', '.join(['?'] * len(self.staged))})"
        offset = self.base + a  # child id = offset + staging rowid
        try:
            cur.cursor.executemany(sql, zip(*(self.lists[c][a:b] for c in self.staged), strict=True))
            self._insert_children(offset)
            self._insert_related(offset)
        except Exception as exc:
            raise self._row_error(exc, a, b) from None

    def _row_error(self, exc: Exception, a: int, b: int):
        m = re.search(r"NOT NULL constraint failed: \S+?\.(\w+)", str(exc))
        if m and m.group(1) in self.cols:
            rows = self._rows_with(a, b, m.group(1), lambda v: v is None)
            if rows:
                return RowError(rows, m.group(1), REASONS["23502"], "23502")
        return exc

    def finish(self, progress=None) -> None:
        cur = self.cur
        cur.execute(f"DROP TABLE temp.{STAGING}")
        for i, (name, definition) in enumerate(self.dropped):
            if progress:
                progress(i, len(self.dropped), phase="apply_indexes")
            cur.execute(definition)
            self.stats.rebuilt_indexes.append(name)

    def close(self) -> None:
        try:
            if hasattr(self, "temp_cache_size"):
                self.cur.execute(f"PRAGMA cache_size = {int(self.cache_size)}")
                self.cur.execute(f"PRAGMA temp.cache_size = {int(self.temp_cache_size)}")
        finally:
            super().close()
