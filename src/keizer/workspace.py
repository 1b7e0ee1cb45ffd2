"""The Workspace: one open store with keizer's settings, the Python API's main object."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal, get_args

from sqlalchemy import text
from sqlalchemy.orm import Session

from keizer.config import Settings, load_settings
from keizer.errors import NotFoundError, SchemaOutOfDateError, StoreError, ValidationError
from keizer.feedback import service as feedback
from keizer.feedback.schemas import ResponseCreate, SurveyCreate, SurveyRead
from keizer.ingest import service as ingest
from keizer.ingest.fields import ImportKind
from keizer.ingest.mapping import Mapping as ImportMapping
from keizer.ingest.mapping import load_mapping
from keizer.ingest.service import ImportOptions, ImportResult
from keizer.operations import service as operations
from keizer.operations.schemas import CustomerCreate, InteractionCreate
from keizer.org import service as org
from keizer.org.schemas import EmployeeCreate, OrgUnitCreate
from keizer.privacy import Pseudonymiser
from keizer.store import migrate
from keizer.store.bulk import UpsertResult
from keizer.store.engine import Store, open_store
from keizer.store.plan_archive import StoredPlans
from keizer.store.url import parse_store_url
from keizer.users import service as user_service
from keizer.users.schemas import DemoLogin, NewToken, TokenRead, UserCreate, UserRead
from keizer.workforce import service as workforce
from keizer.workforce.schemas import AbsenceSpellCreate, HREventCreate

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from keizer.comments.service import EnrichResult, TrainResult
    from keizer.linkage import Intervention, LinkageOptions, LinkageResult, Panel
    from keizer.metrics.comments import Audience, CommentList
    from keizer.metrics.survey_queries import StoreTables

TableName = Literal[
    "org_units", "employees", "customers", "interactions", "surveys", "questions",
    "responses", "answers", "hr_events", "absence_spells", "import_batches",
    "comment_analyses",
]  # fmt: skip
TABLES: dict[str, str] = {
    "org_units": "org_unit",
    "employees": "employee",
    "customers": "customer",
    "interactions": "interaction",
    "surveys": "survey",
    "questions": "question",
    "responses": "response",
    "answers": "answer",
    "hr_events": "hr_event",
    "absence_spells": "absence_spell",
    "import_batches": "import_batch",
    "comment_analyses": "comment_analysis",
}
assert set(TABLES) == set(get_args(TableName))


@dataclass(frozen=True)
class StoreInfo:
    """What ``keizer db info`` shows."""

    engine: str
    location: str
    revision: str | None
    head: str
    counts: dict[str, int]

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.head


class Workspace:
    """An open keizer store. Use it as a context manager, or call :meth:`close`."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.pseudonymiser = Pseudonymiser(settings.secret_key)
        self._tables: StoreTables | None = None  # read once: each table costs a schema query

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self.close()

    def close(self) -> None:
        """Release the store (a DuckDB file is unlocked)."""
        self._tables = None
        self.store.close()

    def _store_tables(self) -> StoreTables:
        """The analytics tables as Ibis expressions, looked up once per schema revision."""
        tables = self._tables
        if tables is None:
            from keizer.metrics.survey_queries import StoreTables  # SciPy & co.: when asked

            plans = StoredPlans(self.store.engine)
            tables = self._tables = StoreTables.from_backend(self.store.ibis, plans)
        return tables

    @property
    def engine(self) -> str:
        """``duckdb`` or ``postgresql``."""
        return self.store.kind

    # -- schema ----------------------------------------------------------------------------
    def revision(self) -> str | None:
        """The store's schema revision (``None`` before the first migration)."""
        return migrate.current_revision(self.store)

    def upgrade(self, revision: str = "head") -> None:
        """Migrate the schema up (one transaction)."""
        self._tables = None
        migrate.upgrade(self.store, revision)

    def downgrade(self, revision: str = "base") -> None:
        """Migrate the schema down; ``base`` removes every keizer table and its data."""
        self._tables = None
        migrate.downgrade(self.store, revision)

    def info(self) -> StoreInfo:
        """Engine, location, schema revision and row counts."""
        revision = self.revision()
        counts = self.counts() if revision is not None else {}
        return StoreInfo(
            self.engine, self.store.url.display(), revision, migrate.head_revision(), counts
        )

    def counts(self) -> dict[str, int]:
        """Rows per table, by public table name."""
        with self.store.engine.connect() as connection:
            return {
                name: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
                for name, table in TABLES.items()
            }

    # -- reads -----------------------------------------------------------------------------
    def table(self, name: TableName) -> ir.Table:
        """An Ibis table over the store, e.g. ``ws.table("responses").to_pandas()``."""
        if name not in TABLES:
            raise NotFoundError(f"no table {name!r}; tables: {', '.join(TABLES)}")
        return self.store.ibis.table(TABLES[name])

    def kpi(
        self,
        name: str | Sequence[str],
        *,
        by: Sequence[str] = (),
        where: Mapping[str, object] | None = None,
        period: tuple[date | str, date | str] | None = None,
        compare: Literal["previous_period"] | None = None,
        confidence: float = 0.95,
        alpha: float = 0.05,
    ) -> pd.DataFrame:
        """One KPI by segments, with n, interval, and change against the previous period.

        ``ws.kpi("nps", by=["team", "month"], where={"channel": "phone"},
        period=("2025-01-01", "2025-12-31"), compare="previous_period")``. Employee figures
        of groups below the anonymity threshold come back suppressed (NaN, never 0).
        """
        from keizer.metrics.kpi import KpiRequest
        from keizer.metrics.kpi import kpi as metrics_kpi

        request = KpiRequest(
            name=name if isinstance(name, str) else tuple(name), by=tuple(by),
            where=dict(where or {}),
            period=_dates(period) if period is not None else None, compare=compare,
            confidence=confidence, alpha=alpha, min_group_size=self.settings.min_group_size,
        )  # fmt: skip
        return metrics_kpi(self._store_tables(), request)

    def comments(
        self,
        audience: Audience,
        *,
        period: tuple[date | str, date | str],
        where: Mapping[str, str] | None = None,
        teams: Sequence[str] | None = None,
    ) -> CommentList:
        """The analysed comments (``keizer text enrich``) of customers or employees in
        ``period``, newest first, filtered by ``where`` (channel, team, department, location,
        organisation) and limited to ``teams`` when given. Employee lists follow the
        anonymity rules for comments (``KEIZER_MIN_COMMENT_GROUP_SIZE``, no differencing):
        a hidden list comes back empty with ``suppressed`` and a reason."""
        from keizer.metrics.comments import comment_list

        return comment_list(
            self._store_tables(), self.store.ibis.table("comment_analysis"), audience,
            period=_dates(period), where=where, teams=teams,
            min_group_size=self.settings.min_group_size,
            min_comment_group_size=self.settings.min_comment_group_size,
        )  # fmt: skip

    def linkage_panel(self, *, period: tuple[date | str, date | str] | None = None) -> Panel:
        """The team x month panel that :meth:`linkage` analyses: the only part of it that
        reads the store (a few Ibis queries), for callers that read under a lock."""
        from keizer.linkage.queries import build_panel  # statsmodels & co.: only when asked

        return build_panel(
            self._store_tables(),
            _dates(period) if period is not None else None,
        )

    def linkage(
        self,
        *,
        period: tuple[date | str, date | str] | None = None,
        options: LinkageOptions | None = None,
        intervention: Intervention | None = None,
        panel: Panel | None = None,
    ) -> LinkageResult:
        """EX ↔ CX linkage: employee measures against customer outcomes, turnover and absence.

        Builds the team × month panel from the store (Ibis; or takes a ``panel`` read before
        with :meth:`linkage_panel`) and runs every model of :mod:`keizer.linkage` (see
        docs/linkage.md). The anonymity threshold is at least ``Settings.min_group_size``
        whatever ``options`` say.
        """
        from keizer.linkage import LinkageOptions, analyse  # statsmodels & co.: only when asked

        options = options or LinkageOptions(min_group_size=self.settings.min_group_size)
        if options.min_group_size < self.settings.min_group_size:
            raise ValidationError(
                f"min_group_size {options.min_group_size} is below this deployment's "
                f"anonymity threshold ({self.settings.min_group_size})"
            )
        if panel is not None and period is not None:
            raise ValidationError("give a period or a panel read for one, not both")
        panel = panel if panel is not None else self.linkage_panel(period=period)
        return analyse(panel, options, intervention)

    # -- writes ----------------------------------------------------------------------------
    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A transaction for several writes: all of them land, or none."""
        with self.store.unit_of_work() as session:
            yield session

    def import_file(
        self,
        path: str | Path,
        kind: ImportKind,
        *,
        mapping: ImportMapping | str | Path | None = None,
        survey: str | None = None,
        dry_run: bool = False,
        skip_invalid: bool = False,
        report: str | Path | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> ImportResult:
        """Import a CSV, Excel, JSON-lines or Parquet file (or a survey tool's export).

        ``mapping`` is a :class:`keizer.ingest.mapping.Mapping` or the path of a YAML mapping
        file; without one the columns are matched by name. Invalid rows make the whole import
        fail unless ``skip_invalid``; ``report`` receives every invalid cell as CSV.
        """
        if mapping is not None and not isinstance(mapping, ImportMapping):
            mapping = load_mapping(Path(mapping))
        options = ImportOptions(
            mapping=mapping, survey=survey, dry_run=dry_run, skip_invalid=skip_invalid,
            report=Path(report) if report is not None else None,
        )  # fmt: skip
        return ingest.import_file(
            store=self.store, pseudonymiser=self.pseudonymiser, path=Path(path), kind=kind,
            options=options, progress=progress,
        )  # fmt: skip

    def enrich_comments(
        self, *, use_model: bool = True, progress: Callable[[int, int], None] | None = None
    ) -> EnrichResult:
        """Run text analytics on every open answer that is new or changed since the last run
        (with the latest trained model, if any and ``use_model``)."""
        from keizer.comments import service as comments  # the text models: only when asked

        return comments.enrich(store=self.store, use_model=use_model, progress=progress)

    def train_text_model(self, path: str | Path, *, name: str | None = None) -> TrainResult:
        """Train a sentiment model on a ``text,label`` CSV and keep it in the store."""
        from keizer.comments import service as comments

        texts, labels = comments.read_labelled(Path(path))
        with self.unit_of_work() as session:
            return comments.train_model(
                session=session, texts=texts, labels=labels, name=name or Path(path).name
            )

    def add_org_units(self, units: Sequence[OrgUnitCreate]) -> UpsertResult:
        """Insert or update organisation units (parents may be in the same batch)."""
        with self.unit_of_work() as session:
            return org.upsert_org_units(session=session, units=units)

    def add_employees(self, employees: Sequence[EmployeeCreate]) -> UpsertResult:
        """Insert or update employees; their ids are pseudonymised."""
        with self.unit_of_work() as session:
            return org.upsert_employees(
                session=session, employees=employees, pseudonymiser=self.pseudonymiser
            )

    def add_customers(self, customers: Sequence[CustomerCreate]) -> UpsertResult:
        """Insert or update customers; their ids are pseudonymised."""
        with self.unit_of_work() as session:
            return operations.upsert_customers(
                session=session, customers=customers, pseudonymiser=self.pseudonymiser
            )

    def add_interactions(self, interactions: Sequence[InteractionCreate]) -> UpsertResult:
        """Insert or update interactions."""
        with self.unit_of_work() as session:
            return operations.upsert_interactions(
                session=session, interactions=interactions, pseudonymiser=self.pseudonymiser
            )

    def add_survey(self, survey: SurveyCreate) -> SurveyRead:
        """Insert or update a survey and its questions."""
        with self.unit_of_work() as session:
            return feedback.upsert_survey(session=session, survey=survey)

    def add_responses(self, responses: Sequence[ResponseCreate]) -> UpsertResult:
        """Insert or update survey responses and their answers."""
        with self.unit_of_work() as session:
            return feedback.upsert_responses(
                session=session, responses=responses, pseudonymiser=self.pseudonymiser
            )

    def add_hr_events(self, events: Sequence[HREventCreate]) -> UpsertResult:
        """Insert or update HR events."""
        with self.unit_of_work() as session:
            return workforce.upsert_hr_events(
                session=session, events=events, pseudonymiser=self.pseudonymiser
            )

    def add_absence_spells(self, spells: Sequence[AbsenceSpellCreate]) -> UpsertResult:
        """Insert or update absence spells."""
        with self.unit_of_work() as session:
            return workforce.upsert_absence_spells(
                session=session, spells=spells, pseudonymiser=self.pseudonymiser
            )

    # -- users (logins, roles, API tokens) -----------------------------------------------------
    def add_user(self, user: UserCreate) -> UserRead:
        """Add a login with a role (``team_ids`` scope a team lead to their teams)."""
        with self.unit_of_work() as session:
            return user_service.create(session=session, user_in=user)

    def users(self) -> list[UserRead]:
        """Every login, by username (never password hashes)."""
        with self.unit_of_work() as session:
            return user_service.get_all(session=session)

    def disable_user(self, username: str) -> UserRead:
        """Stop a login: its browser sessions end and its API tokens stop working."""
        with self.unit_of_work() as session:
            return user_service.disable(session=session, username=username)

    def set_password(self, username: str, password: str) -> UserRead:
        """Give a login a new password (its browser sessions end)."""
        with self.unit_of_work() as session:
            return user_service.set_password(session=session, username=username, password=password)

    def create_token(self, username: str, name: str) -> NewToken:
        """A new API token for a user; ``NewToken.token`` is shown once and never stored."""
        with self.unit_of_work() as session:
            return user_service.create_token(session=session, username=username, name=name)

    def tokens(self, username: str) -> list[TokenRead]:
        """A user's API tokens (without their secrets)."""
        with self.unit_of_work() as session:
            return user_service.get_tokens(session=session, username=username)

    def revoke_token(self, token_id: int) -> None:
        """Stop an API token from working."""
        with self.unit_of_work() as session:
            user_service.revoke_token(session=session, token_id=token_id)

    def add_demo_users(self) -> list[DemoLogin]:
        """One demo login per role (see docs/users.md); existing ones are left as they are."""
        with self.unit_of_work() as session:
            return user_service.create_demo(session=session)


def _dates(period: tuple[date | str, date | str]) -> tuple[date, date]:
    try:
        start, end = (v if isinstance(v, date) else date.fromisoformat(v) for v in period)
    except ValueError as exc:
        raise ValidationError(f"period: {exc}; use dates like 2025-01-31") from None
    return start, end


def open_workspace(
    url: str | None = None,
    *,
    settings: Settings | None = None,
    migrate_schema: bool = True,
    must_exist: bool = False,
) -> Workspace:
    """Open (and by default migrate) the store at ``url``, or at ``KEIZER_DATABASE_URL``.

    With ``must_exist`` a missing DuckDB file is an error instead of a new store.
    """
    settings = settings or load_settings()
    raw = url or settings.database_url
    if must_exist:
        path = parse_store_url(raw).path
        if path is not None and not path.exists():
            raise StoreError(f"no store at {path}; create one with 'keizer init'")
    workspace = Workspace(open_store(raw), settings)
    try:
        revision = workspace.revision()
        head = migrate.head_revision()
        if revision is not None and not migrate.is_known(revision):
            raise SchemaOutOfDateError(
                f"the store's schema revision {revision} comes from a newer keizer; "
                "upgrade keizer to use this store"
            )
        if revision != head:
            if migrate_schema:
                workspace.upgrade()
            elif revision is not None:
                raise SchemaOutOfDateError(
                    f"the store's schema is at revision {revision}, this keizer expects "
                    f"{head}; run 'keizer db upgrade'"
                )
    except BaseException:
        workspace.close()
        raise
    return workspace
