"""The employee-anonymity guard (DESIGN §5): no EX figure of fewer than k people, ever.

An EX figure (a sum, count, mean, NPS or interval over a group's responses) is a linear
function of per-response numbers. Hiding cells with fewer than ``k`` respondents is not
enough: parent minus children, or a figure with a filter subtracted from the same figure
without it, isolates a small group. The guard therefore decides about *every* cell that any
EX query can return, in one deterministic **plan** computed from the responses alone, and
each query only looks its cells up. Because all queries share the plan, the union of
everything the engine ever returns is the plan's published cells, and the rules below are
applied to that union, not to one query at a time.

The cells of the plan are the product of three dimensions:

- **org**: all > organisation > location > department > team;
- **time**: all > year > quarter > month;
- **segment** (optional, one column such as ``work_mode``): all > each value. A ``where``
  on the segment and a ``by`` on it select the same cells.

Rules for figures (:func:`plan_figures`), applied until nothing changes:

1. *min_group_size*: a cell with 0 < respondents < k is hidden.
2. *nested*: a cell inside a hidden cell (its parent along any dimension is hidden) is hidden.
3. *complementary* / *filter_difference*: for every published cell and every dimension, its
   hidden children must be none, or at least two whose union has ≥ k respondents; otherwise
   the smallest published child is hidden too (along the segment dimension this is the filter
   complement). When no child is left to hide, the parent is hidden.
4. two-way tables: under every published cell, no set of hidden cells of its children along
   two dimensions that the row and column totals determine may hold 1..k-1 respondents.
5. audit: no cell, nor cell minus a cell inside it, of 1..k-1 respondents may be a linear
   combination of published cells (exact, over atoms); rules 1-4 keep this loop short.

Unfiltered cells (segment = all) are decided first, from unfiltered data only, and never
change afterwards, so plans built for different segments agree on them. A segment cell that
holds exactly the responses of its unfiltered cell has that cell's status.

Comment lists (:func:`plan_comments`) are sets, not sums: intersections of two lists leak
too. Their plan keeps a partition of the responses into blocks of ≥ ``min_comment_group_size``
respondents and publishes a list only when it is a union of whole blocks.

The threat model, what the property tests prove and what is not covered: docs/metrics.md,
section "Anonymity".
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Final, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from keizer.errors import AnonymityError, ConfigError

SMALLEST_ALLOWED_GROUP: Final = 3
ORG_LEVELS: Final = ("organisation", "location", "department", "team")
TIME_LEVELS: Final = ("year", "quarter", "month")
ALL: Final = "*"  # the key of a dimension's top (everything)

# reason codes (the part before the colon is stable; the text is for people)
MIN_GROUP_SIZE: Final = "min_group_size"
COMPLEMENTARY: Final = "complementary"
FILTER_DIFFERENCE: Final = "filter_difference"
NESTED: Final = "nested"
UNKNOWN_GROUP: Final = "unknown_group"
SEGMENT_TOO_FINE: Final = "segment_too_fine"
COMMENT_GROUP_SIZE: Final = "comment_group_size"
_TEXT = {
    MIN_GROUP_SIZE: "too few responses (fewer than {k} respondents)",
    COMPLEMENTARY: "hidden so that a smaller group cannot be worked out by subtraction",
    FILTER_DIFFERENCE: "hidden so that the filtered-out group cannot be worked out",
    NESTED: "part of a group that is hidden",
    UNKNOWN_GROUP: "not in the anonymity plan",
    SEGMENT_TOO_FINE: "employee figures by segment are shown per department and per quarter "
    "or larger",
    COMMENT_GROUP_SIZE: "comments are shown for groups of {k} or more respondents only",
}
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
_YEAR = re.compile(r"^\d{4}$")
_SEP = "\x1f"
_DIMS = ("org", "time", "segment")
_EXACT_NODES = 14  # two-way tables up to this many nodes are checked exactly
# Segment cells (work mode, role, ...) exist down to departments and quarters: finer cuts of a
# segment are almost always below the threshold, and they would make the plan's linear audit
# grow beyond interactive use.
SEGMENT_ORG_LEVELS: Final = ORG_LEVELS[:3]
SEGMENT_TIME_LEVELS: Final = TIME_LEVELS[:2]
_SEGMENT_ORG_DEPTH = len(SEGMENT_ORG_LEVELS)
_SEGMENT_TIME_DEPTH = len(SEGMENT_TIME_LEVELS)


def validate_threshold(k: int, *, setting: str = "min_group_size") -> int:
    """``k`` if it is a whole number of at least 3; :class:`ConfigError` otherwise."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise ConfigError(f"{setting} must be a whole number, got {k!r}")
    if k < SMALLEST_ALLOWED_GROUP:
        raise ConfigError(
            f"{setting} = {k} is below the smallest allowed group of {SMALLEST_ALLOWED_GROUP}; "
            f"set KEIZER_{setting.upper()} to {SMALLEST_ALLOWED_GROUP} or more"
        )
    return int(k)


def _reason(code: str, k: int) -> str:
    return f"{code}: {_TEXT[code].format(k=k)}"


def time_parent(key: str) -> str:
    """The period one level up: ``2025-03`` → ``2025-Q1`` → ``2025`` → ``*``."""
    if _MONTH.match(key):
        year, month = key.split("-")
        return f"{year}-Q{(int(month) - 1) // 3 + 1}"
    if _QUARTER.match(key):
        return key[:4]
    if _YEAR.match(key):
        return ALL
    raise ValueError(f"not a month (2025-03), quarter (2025-Q1) or year (2025): {key!r}")


def _time_level(key: str) -> int:
    """0 for all, 1 year, 2 quarter, 3 month."""
    if key == ALL:
        return 0
    for level, pattern in ((1, _YEAR), (2, _QUARTER), (3, _MONTH)):
        if pattern.match(key):
            return level
    raise ValueError(f"not a month (2025-03), quarter (2025-Q1) or year (2025): {key!r}")


@dataclass(frozen=True)
class AnonymityPlan:
    """Which cells may be published; built by :func:`plan_figures` or :func:`plan_comments`.

    ``cells`` has one row per non-empty cell: ``org_level`` (``*`` or one of ORG_LEVELS),
    ``org_key``, ``time_level``, ``time_key``, ``segment_value`` (``*`` = unfiltered),
    ``respondents``, ``suppressed`` and ``reason``; indexed by
    ``(org_level, org_key, time_key, segment_value)``. Cache it per data version: building
    it costs far more than applying it.
    """

    kind: str  # "figures" or "comments"
    min_group_size: int
    segment: str | None
    cells: pd.DataFrame
    #: (org level, key) -> the key of its parent one level up (organisations: ``*``)
    org_parent: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def published(self) -> pd.DataFrame:
        """The cells that may be shown."""
        return self.cells[~self.cells["suppressed"]]

    @cached_property
    def _status(self) -> dict[tuple[str, str, str, str], tuple[bool, str | None]]:
        table = self.cells
        keys = zip(table["org_level"], table["org_key"], table["time_key"],
                   table["segment_value"], strict=True)  # fmt: skip
        values = zip(table["suppressed"].tolist(), table["reason"].tolist(), strict=True)
        return dict(zip(keys, values, strict=True))


# --------------------------------------------------------------------------- the cell lattice


@dataclass
class _Lattice:
    keys: list[tuple[int, str, int, str, str]]  # (org level, org key, time level, time key, seg)
    respondents: npt.NDArray[np.int64]  # distinct respondents per cell
    responses: npt.NDArray[np.int64]  # responses per cell
    members: list[npt.NDArray[np.int64]]  # respondent codes per cell (sorted, unique)
    rows: list[npt.NDArray[np.int64]]  # response row numbers per cell
    parents: npt.NDArray[np.int64]  # (cells, 3): parent along org/time/segment, -1 at the top
    children: list[list[list[int]]]  # [dim][cell] -> child cells


def _prepare(responses: pd.DataFrame, segment: str | None) -> pd.DataFrame:
    needed = [*ORG_LEVELS, "month", "respondent", *([segment] if segment else [])]
    missing = [c for c in needed if c not in responses.columns]
    if missing:
        raise ValueError(f"the responses frame lacks column(s) {', '.join(missing)}")
    frame = pd.DataFrame({c: responses[c].astype(str) for c in needed if c != "respondent"})
    if frame.isin(["nan", "None", "<NA>"]).any().any() or responses[needed].isna().any().any():
        raise ValueError("org units, months, segment values and respondents must not be empty")
    bad = frame.loc[~frame["month"].str.match(_MONTH.pattern), "month"]
    if not bad.empty:
        raise ValueError(f"months must look like 2025-03, got {bad.iloc[0]!r}")
    for child, parent in zip(ORG_LEVELS[1:], ORG_LEVELS[:-1], strict=True):
        parents = frame.groupby(child)[parent].nunique()
        if (parents > 1).any():
            raise ValueError(
                f"{child} {parents[parents > 1].index[0]!r} sits under more than one {parent}"
            )
    frame["_segment"] = frame[segment] if segment else ALL
    frame["respondent"] = pd.factorize(responses["respondent"])[0].astype(np.int64)
    frame["quarter"] = [time_parent(m) for m in frame["month"]]
    frame["year"] = frame["month"].str[:4]
    return frame.reset_index(drop=True)


def _lattice(frame: pd.DataFrame, segment: str | None) -> _Lattice:
    keys: list[tuple[int, str, int, str, str]] = []
    rows: list[npt.NDArray[np.int64]] = []
    org_cols: list[str | None] = [None, *ORG_LEVELS]
    time_cols: list[str | None] = [None, *TIME_LEVELS]
    seg_cols: list[str | None] = [None, segment] if segment else [None]
    n = len(frame)
    for ol, oc in enumerate(org_cols):
        okey = frame[oc].to_numpy(dtype=object) if oc else np.full(n, ALL, dtype=object)
        for tl, tc in enumerate(time_cols):
            tkey = frame[tc].to_numpy(dtype=object) if tc else np.full(n, ALL, dtype=object)
            for sc in (
                seg_cols if ol <= _SEGMENT_ORG_DEPTH and tl <= _SEGMENT_TIME_DEPTH else [None]
            ):
                skey = frame[sc].to_numpy(dtype=object) if sc else np.full(n, ALL, dtype=object)
                groups = pd.Series(np.arange(n)).groupby([okey, tkey, skey], sort=True).indices
                for group, idx in groups.items():
                    o, t, s = cast(tuple[str, str, str], group)
                    keys.append((ol, str(o), tl, str(t), str(s)))
                    rows.append(np.asarray(idx, dtype=np.int64))
    respondent = frame["respondent"].to_numpy()
    members = [np.unique(respondent[r]) for r in rows]
    index = {key: i for i, key in enumerate(keys)}
    org_parent = {c: dict(zip(frame[c], frame[p], strict=True)) for c, p in zip(
        ORG_LEVELS[1:], ORG_LEVELS[:-1], strict=True)}  # fmt: skip
    parents = np.full((len(keys), 3), -1, dtype=np.int64)
    children: list[list[list[int]]] = [[[] for _ in keys] for _ in _DIMS]
    for i, (ol, o, tl, t, s) in enumerate(keys):
        if ol > 0:
            po = ALL if ol == 1 else org_parent[ORG_LEVELS[ol - 1]][o]
            parents[i, 0] = index[(ol - 1, po, tl, t, s)]
        if tl > 0:
            parents[i, 1] = index[(ol, o, tl - 1, time_parent(t), s)]
        if s != ALL:
            parents[i, 2] = index[(ol, o, tl, t, ALL)]
        for d in range(3):
            if parents[i, d] >= 0:
                children[d][parents[i, d]].append(i)
    return _Lattice(
        keys=keys,
        respondents=np.array([m.size for m in members], dtype=np.int64),
        responses=np.array([r.size for r in rows], dtype=np.int64),
        members=members,
        rows=rows,
        parents=parents,
        children=children,
    )


def _plan_frame(
    lattice: _Lattice, hidden: npt.NDArray[np.bool_], reasons: list[str | None]
) -> pd.DataFrame:
    org_names = [ALL, *ORG_LEVELS]
    time_names = [ALL, *TIME_LEVELS]
    cells = pd.DataFrame(
        {
            "org_level": [org_names[k[0]] for k in lattice.keys],
            "org_key": [k[1] for k in lattice.keys],
            "time_level": [time_names[k[2]] for k in lattice.keys],
            "time_key": [k[3] for k in lattice.keys],
            "segment_value": [k[4] for k in lattice.keys],
            "respondents": lattice.respondents,
            "suppressed": hidden,
            "reason": pd.array(reasons, dtype=object),
        }
    )
    return cells.set_index(["org_level", "org_key", "time_key", "segment_value"], drop=False)


# --------------------------------------------------------------------------- figures


def plan_figures(
    responses: pd.DataFrame, *, min_group_size: int = 5, segment: str | None = None
) -> AnonymityPlan:
    """Decide, for every cell any EX query can ask for, whether its figures may be shown.

    ``responses`` has one row per response behind the KPI (the rows the figures are computed
    from, *before* the query's period and ``where``): ``organisation``, ``location``,
    ``department``, ``team`` (source keys), ``month`` (``2025-03``), ``respondent``
    (pseudonym) and, when the query is cut or filtered by a segment, that segment's column.
    """
    k = validate_threshold(min_group_size)
    # many small SVDs: BLAS threads only fight each other (and a web server's requests)
    with threadpool_limits(limits=1, user_api="blas"):
        return _plan_figures(responses, k, segment)


def _plan_figures(responses: pd.DataFrame, k: int, segment: str | None) -> AnonymityPlan:
    frame = _prepare(responses, segment)
    lattice = _lattice(frame, segment)
    size = len(lattice.keys)
    hidden = np.zeros(size, dtype=bool)
    fixed = np.zeros(size, dtype=bool)
    reasons: list[str | None] = [None] * size
    filtered = np.array([key[4] != ALL for key in lattice.keys], dtype=bool)
    unknown = _Unknown(lattice, frame["respondent"].to_numpy())

    def hide(cell: int, code: str) -> None:
        hidden[cell] = True
        reasons[cell] = _reason(code, k)

    for phase in (False, True):
        active = [int(c) for c in np.flatnonzero(filtered == phase)]
        if phase:  # unfiltered cells are final; a segment cell equal to one shares its fate
            fixed[~filtered] = True
            for c in active:
                parent = lattice.parents[c, 2]
                if lattice.responses[c] == lattice.responses[parent]:
                    hidden[c], reasons[c], fixed[c] = hidden[parent], reasons[parent], True
            unknown.reveal([c for c in active if fixed[c] and not hidden[c]])
        for c in active:
            if not fixed[c] and lattice.respondents[c] < k:
                hide(c, MIN_GROUP_SIZE)
        # the parents whose children this phase decides, with the dimension
        pairs = [(0, 1), (0, 2), (1, 2)] if phase else [(0, 1)]
        families: list[tuple[int, tuple[int, ...]]] = [
            (p, (d,)) for p in active for d in (0, 1) if lattice.children[d][p]
        ]
        if phase:
            unfiltered = [int(c) for c in np.flatnonzero(~filtered)]
            families += [(p, (2,)) for p in unfiltered if lattice.children[2][p]]
        # two-way tables under each cell: (org, time) in phase 1; with the segment in phase 2
        owners = active if not phase else [int(c) for c in range(size)]
        families += [
            (p, pair)
            for pair in pairs
            for p in owners
            if (2 in pair) == phase or (phase and filtered[p])
            if lattice.children[pair[0]][p] and lattice.children[pair[1]][p]
        ]
        audit = _Audit(lattice, frame, phase, k)
        changed = True
        while changed:
            changed = False
            for c in active:
                if not hidden[c] and not fixed[c]:
                    parents = lattice.parents[c]
                    if any(p >= 0 and hidden[p] for p in parents):
                        hide(c, NESTED)
                        changed = True
            for parent, dims in families:
                if hidden[parent]:
                    continue
                if len(dims) == 2:
                    kids = _small_cut(lattice, parent, dims, hidden, k, unknown)
                    if not kids:
                        continue
                    dim = dims[0]
                else:
                    dim = dims[0]
                    kids = lattice.children[dim][parent]
                    shut = [c for c in kids if hidden[c]]
                    if not shut:
                        continue
                    parts, union = unknown.size(shut)
                    if parts == 0 or (parts >= 2 and union >= k):
                        continue
                open_ = [c for c in kids if not hidden[c] and not fixed[c]]
                if open_:
                    victim = min(open_, key=lambda c: (lattice.respondents[c], lattice.keys[c]))
                    hide(victim, FILTER_DIFFERENCE if dim == 2 else COMPLEMENTARY)
                elif not fixed[parent]:
                    hide(parent, COMPLEMENTARY)
                else:
                    # An unfiltered cell whose segment cells are all hidden or equal to
                    # unfiltered ones: what is left to derive here comes from unfiltered
                    # figures, which the first phase protects. (The unknown part is a
                    # conservative estimate, so this is usually a false alarm.)
                    continue
                changed = True
            if not changed:  # the rules are satisfied: check what they cannot see
                for victim in audit.victims(hidden, fixed):
                    hide(victim, FILTER_DIFFERENCE if phase else COMPLEMENTARY)
                    changed = True
    return AnonymityPlan(
        "figures", k, segment, _plan_frame(lattice, hidden, reasons), _org_parents(frame)
    )


class _Audit:
    """Finds published cells to hide so that no cell, nor cell minus a cell inside it, of
    1..k-1 respondents is a linear combination of the published cells.

    Works on atoms (team × month, and × segment value in the second phase): every cell is a
    union of atoms, so a set of atoms is derivable from cells over respondents exactly when it
    is over atoms. For each derivable small set the smallest hideable published cell with a
    non-zero weight in its (minimum-norm) combination is hidden; the caller re-applies the
    rules and asks again until nothing is derivable.

    Published single-atom cells are unit vectors: they can supply any weight on their atom, so
    a set is derivable exactly when its restriction to the other atoms is derivable from the
    other cells' restrictions. The linear algebra runs on that much smaller problem.
    """

    def __init__(self, lattice: _Lattice, frame: pd.DataFrame, phase: bool, k: int) -> None:
        self.lattice = lattice
        keys = ["team", "month", *(["_segment"] if phase else [])]
        in_phase = np.array([(key[4] != ALL) <= phase for key in lattice.keys], dtype=bool)
        self.cells = np.flatnonzero(in_phase)
        atom_of_row = frame.groupby(keys, sort=True).ngroup().to_numpy()
        atoms = int(atom_of_row.max()) + 1 if len(frame) else 0
        rows, cols = [], []
        for i, cell in enumerate(self.cells):
            cell_atoms = np.unique(atom_of_row[lattice.rows[cell]])
            rows.append(np.full(cell_atoms.size, i))
            cols.append(cell_atoms)
        row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        self.member = sparse.csr_matrix(
            (np.ones(row.size), (row, col)), shape=(self.cells.size, atoms)
        )
        self.width = np.asarray(self.member.sum(axis=1)).ravel()  # atoms per cell
        # targets: small natural groups (every org level × period × segment value, also the
        # ones never published) and small differences of nested ones (inner ⊂ outer)
        groups = _natural_groups(frame, keys, atom_of_row, atoms)
        respondents = int(frame["respondent"].max()) + 1 if len(frame) else 0
        who = sparse.csr_matrix(
            (np.ones(len(frame)), (atom_of_row, frame["respondent"].to_numpy())),
            shape=(atoms, respondents),
        )
        count = np.asarray(((groups @ who) > 0.5).sum(axis=1)).ravel()
        width = np.asarray(groups.sum(axis=1)).ravel()
        common = (groups @ groups.T).tocoo()
        nested = (
            (common.row != common.col)
            & (np.abs(common.data - width[common.row]) < 0.5)
            & (count[common.col] - count[common.row] < k)
        )
        inner, outer = common.row[nested], common.col[nested]
        targets = sparse.vstack([groups, groups[outer] - groups[inner]]).tocsr()
        sizes = np.asarray(((targets @ who) > 0.5).sum(axis=1)).ravel()
        small = targets[np.flatnonzero((sizes > 0) & (sizes < k))]
        small.eliminate_zeros()
        small.sort_indices()
        distinct = {(tuple(small.indices[a:b])): i for i, (a, b) in enumerate(
            zip(small.indptr[:-1], small.indptr[1:], strict=True))}  # fmt: skip
        self.targets = small[sorted(distinct.values())]
        self.phase = phase
        # the team × month each atom belongs to (the second phase splits them by segment)
        pairs = frame.groupby(keys, sort=True)[["team", "month"]].first()
        self.block = pd.factorize(pd.MultiIndex.from_frame(pairs))[0].astype(np.int64)
        self.filtered = np.array([lattice.keys[c][4] != ALL for c in self.cells], dtype=bool)

    def _segment_victims(
        self, shown: npt.NDArray[np.int64], fixed: npt.NDArray[np.bool_]
    ) -> list[int]:
        """The second phase's audit, split along the segment.

        Unfiltered cells are unions of whole team-months, so a combination ``x = t − b·S`` of
        a target ``t`` and segment cells ``S`` can be completed by unfiltered cells only when
        ``x`` is the same on every segment value of a team-month (its *contrasts* vanish) and
        its team-month totals lie in the span of the unfiltered cells. Both are small linear
        problems: segment cells are few (departments × quarters), team-months are reduced to
        those not published on their own.
        """
        blocks = int(self.block.max()) + 1
        spread = sparse.csr_matrix(
            (np.ones(self.block.size), (np.arange(self.block.size), self.block)),
            shape=(self.block.size, blocks),
        )  # atom -> team-month
        width = np.asarray(spread.sum(axis=0)).ravel()
        first_atom = np.full(blocks, -1)
        first_atom[self.block[::-1]] = np.arange(self.block.size)[::-1]
        others = np.flatnonzero(first_atom[self.block] != np.arange(self.block.size))
        contrast = sparse.csr_matrix(
            (
                np.concatenate([np.ones(others.size), -np.ones(others.size)]),
                (
                    np.tile(np.arange(others.size), 2),
                    np.concatenate([others, first_atom[self.block[others]]]),
                ),
            ),
            shape=(others.size, self.block.size),
        )  # (atom − the first atom of its team-month), per atom after the first
        plain = shown[~self.filtered[shown]]
        cut = shown[self.filtered[shown]]
        totals = (self.member[plain] @ spread).toarray() / width  # 1 per whole team-month
        segments = self.member[cut]
        targets = self.targets.astype(np.float64)
        # 1. b · contrasts(S) = contrasts(t): b0 (least norm) and the null space of S's
        u1, s1, v1 = _span((segments @ contrast.T).toarray())
        t_contrast = (targets @ contrast.T).tocsr()
        along = np.asarray(t_contrast @ v1.T)  # v1 has orthonormal rows
        squares = np.asarray(t_contrast.multiply(t_contrast).sum(axis=1)).ravel()
        fits = squares - (along**2).sum(axis=1) < 1e-9
        if not fits.any():
            return []
        b0 = (along[fits] / s1) @ u1.T
        null = _left_null(u1, cut.size)
        # 2. the team-month averages left over must come from unfiltered cells
        seg_avg = (segments @ spread).toarray() / width
        rest = (targets[np.flatnonzero(fits)] @ spread).toarray() / width - b0 @ seg_avg
        single = (np.abs(totals) > 1e-9).sum(axis=1) == 1
        free = np.ones(blocks, dtype=bool)
        free[np.argmax(np.abs(totals[single]), axis=1)] = False  # team-months published alone
        system = np.vstack([totals[~single], null @ seg_avg])[:, free]
        rest = rest[:, free]
        u, s2, vt = _span(system)
        residual = rest - (rest @ vt.T) @ vt
        leaking = np.linalg.norm(residual, axis=1) < 1e-6
        size = self.lattice.respondents
        victims: set[int] = set()
        plain_rows = int((~single).sum())
        for row in np.flatnonzero(leaking):
            b = b0[row]
            if s2.size and rest[row].any():
                coefficients = ((rest[row] @ vt.T) / s2) @ u.T
                b = b + coefficients[plain_rows:] @ null
            used = [int(c) for c in self.cells[cut[np.abs(b) > 1e-9]] if not fixed[c]]
            if used:
                victims.add(min(used, key=lambda c: (size[c], self.lattice.keys[c])))
        return sorted(victims)

    def victims(self, hidden: npt.NDArray[np.bool_], fixed: npt.NDArray[np.bool_]) -> list[int]:
        shown = np.flatnonzero(~hidden[self.cells])
        if not shown.size or not self.targets.shape[0]:
            return []
        if self.phase:
            return self._segment_victims(shown, fixed)
        member = self.member[shown]
        units = shown[self.width[shown] == 1]
        unit_atoms = self.member[units].indices  # one atom per unit cell (csr row order)
        free = np.ones(self.member.shape[1], dtype=bool)
        free[unit_atoms] = False  # atoms published on their own
        reduced = member[:, np.flatnonzero(free)].toarray()
        used_rows = np.flatnonzero(reduced.any(axis=1))
        # duplicate rows add nothing to the span: keep one, remember all its cells
        _, first, group = np.unique(
            reduced[used_rows], axis=0, return_index=True, return_inverse=True
        )
        basis = reduced[used_rows[first]]
        owners: list[list[int]] = [[] for _ in first]
        for position, g in enumerate(np.ravel(group)):
            owners[g].append(int(self.cells[shown[used_rows[position]]]))
        targets = self.targets[:, np.flatnonzero(free)].toarray()
        if basis.size:
            u, sv, vt = np.linalg.svd(basis, full_matrices=False)
            keep = sv > 1e-9 * max(1.0, float(sv[0]))
            u, sv, vt = u[:, keep], sv[keep], vt[keep]
            residual = targets - (targets @ vt.T) @ vt
        else:
            u, sv, vt = (np.zeros((0, 0)),) * 3
            residual = targets
        leaking = np.linalg.norm(residual, axis=1) < 1e-6
        if not leaking.any():
            return []
        size = self.lattice.respondents
        unit_cell = dict(zip(unit_atoms.tolist(), self.cells[units].tolist(), strict=True))
        victims: set[int] = set()
        for t in np.flatnonzero(leaking):
            if basis.size and targets[t].any():
                weights = ((targets[t] @ vt.T) / sv) @ u.T  # minimum-norm combination
                groups = [owners[g] for g in np.flatnonzero(np.abs(weights) > 1e-9)]
            else:  # made of published single atoms only
                atoms = self.targets[t].indices
                groups = [[unit_cell[a]] for a in atoms.tolist() if a in unit_cell]
            hideable = [g for g in groups if not any(fixed[c] for c in g)]
            if hideable:
                best = min(hideable, key=lambda g: min((size[c], self.lattice.keys[c]) for c in g))
                victims.update(best)
        return sorted(victims)


def _natural_groups(
    frame: pd.DataFrame, keys: list[str], atom_of_row: npt.NDArray[np.integer], atoms: int
) -> sparse.csr_matrix:
    """Atoms (``keys``) of every org node × period × segment value, as 0/1 rows."""
    first_row = np.zeros(atoms, dtype=np.int64)
    first_row[atom_of_row[::-1]] = np.arange(len(frame))[::-1]
    columns = [*ORG_LEVELS, *TIME_LEVELS, *(["_segment"] if "_segment" in keys else [])]
    codes = {c: pd.factorize(frame[c].to_numpy()[first_row])[0].astype(np.int64) for c in columns}
    segments: list[str | None] = [None, "_segment"] if "_segment" in keys else [None]
    blocks = []
    for chosen in itertools.product([None, *ORG_LEVELS], [None, *TIME_LEVELS], segments):
        combined = np.zeros(atoms, dtype=np.int64)
        for column in (c for c in chosen if c):
            combined = combined * (int(codes[column].max()) + 1) + codes[column]
        _, ids = np.unique(combined, return_inverse=True)
        blocks.append(
            sparse.csr_matrix(
                (np.ones(atoms), (ids.ravel(), np.arange(atoms))),
                shape=(int(ids.max()) + 1, atoms),
            )
        )
    return sparse.vstack(blocks).tocsr()


def _span(
    matrix: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The thin SVD of ``matrix`` without its zero singular values (empty matrices too)."""
    rows, cols = matrix.shape
    if not matrix.size:
        return np.zeros((rows, 0)), np.zeros(0), np.zeros((0, cols))
    u, sv, vt = np.linalg.svd(matrix, full_matrices=False)
    keep = sv > 1e-9 * max(1.0, float(sv[0]))
    return u[:, keep], sv[keep], vt[keep]


def _left_null(u: npt.NDArray[np.float64], rows: int) -> npt.NDArray[np.float64]:
    """An orthonormal basis (as rows) of the vectors orthogonal to the columns of ``u``."""
    if not u.shape[1]:
        return np.eye(rows)
    q, _ = np.linalg.qr(np.hstack([u, np.eye(rows)]), mode="complete")
    return q[:, u.shape[1] :].T


class _Unknown:
    """Respondents of a union of hidden cells that no published cell inside it reveals."""

    def __init__(self, lattice: _Lattice, respondent: npt.NDArray[np.int64]) -> None:
        self.lattice = lattice
        self.respondent = respondent
        self.known = np.zeros((0, respondent.size), dtype=bool)

    def reveal(self, cells: list[int]) -> None:
        """Cells published although they may lie inside hidden ones (equal-set segment cells)."""
        self.known = np.zeros((len(cells), self.respondent.size), dtype=bool)
        for i, cell in enumerate(cells):
            self.known[i, self.lattice.rows[cell]] = True

    def size(self, cells: list[int]) -> tuple[int, int]:
        """(cells with an unknown part, distinct respondents in the unknown part)."""
        rows = [self.lattice.rows[c] for c in cells]
        if not len(self.known):
            parts = sum(1 for r in rows if r.size)
            who = np.unique(np.concatenate([self.lattice.members[c] for c in cells]))
            return parts, who.size
        union = np.zeros(self.respondent.size, dtype=bool)
        union[np.concatenate(rows)] = True
        inside = ~(self.known & ~union).any(axis=1)
        unknown = union & ~self.known[inside].any(axis=0)
        parts = sum(1 for r in rows if unknown[r].any())
        return parts, np.unique(self.respondent[unknown]).size


def _small_cut(
    lattice: _Lattice,
    parent: int,
    dims: tuple[int, ...],
    hidden: npt.NDArray[np.bool_],
    k: int,
    unknown: _Unknown,
) -> list[int]:
    """The children of ``parent`` along both ``dims`` when its two-way table leaks, else [].

    Rows are the children along ``dims[0]``, columns those along ``dims[1]``; hidden rows
    (and hidden columns) merge into one node, since only their total is known. Every hidden
    non-empty cell of the table is an edge between its row and column node, and every node's
    total is known (published cells, parent minus published children). A set of edges can be
    worked out from these totals exactly when it is the set of edges leaving a node set S
    (row in S, column not in S) while no edge enters S (row not in S, column in S); larger
    potentials split into such sets. The table leaks when such a set holds 1..k-1
    respondents. Tables of up to ``_EXACT_NODES`` nodes are checked over every S; wider
    ones only for single edges (bridges), which is not complete.
    """
    d1, d2 = dims
    rows = lattice.children[d1][parent]
    cols = lattice.children[d2][parent]
    edges: dict[tuple[int, int], list[int]] = {}
    for row in rows:
        for cell in lattice.children[d2][row]:
            if not hidden[cell]:
                continue
            col = int(lattice.parents[cell, d1])
            key = (-1 if hidden[row] else row, -2 if hidden[col] else col)
            edges.setdefault(key, []).append(cell)
    if not edges:
        return []
    pairs = list(edges)
    nodes = sorted({a for a, _ in pairs} | {b for _, b in pairs})
    if len(nodes) > _EXACT_NODES:
        candidates = [[pair] for pair in _bridges(pairs)]
    else:
        where = {node: i for i, node in enumerate(nodes)}
        subsets = np.arange(2 ** len(nodes))[:, None] >> np.arange(len(nodes)) & 1 == 1
        row_in = subsets[:, [where[a] for a, _ in pairs]]
        col_in = subsets[:, [where[b] for _, b in pairs]]
        chosen = row_in & ~col_in
        valid = chosen.any(axis=1) & ~(~row_in & col_in).any(axis=1)
        candidates = [
            [pairs[i] for i in np.flatnonzero(choice)]
            for choice in np.unique(chosen[valid], axis=0)
        ]
    for chosen_pairs in candidates:
        _, size = unknown.size([c for pair in chosen_pairs for c in edges[pair]])
        if 0 < size < k:
            return [*rows, *cols]
    return []


def _bridges(edges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The bridges of a simple undirected graph (Tarjan, iterative)."""
    neighbours: dict[int, list[tuple[int, int]]] = {}
    for i, (a, b) in enumerate(edges):
        neighbours.setdefault(a, []).append((b, i))
        neighbours.setdefault(b, []).append((a, i))
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    found: list[tuple[int, int]] = []
    for root in neighbours:
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack: list[tuple[int, int, int]] = [(root, -1, 0)]  # node, edge in, next neighbour
        while stack:
            node, via, nxt = stack[-1]
            if nxt < len(neighbours[node]):
                stack[-1] = (node, via, nxt + 1)
                other, edge = neighbours[node][nxt]
                if edge == via:
                    continue
                if other in order:
                    low[node] = min(low[node], order[other])
                else:
                    order[other] = low[other] = len(order)
                    stack.append((other, edge, 0))
            else:
                stack.pop()
                if stack:
                    up = stack[-1][0]
                    low[up] = min(low[up], low[node])
                    if low[node] > order[up]:
                        found.append(edges[via])
    return found


# --------------------------------------------------------------------------- comments


def plan_comments(
    responses: pd.DataFrame,
    *,
    min_comment_group_size: int = 10,
    min_group_size: int = 5,
    segment: str | None = None,
) -> AnonymityPlan:
    """Decide which comment lists may be shown (same input as :func:`plan_figures`).

    The responses are kept in blocks of at least ``min_comment_group_size`` respondents; a
    list is shown only when it is a union of whole blocks, so nothing that set operations on
    shown lists can produce (differences *and* intersections) holds fewer respondents. Cells
    are taken coarse to fine (org level, then period level, larger first), unfiltered first.
    """
    k = validate_threshold(min_group_size)
    kc = validate_threshold(min_comment_group_size, setting="min_comment_group_size")
    if kc < k:
        raise ConfigError("min_comment_group_size must be at least min_group_size")
    frame = _prepare(responses, segment)
    lattice = _lattice(frame, segment)
    respondent = frame["respondent"].to_numpy()
    size = len(lattice.keys)
    hidden = np.ones(size, dtype=bool)
    reasons: list[str | None] = [_reason(COMMENT_GROUP_SIZE, kc)] * size
    block = np.zeros(len(frame), dtype=np.int64)
    order = sorted(
        range(size),
        key=lambda c: (
            lattice.keys[c][4] != ALL,
            lattice.keys[c][0],
            lattice.keys[c][2],
            -lattice.respondents[c],
            lattice.keys[c],
        ),
    )
    for c in order:
        inside = np.zeros(len(frame), dtype=bool)
        inside[lattice.rows[c]] = True
        touched = np.unique(block[inside])
        affected = np.isin(block, touched)
        pieces = pd.DataFrame(
            {"block": block[affected], "inside": inside[affected], "who": respondent[affected]}
        )
        counts = pieces.groupby(["block", "inside"])["who"].nunique()
        if (counts < kc).any():
            continue
        hidden[c], reasons[c] = False, None
        split = inside & affected
        block[split] = block[split] + block.max() + 1
        block = pd.factorize(block)[0].astype(np.int64)
    return AnonymityPlan(
        "comments", kc, segment, _plan_frame(lattice, hidden, reasons), _org_parents(frame)
    )


# --------------------------------------------------------------------------- applying a plan


def _org_parents(frame: pd.DataFrame) -> dict[tuple[str, str], str]:
    parents = {("organisation", str(o)): ALL for o in frame["organisation"].unique()}
    for child, parent in zip(ORG_LEVELS[1:], ORG_LEVELS[:-1], strict=True):
        pairs = frame[[child, parent]].drop_duplicates()
        parents.update(zip(((child, str(c)) for c in pairs[child]), map(str, pairs[parent]),
                           strict=True))  # fmt: skip
    return parents


Cell = tuple[str, str, str, str]  # (org level, org key, time key, segment value)

#: The key of "no value": a response without a team (department, ...) sits in a unit keyed
#: NO_VALUE + the key of the unit above it; a response without a segment value in NO_VALUE.
NO_VALUE: Final = "∅"


def with_unit_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (with the ORG_LEVELS columns) with empty org keys named as plans name them:
    no organisation is NO_VALUE, no location (department, team) is NO_VALUE + the key of the
    unit above it."""
    out = frame.copy()
    out["organisation"] = out["organisation"].fillna(NO_VALUE)
    for child, parent in zip(ORG_LEVELS[1:], ORG_LEVELS[:-1], strict=True):
        missing = out[child].isna()
        out.loc[missing, child] = NO_VALUE + out.loc[missing, parent].astype(str)
    return out


def _cells_of(
    groups: pd.DataFrame,
    plan: AnonymityPlan,
    by: Sequence[str],
    where: Mapping[str, object] | None,
    period: str | Sequence[str] | None,
) -> list[list[Cell]]:
    """For each row of ``groups``: the plan cells whose union the row's figures cover.

    Usually one cell. A period made of several time cells (a half year: two quarters), a
    ``by`` period cut by the query's period, or a row whose org key is empty (responses
    without a team: the empty-key units of every department in scope) cover several."""
    where = dict(where or {})
    known = {*ORG_LEVELS, *TIME_LEVELS, *([plan.segment] if plan.segment else [])}
    strange = [c for c in [*by, *where] if c not in known]
    if strange:
        raise AnonymityError(
            f"employee figures can be cut by one org level, one period and "
            f"{'the segment ' + repr(plan.segment) if plan.segment else 'no segment'} only; "
            f"build the anonymity plan with the segment asked for (got {', '.join(strange)})"
        )
    if any(c in TIME_LEVELS for c in where):
        raise AnonymityError("filter employee figures on time with the period, not 'where'")
    org_by = [c for c in by if c in ORG_LEVELS]
    time_by = [c for c in by if c in TIME_LEVELS]
    if len(org_by) > 1 or len(time_by) > 1:
        raise AnonymityError("employee figures can be cut by one org level and one period")
    for name, value in where.items():
        if not isinstance(value, str):
            raise AnonymityError(f"filter employee figures on one value of {name} at a time")
    periods = [ALL] if period is None else [period] if isinstance(period, str) else list(period)
    rows = len(groups)
    # org: the finest of the by column and the where filters (coarser ones only restrict)
    org_where = sorted((c for c in where if c in ORG_LEVELS), key=ORG_LEVELS.index)
    finest = max([*org_by, *org_where], key=ORG_LEVELS.index, default=None)
    org_keys: list[list[str]]
    if finest is None:
        org_level, org_keys = ALL, [[ALL]] * rows
    elif finest in org_by:
        org_level = finest
        scope = {c: str(where[c]) for c in org_where if c != finest}
        empty = _empty_units(plan, finest, scope)
        org_keys = [empty if _is_empty(v) else [str(v)] for v in groups[finest]]
    else:
        org_level, org_keys = finest, [[str(where[finest])]] * rows
    time_keys: list[list[str]]
    if time_by:
        time_keys = [
            [c for p in periods if (c := _overlap(str(t), p)) is not None]
            for t in groups[time_by[0]]
        ]
    else:
        time_keys = [periods] * rows
    segment = plan.segment
    if segment and segment in by:
        seg_key = [NO_VALUE if _is_empty(v) else str(v) for v in groups[segment]]
        if segment in where:
            seg_key = [s if s == where[segment] else "-" for s in seg_key]
    elif segment and segment in where:
        seg_key = [str(where[segment])] * rows
    else:
        seg_key = [ALL] * rows
    return [
        [(org_level, o, t, g) for o in orgs for t in times]
        for orgs, times, g in zip(org_keys, time_keys, seg_key, strict=True)
    ]


def _is_empty(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _empty_units(plan: AnonymityPlan, level: str, scope: Mapping[str, str]) -> list[str]:
    """The empty-key units of ``level`` inside ``scope`` (coarser org level -> key)."""
    return [
        key
        for unit_level, key in plan.org_parent
        if unit_level == level and key.startswith(NO_VALUE)
        if all(_ancestor(plan, level, key, at) == want for at, want in scope.items())
    ]


def _ancestor(plan: AnonymityPlan, level: str, key: str, at: str) -> str:
    while level != at:
        key = plan.org_parent[(level, key)]
        level = ORG_LEVELS[ORG_LEVELS.index(level) - 1]
    return key


def _overlap(bucket: str, period: str) -> str | None:
    """The time cell both cover (one holds the other in the time tree), or None."""
    if _contains(bucket, period):
        return period
    if _contains(period, bucket):
        return bucket
    return None


def _contains(outer: str, inner: str) -> bool:
    key = inner
    while key != ALL:
        if key == outer:
            return True
        key = time_parent(key)
    return outer == ALL


def _lookup(
    plan: AnonymityPlan, cell_sets: list[list[Cell]]
) -> tuple[npt.NDArray[np.bool_], list[str]]:
    """Hidden when any cell of the union is: a union of shown cells is in their span, so
    it reveals nothing new. Cells missing from the plan hold no responses, unless they are
    segment cells finer than the plan keeps."""
    status = plan._status
    unknown = (True, _reason(UNKNOWN_GROUP, plan.min_group_size))
    too_fine = (True, _reason(SEGMENT_TOO_FINE, plan.min_group_size))

    def fine(cell: Cell) -> bool:
        org_level, _, time_key, segment_value = cell
        deep = org_level not in (ALL, *SEGMENT_ORG_LEVELS)
        return segment_value != ALL and (deep or _time_level(time_key) > len(SEGMENT_TIME_LEVELS))

    found: list[tuple[bool, str | None]] = []
    for cells in cell_sets:
        known = [status[c] for c in cells if c in status]
        hidden = [f for f in known if f[0]]
        if any(fine(c) for c in cells):
            found.append(too_fine)
        elif hidden:
            found.append(hidden[0])
        else:
            found.append((False, None) if known else unknown)
    return np.array([f[0] for f in found], dtype=bool), [f[1] or "" for f in found]


def protect(
    result: pd.DataFrame,
    plan: AnonymityPlan,
    *,
    by: Sequence[str],
    where: Mapping[str, object] | None = None,
    period: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """``result`` with ``suppressed``/``reason`` set and every figure of a hidden group blanked.

    ``by`` and ``where`` are the query's; ``period`` the month (``2025-03``), quarter
    (``2025-Q1``) or year (``2025``) the query covers, or None for all responses the plan was
    built from. Blanked: every numeric column but the ``by`` columns (NaN; integer columns
    become nullable), boolean columns but ``suppressed`` (NA) and ``method`` (None). ``n`` is
    blanked too: a count below k says as much as the figure. Rows not in the plan are hidden.
    """
    if plan.kind != "figures":
        raise ValueError("protect() needs a plan from plan_figures()")
    out = result.copy()
    hidden, reasons = _lookup(plan, _cells_of(out, plan, by, where, period))
    if "suppressed" in out.columns:
        already = out["suppressed"].fillna(False).to_numpy(dtype=bool)
        old = out["reason"].tolist() if "reason" in out.columns else [None] * len(out)
        reasons = [o if a and not h else r for a, h, o, r in zip(
            already, hidden, old, reasons, strict=True)]  # fmt: skip
        hidden = hidden | already
    out["suppressed"] = hidden
    out["reason"] = pd.Series(
        [r if h else None for h, r in zip(hidden, reasons, strict=True)],
        index=out.index,
        dtype=object,
    )
    return _blank(out, hidden, keep={*by, "kpi", "suppressed", "reason"})


def _blank(out: pd.DataFrame, hidden: npt.NDArray[np.bool_], keep: set[str]) -> pd.DataFrame:
    if not hidden.any():
        return out
    for column in out.columns:
        if column in keep:
            continue
        series = out[column]
        if pd.api.types.is_bool_dtype(series.dtype):
            out[column] = series.astype("boolean")
            out.loc[hidden, column] = pd.NA
        elif pd.api.types.is_integer_dtype(series.dtype):
            out[column] = series.astype("Int64")
            out.loc[hidden, column] = pd.NA
        elif pd.api.types.is_numeric_dtype(series.dtype):
            out.loc[hidden, column] = np.nan
        elif column == "method":
            out[column] = series.astype(object)
            out.loc[hidden, column] = None
    return out


def protect_comments(
    comments: pd.DataFrame,
    plan: AnonymityPlan,
    *,
    by: Sequence[str],
    where: Mapping[str, object] | None = None,
    period: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """The rows of ``comments`` (one per comment, with the ``by`` columns) whose group may
    show comments; the rows of every other group are dropped."""
    if plan.kind != "comments":
        raise ValueError("protect_comments() needs a plan from plan_comments()")
    if comments.empty:
        return comments.copy()
    hidden, _ = _lookup(plan, _cells_of(comments, plan, by, where, period))
    return comments.loc[~hidden].copy()


__all__ = [
    "ALL",
    "ORG_LEVELS",
    "SMALLEST_ALLOWED_GROUP",
    "TIME_LEVELS",
    "AnonymityPlan",
    "plan_comments",
    "plan_figures",
    "protect",
    "protect_comments",
    "time_parent",
    "validate_threshold",
    "with_unit_keys",
]
