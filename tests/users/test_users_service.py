"""The users service on both engines: logins, sessions, tokens, rate limits."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import text

import keizer
from keizer.errors import NotFoundError, ValidationError
from keizer.users import service as users
from keizer.users.schemas import UserCreate

from factories import populate_org

PASSWORD = "correct horse battery"


def _team_id(ws: keizer.Workspace, key: str = "team-a") -> int:
    with ws.store.engine.connect() as c:
        return int(
            c.execute(
                text("SELECT id FROM org_unit WHERE source_key = :k"), {"k": key}
            ).scalar_one()
        )


def test_create_authenticate_and_disable(workspace: keizer.Workspace) -> None:
    populate_org(workspace)
    team = _team_id(workspace)
    created = workspace.add_user(
        UserCreate(username="Anna", password=PASSWORD, role="team-lead", team_ids=[team])
    )
    assert created.username == "anna"
    assert created.display_name == "anna"
    assert created.team_ids == [team]
    assert created.language == "nl"
    with workspace.unit_of_work() as session:
        assert users.authenticate(session=session, username="ANNA", password=PASSWORD) == created
        assert users.authenticate(session=session, username="anna", password="wrong-pass") is None
        assert users.authenticate(session=session, username="nobody", password=PASSWORD) is None
    assert [u.username for u in workspace.users()] == ["anna"]

    disabled = workspace.disable_user("anna")
    assert disabled.disabled
    with workspace.unit_of_work() as session:
        assert users.authenticate(session=session, username="anna", password=PASSWORD) is None


def test_password_is_stored_as_an_argon2_hash(workspace: keizer.Workspace) -> None:
    workspace.add_user(UserCreate(username="bert", password=PASSWORD, role="analyst"))
    with workspace.store.engine.connect() as c:
        stored = c.execute(text("SELECT password_hash FROM app_user")).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_refuses_duplicates_unknown_teams_and_lead_without_team(
    workspace: keizer.Workspace,
) -> None:
    workspace.add_user(UserCreate(username="bert", password=PASSWORD, role="analyst"))
    with pytest.raises(ValidationError, match="already exists"):
        workspace.add_user(UserCreate(username="BERT", password=PASSWORD, role="admin"))
    with pytest.raises(ValidationError, match="needs at least one team"):
        workspace.add_user(UserCreate(username="lead", password=PASSWORD, role="team-lead"))
    with pytest.raises(NotFoundError, match="no team with org unit id 999"):
        workspace.add_user(
            UserCreate(username="lead", password=PASSWORD, role="team-lead", team_ids=[999])
        )
    populate_org(workspace)
    department = _team_id(workspace, "dep-1")
    with pytest.raises(NotFoundError, match=f"no team with org unit id {department}"):
        workspace.add_user(
            UserCreate(username="lead", password=PASSWORD, role="team-lead", team_ids=[department])
        )
    assert [u.username for u in workspace.users()] == ["bert"]


def test_sessions_are_new_per_login_hashed_and_end(workspace: keizer.Workspace) -> None:
    user = workspace.add_user(UserCreate(username="cor", password=PASSWORD, role="board"))
    with workspace.unit_of_work() as session:
        first = users.start_session(session=session, user_id=user.id)
        second = users.start_session(session=session, user_id=user.id)
    assert first.session_id != second.session_id  # a fresh id at every login: no fixation
    assert first.csrf_token != second.csrf_token
    with workspace.store.engine.connect() as c:
        stored = set(c.execute(text("SELECT id_hash FROM browser_session")).scalars())
    assert first.session_id not in stored
    assert hashlib.sha256(first.session_id.encode()).hexdigest() in stored

    with workspace.unit_of_work() as session:
        found = users.session_user(session=session, session_id=first.session_id)
        assert found is not None
        assert found[0] == user
        assert users.check_csrf(found[1], first.csrf_token)
        assert not users.check_csrf(found[1], second.csrf_token)
        assert not users.check_csrf(found[1], None)
        users.end_session(session=session, session_id=first.session_id)
    with workspace.unit_of_work() as session:
        assert users.session_user(session=session, session_id=first.session_id) is None
        assert users.session_user(session=session, session_id="made-up") is None
        assert users.session_user(session=session, session_id=second.session_id) is not None
        expired = users.start_session(
            session=session, user_id=user.id, lifetime=timedelta(seconds=-1)
        )
        assert users.session_user(session=session, session_id=expired.session_id) is None
    workspace.disable_user("cor")
    with workspace.unit_of_work() as session:
        assert users.session_user(session=session, session_id=second.session_id) is None


def test_tokens_are_hashed_listed_and_revoked(workspace: keizer.Workspace) -> None:
    user = workspace.add_user(UserCreate(username="dirk", password=PASSWORD, role="analyst"))
    new = workspace.create_token("dirk", "notebook")
    assert new.token.startswith("kz_")
    with workspace.store.engine.connect() as c:
        stored = c.execute(text("SELECT token_hash, prefix FROM api_token")).one()
    assert stored[0] == hashlib.sha256(new.token.encode()).hexdigest()
    assert new.token.startswith(stored[1])
    assert len(stored[1]) < 12
    with workspace.unit_of_work() as session:
        assert users.token_user(session=session, token=new.token) == user
        assert users.token_user(session=session, token=new.token + "x") is None
        assert users.token_user(session=session, token="nonsense") is None
    listed = workspace.tokens("dirk")
    assert [(t.id, t.name, t.revoked_at) for t in listed] == [(new.id, "notebook", None)]
    assert listed[0].last_used_at is not None
    assert "token" not in listed[0].model_dump()

    workspace.revoke_token(new.id)
    with workspace.unit_of_work() as session:
        assert users.token_user(session=session, token=new.token) is None
    assert workspace.tokens("dirk")[0].revoked_at is not None
    with pytest.raises(NotFoundError):
        workspace.revoke_token(12345)


def test_tokens_of_a_disabled_user_stop_working(workspace: keizer.Workspace) -> None:
    workspace.add_user(UserCreate(username="els", password=PASSWORD, role="admin"))
    new = workspace.create_token("els", "script")
    workspace.disable_user("els")
    with workspace.unit_of_work() as session:
        assert users.token_user(session=session, token=new.token) is None
    with pytest.raises(ValidationError, match="disabled"):
        workspace.create_token("els", "another")


def test_login_rate_limit_by_username_and_by_client(workspace: keizer.Workspace) -> None:
    with workspace.unit_of_work() as session:
        for _ in range(4):
            users.record_login_attempt(
                session=session, username="fay", client="10.0.0.1", succeeded=False
            )
        users.record_login_attempt(
            session=session, username="fay", client="10.0.0.1", succeeded=True
        )
    with workspace.unit_of_work() as session:
        assert not users.too_many_attempts(session=session, username="fay", client="10.0.0.2")
        users.record_login_attempt(
            session=session, username="FAY", client="10.0.0.9", succeeded=False
        )
    with workspace.unit_of_work() as session:
        assert users.too_many_attempts(session=session, username="fay", client="10.0.0.2")
        assert not users.too_many_attempts(session=session, username="gert", client="10.0.0.2")
        # outside the window nothing counts
        assert not users.too_many_attempts(
            session=session, username="fay", client="10.0.0.2", window=timedelta(0)
        )
        for i in range(20):
            users.record_login_attempt(
                session=session, username=f"user{i}", client="10.0.0.66", succeeded=False
            )
        assert users.too_many_attempts(session=session, username="new", client="10.0.0.66")
    with workspace.store.engine.connect() as c:
        stored = " ".join(
            str(v) for row in c.execute(text("SELECT * FROM login_attempt")) for v in row
        )
    assert "fay" not in stored
    assert "10.0.0.66" not in stored


def test_demo_logins_one_per_role(workspace: keizer.Workspace) -> None:
    populate_org(workspace)
    logins = workspace.add_demo_users()
    assert sorted(login.user.role for login in logins) == sorted(
        ["admin", "board", "cx-manager", "ex-manager", "team-lead", "analyst"]
    )
    lead = next(login for login in logins if login.user.role == "team-lead")
    assert len(lead.user.team_ids) == 1
    with workspace.unit_of_work() as session:
        for login in logins:
            assert (
                users.authenticate(
                    session=session, username=login.user.username, password=login.password
                )
                == login.user
            )
    again = workspace.add_demo_users()
    assert not any(login.created for login in again)
    assert len(workspace.users()) == 6
