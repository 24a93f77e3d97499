"""The big listings a page at a time (the office's tables at province scale): a personal ranking
of 700,000 rows, the final's, a period's invalid attempts. Sorting and filtering run in the
store; a view knows how many rows it has and where each page starts (keyset pagination on the
sort key and the listing's own order), so that any page is one keyed query, however far down.

The rows are the office's (ui/online/staff_view.py's for_staff of the CLI's listing): the same
masks (the masks the sync stored, made by core/tables/masking.py: rules.md section 6), the
branch by name, the average time, an invalid attempt with the person's name and start time.

Sorting: by the value the listing holds (empty values first), ties in the listing's own order
(rank, attempt id), as a stable sort of the whole listing gives them; descending reverses the
values only. Text compares by code point (PostgreSQL's "C" collation, SQLite's BINARY).

Filtering: a row is kept when the text, case-insensitive (lower()), is part of what a column
shows: the numbers as digits, the masked name and phone, the branch's name, a coded value's
words (reason, period, in the interface's language). The average and start times are not
searched (their shown form is formatted by the interface).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

from sqlalchemy import Float, String, Text, and_, case, cast, false, func, literal, or_, select

from finals_app.core.errors import UsageError
from finals_app.core.online.times import format_instant
from finals_app.core.tables.listings import INVALID_REASONS
from finals_app.core.store.schema import attempt_status, attempts, organizations, participants, phase_totals

PAGE_ROWS = 500
PAGED_LISTINGS = ("standings", "final-standings", "validate")

STANDINGS = ("rank", "participant_id", "name", "phone", "branch", "score", "average_duration_ms",
             "valid_attempts", "perfect_attempts")
FINAL_STANDINGS = ("rank", "participant_id", "name", "phone", "branch", "score", "average_duration_ms",
                   "attempts", "tier", "amount_yuan")
INVALID = ("attempt_id", "participant_id", "name", "started_at", "period", "reason")


@dataclass(frozen=True)
class _Column:
    value: object  # SQL: the value as the listing holds it (before `finish`)
    key: object = None  # SQL: what sorting compares (None: the value)
    text: object = None  # SQL: the text the filter searches (None: not searched, or coded)
    joins: tuple[str, ...] = ()  # the joined tables value, key and text read
    finish: Callable | None = None  # Python: the listing's value from the stored one
    codes: tuple[str, ...] = ()  # a coded value's codes: searched by their shown words (`display`)
    searched: bool = True
    # (the row's column, a table, its id, its text): searched as "the column is the id of a row
    # whose text matches" (one pass over the small table, no join per row).
    lookup: tuple | None = None


@dataclass(frozen=True)
class _Shape:
    table: object
    where: object
    order: object  # the listing's own order: unique, the tie-break of every sort
    columns: dict[str, _Column]
    joins: dict[str, tuple]  # name: (table, on)
    contiguous: bool  # the own order is 1..n without gaps (a rank)
    identity: tuple  # columns a row is found by through the table's key (with `where`)


@dataclass(frozen=True)
class PagedView:
    """One sorted, filtered view of a big listing: its rows, and where each page starts.
    `starts[k - 1]`: the (sort key, own order) of the last row before page k; empty when the
    view is a contiguous rank read in its own order (page k is then ranks k*page_rows + ...)."""

    listing: str
    phase_id: str
    columns: tuple[str, ...]
    sort: str | None
    descending: bool
    text: str
    count: int
    page_rows: int
    starts: tuple = ()
    bounds: tuple[int, int] | None = None  # lowest and highest rank of a contiguous view
    first: tuple = ()  # the own order of the first page's rows (found by the view's own scan)
    display: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def pages(self) -> int:
        return -(-self.count // self.page_rows)

    def after(self, page: int):
        """The (key, own order) just before `page`; None for the first page."""
        if page <= 0:
            return None
        if self.bounds is not None:
            low, high = self.bounds
            rank = high - page * self.page_rows + 1 if self.descending else low + page * self.page_rows - 1
            return (rank, rank)
        return self.starts[page - 1]

    def last(self, page: int):
        """The (key, own order) of `page`'s last row when known (None: the view's last page)."""
        if self.bounds is not None:
            return self.after(page + 1) if page + 1 < self.pages else None
        return self.starts[page] if page < len(self.starts) else None


def _ranking_shape(rules, phase_id: str, final: bool) -> _Shape:
    pt = phase_totals.c
    org = organizations.alias("branch_org")
    average = case((pt.valid_attempts != 0, cast(pt.duration_ms, Float) / cast(pt.valid_attempts, Float)), else_=None)
    digits = lambda column: cast(column, String)  # noqa: E731 - the shown digits of a number
    columns = {
        "rank": _Column(pt.rank, text=digits(pt.rank)),
        "participant_id": _Column(pt.participant_id, text=digits(pt.participant_id)),
        "name": _Column(pt.masked_name, key=func.coalesce(pt.masked_name, ""), text=pt.masked_name),
        "phone": _Column(pt.masked_phone, key=func.coalesce(pt.masked_phone, ""), text=pt.masked_phone),
        # A branch by name (its id's digits when the store has no name for it).
        "branch": _Column(func.coalesce(org.c.name, cast(pt.branch_id, String)), key=None, joins=("org",),
                          lookup=(pt.branch_id, organizations, organizations.c.id, organizations.c.name)),
        "score": _Column(pt.score, text=digits(pt.score)),
        "average_duration_ms": _Column(average, key=func.coalesce(average, -1.0), searched=False),
    }
    if not final:
        columns["valid_attempts"] = _Column(pt.valid_attempts, text=digits(pt.valid_attempts))
        columns["perfect_attempts"] = _Column(pt.perfect_attempts, text=digits(pt.perfect_attempts))
    else:
        tiers = rules.exemplar_tiers

        def by_tier(attribute, otherwise):
            return case(*[(pt.rank.between(t.first_rank, t.last_rank), literal(getattr(t, attribute)))
                          for t in tiers], else_=otherwise) if tiers else otherwise
        tier, amount = by_tier("tier", None), by_tier("amount_yuan", literal(0))
        columns["attempts"] = _Column(pt.valid_attempts, text=digits(pt.valid_attempts))
        columns["tier"] = _Column(tier, key=func.coalesce(tier, -1), text=digits(tier))
        columns["amount_yuan"] = _Column(amount, text=digits(amount))
    return _Shape(phase_totals, pt.phase == phase_id, pt.rank, columns,
                  {"org": (org, org.c.id == pt.branch_id)}, contiguous=True, identity=(pt.rank,))


def _invalid_shape(phase_id: str) -> _Shape:
    s, a, p = attempt_status.c, attempts.c, participants.c
    columns = {
        "attempt_id": _Column(s.attempt_id, text=cast(s.attempt_id, String)),
        "participant_id": _Column(s.participant_id, text=cast(s.participant_id, String)),
        "name": _Column(func.coalesce(p.name, ""), joins=("person",),
                        lookup=(s.participant_id, participants, p.id, p.name)),
        # Shown to the second: sorted by the second (ties in the listing's own order).
        "started_at": _Column(a.started_ms, key=func.coalesce(a.started_ms // 1000, -1), joins=("attempt",),
                              finish=lambda ms: format_instant(ms)[:19], searched=False),
        "period": _Column(s.phase, codes=(phase_id,)),
        "reason": _Column(s.reason, codes=tuple(str(reason) for reason in INVALID_REASONS)),
    }
    return _Shape(attempt_status, and_(s.phase == phase_id, s.reason.is_not(None)), s.attempt_id, columns,
                  {"person": (participants, p.id == s.participant_id), "attempt": (attempts, a.id == s.attempt_id)},
                  contiguous=False, identity=(s.participant_id, s.day, s.started_ms, s.attempt_id))


def _listing_shape(rules, listing: str, phase_id: str) -> _Shape:
    if listing == "validate":
        return _invalid_shape(phase_id)
    return _ranking_shape(rules, phase_id, final=listing == "final-standings")


class PagedListings:
    """The paged queries of one ResultQueries (its rules, its read-only way in)."""

    def __init__(self, queries) -> None:
        self.queries = queries

    def _shape(self, listing: str, phase_id: str | None) -> tuple[str, _Shape]:
        """The shape of a listing of a period the store has (checked: a view is made of it)."""
        if listing not in PAGED_LISTINGS:
            raise UsageError("no paged listing {listing} (paged: {known})", listing=listing,
                             known=", ".join(PAGED_LISTINGS))
        rules = self.queries.rules
        phase = self.queries.phase(rules.final.id if listing == "final-standings" else phase_id)
        return phase.id, _listing_shape(rules, listing, phase.id)

    def _view_shape(self, view: PagedView) -> _Shape:
        """A made view's shape. Its period was checked when the view was made: a page read asks
        the store nothing more than its rows."""
        return _listing_shape(self.queries.rules, view.listing, view.phase_id)

    @staticmethod
    def columns(listing: str) -> tuple[str, ...]:
        return {"standings": STANDINGS, "final-standings": FINAL_STANDINGS, "validate": INVALID}[listing]

    # ---- the SQL of a view ----

    def _sql(self, shape: _Shape, view_sort: str | None, descending: bool, text: str, display: dict, dialect: str):
        """(sort key, own order, ORDER BY terms, WHERE terms, joins needed) of a view."""
        own = shape.order
        joins: set[str] = set()
        if view_sort is None:
            key = own
        else:
            if view_sort not in shape.columns:
                raise UsageError("no column {column} to sort by", column=view_sort)
            column = shape.columns[view_sort]
            key = column.key if column.key is not None else column.value
            if dialect == "postgresql" and isinstance(key.type, (String, Text)):
                key = key.collate("C")  # code point order, as SQLite and Python compare
            joins.update(column.joins)
        if view_sort is None:
            order = [own.desc() if descending else own.asc()]
        else:
            order = [key.desc() if descending else key.asc(), own.asc()]
        where = [shape.where]
        if text:
            found, needs = self._filter(shape, text, display)
            where.append(found)
            joins.update(needs)
        return key, own, order, where, joins

    @staticmethod
    def _filter(shape: _Shape, text: str, display: dict):
        wanted = text.lower()
        terms, needs = [], set()
        for name, column in shape.columns.items():
            if not column.searched:
                continue
            if column.codes:  # a coded value: matched by the words the interface shows for it
                terms.append(_coded_match(column.value, wanted, column.codes, display.get(name)))
                continue
            if column.lookup is not None:
                mine, table, table_id, table_text = column.lookup
                terms.append(mine.in_(select(table_id).select_from(table).where(
                    func.lower(table_text).contains(wanted, autoescape=True))))
                continue
            terms.append(func.lower(column.text).contains(wanted, autoescape=True))
            needs.update(column.joins)
        return or_(*terms), needs

    @staticmethod
    def _from(shape: _Shape, joins: set[str]):
        source = shape.table
        for name in sorted(joins):
            table, on = shape.joins[name]
            source = source.outerjoin(table, on)
        return source

    # ---- views and pages ----

    def view(self, listing: str, phase_id: str | None = None, sort: str | None = None, descending: bool = False,
             text: str = "", display: dict | None = None, page_rows: int = PAGE_ROWS) -> PagedView:
        """The view's size and where its pages start: one scan (and one sort) of the listing in
        the store, nothing kept but a key every `page_rows` rows. `display`: how the interface
        shows the coded columns (reason, period), which the filter searches."""
        display = dict(display or {})
        phase, shape = self._shape(listing, phase_id)
        with self.queries.connect() as connection:
            key, own, order, where, joins = self._sql(shape, sort, descending, text, display, connection.dialect.name)
            source = self._from(shape, joins)
            if sort is None and not text and shape.contiguous:
                count, low, high = connection.execute(
                    select(func.count(), func.min(own), func.max(own)).select_from(source).where(*where)).one()
                if not count or high - low + 1 == count:
                    return PagedView(listing, phase, self.columns(listing), sort, descending, text, count or 0,
                                     page_rows, bounds=(low or 1, high or 0), display=display)
            numbered = select(key.label("k"), own.label("t"), func.row_number().over(order_by=order).label("n"),
                              func.count().over().label("total")).select_from(source).where(*where).subquery("numbered")
            n = numbered.c
            starts, first, count = [], [], 0
            for k, t, row, total in connection.execute(
                    select(n.k, n.t, n.n, n.total).where(or_(n.n % page_rows == 0, n.n == n.total,
                                                             n.n <= page_rows)).order_by(n.n)):
                count = total
                if row <= page_rows:
                    first.append(t)
                if row % page_rows == 0:
                    starts.append((k, t))
        return PagedView(listing, phase, self.columns(listing), sort, descending, text, count, page_rows,
                         tuple(starts), display=display, first=tuple(first))

    def page(self, view: PagedView, page: int) -> list[tuple]:
        """The rows of page `page` of `view` (page_rows of them, fewer on the last page)."""
        if page < 0 or page >= view.pages:
            return []
        return self._rows(view, page)

    def rows(self, view: PagedView, batch: int = 5000) -> Iterator[list[tuple]]:
        """Every row of `view` in its order, `batch` at a time: one query streamed (an export)."""
        shape = self._view_shape(view)
        with self.queries.connect() as connection:
            query = self._select(shape, view, None, connection.dialect.name)
            result = connection.execution_options(stream_results=True, yield_per=batch).execute(query)
            finish = self._finishers(shape, view)
            for part in result.partitions(batch):
                yield self._finished(part, finish)

    def _rows(self, view: PagedView, page: int) -> list[tuple]:
        shape = self._view_shape(view)
        with self.queries.connect() as connection:
            rows = connection.execute(self._select(shape, view, page, connection.dialect.name)).all()
        return self._finished(rows, self._finishers(shape, view))

    def _select(self, shape: _Shape, view: PagedView, page: int | None, dialect: str):
        """Page `page` of the view (None: every row): the rows are chosen first (through only the
        tables sorting and filtering need, between the keys that bound the page), then their
        shown columns are read through the table's key."""
        key, own, order, where, joins = self._sql(shape, view.sort, view.descending, view.text, view.display, dialect)
        every = set(joins)
        for name in view.columns:
            every.update(shape.columns[name].joins)
        shown = [shape.columns[name].value for name in view.columns]
        if page is None:
            return select(*shown).select_from(self._from(shape, every)).where(*where).order_by(*order)
        if page == 0 and view.first:  # found by the view's own scan
            where = [shape.where, own.in_(view.first)]
        else:
            after, last = view.after(page), view.last(page)
            if after is not None:
                where.append(self._beyond(view, key, own, after))
            if last is not None:
                where.append(~self._beyond(view, key, own, last))
        chosen = (select(*[column.label(f"identity_{i}") for i, column in enumerate(shape.identity)])
                  .select_from(self._from(shape, joins)).where(*where).order_by(*order).limit(view.page_rows)
                  .subquery("chosen"))
        found = and_(*[column == chosen.c[f"identity_{i}"] for i, column in enumerate(shape.identity)])
        # The shown columns of the chosen rows, in the same order (sorting a page costs nothing).
        return (select(*shown).select_from(self._from(shape, every).join(chosen, found))
                .where(shape.where).order_by(*order))

    @staticmethod
    def _beyond(view: PagedView, key, own, bound):
        """SQL: the row comes after `bound` (a (key, own order)) in the view's order."""
        bound_key, bound_own = bound
        if view.sort is None:
            return own < bound_own if view.descending else own > bound_own
        further = key < bound_key if view.descending else key > bound_key
        return or_(further, and_(key == bound_key, own > bound_own))

    @staticmethod
    def _finishers(shape: _Shape, view: PagedView) -> list[tuple[int, Callable]]:
        return [(i, shape.columns[name].finish) for i, name in enumerate(view.columns) if shape.columns[name].finish]

    @staticmethod
    def _finished(rows, finish) -> list[tuple]:
        if not finish:
            return [tuple(row) for row in rows]
        out = []
        for row in rows:
            values = list(row)
            for i, convert in finish:
                values[i] = convert(values[i])
            out.append(tuple(values))
        return out


def _coded_match(value, wanted: str, codes: tuple[str, ...], show: Callable | None):
    """SQL: the coded `value` is one whose shown words hold `wanted` (the codes are few: the
    reasons, the period; each is looked at here, not per row)."""
    matching = [code for code in codes if wanted in (show(code) if show else str(code)).lower()]
    return value.in_(matching) if matching else false()
