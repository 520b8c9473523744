"""searchPhrase through passes.search_text: the same passes as the rules say, never a stale
text after a write, and the trigram index on PostgreSQL (docs/dashboard.md, "Speed")."""

from __future__ import annotations

from hashlib import md5
from typing import Any

import flask_migrate
import pytest
from sqlalchemy import select, text, update

from tests.v3.conftest import make_template, raw_pass
from tests.v3.query_oracle import query_matches
from walletservice.db import transaction
from walletservice.models import Campaign, Pass
from walletservice.services.dashboard_passes import PAGE_SIZE, search_passes
from walletservice.services.passcreator.pass_query import PassQuery, compile_query
from walletservice.services.passcreator.passes import page_of_passes
from walletservice.services.passes import issue_pass, restore_revision, update_pass_values

PROPERTY_KEYS = ["age", "country", "firstname"]  # the test template's dynamic fields
ROWS: list[dict[str, Any]] = [
    {"user_provided_id": "CRM-42_x", "content": {"barcode": {"message": "BC-9000"}},
     "values": {"fields": {"firstname": "Ünïcode Ada", "age": "50% off", "country": "a\\b"}}},
    {"user_provided_id": "crm-42%x", "content": {"barcode": {"message": 12345}},
     # "secret" is no property of the template: in search_text, but never matched.
     "values": {"fields": {"firstname": "ada", "secret": "hidden-needle"}}},
    {"user_provided_id": None, "content": {},
     "values": {"fields": {"firstname": "ghi", "country": "jkl", "age": 61}}},
    {"user_provided_id": "O'Brien %(x)s :x", "content": {}, "values": {"fields": {"country": "\\'%%"}}},
]
PHRASES = ["Ada", "ada", "ADA", "Ünï", "ünï", "Ü", "%", "50%", "_", "42_", "42%", "\\", "a\\b", "crm", "CRM-4",
           "BC-9", "9000", "12345", "hidden", "needle", "hijk", "i\x1fj", "ghi", "61", "x", "nothing-here",
           # the LIKE pattern is written into the SQL: quotes and parameter marks stay text
           "'", "O'B", "'; SELECT 1; --", "\\'", "\\'%%", "%%", "%(x)s", ":x", "%s"]


@pytest.fixture
def organization(account: Any, other_account: Any) -> str:
    """Our organization with the rows; another one holds copies, never found."""
    ours, theirs = make_template(account.id), make_template(other_account.id)
    with transaction() as session:
        for row in ROWS:
            session.add(raw_pass(account.id, ours, **row))
            session.add(raw_pass(other_account.id, theirs, **row))
    return account.id


def found(organization_id: str, phrase: str) -> set[str]:
    with transaction(write=False) as session:
        condition = compile_query(session, organization_id, PassQuery(search_phrase=phrase))
        return set(session.scalars(select(Pass.id).where(condition)))


def expected(organization_id: str, phrase: str) -> set[str]:
    with transaction(write=False) as session:
        passes = session.scalars(select(Pass).where(Pass.organization_id == organization_id)).all()
        rows = [{"id": p.id, "user_provided_id": p.user_provided_id, "content": p.content, "values": p.values}
                for p in passes]
    return {row["id"] for row in rows if query_matches(row, {"searchPhrase": phrase}, PROPERTY_KEYS)}


@pytest.mark.parametrize("phrase", PHRASES)
def test_tricky_phrases_find_exactly_what_the_rules_say(organization: str, phrase: str) -> None:
    assert found(organization, phrase) == expected(organization, phrase)


def test_the_tricky_phrases_do_find_something(organization: str) -> None:
    """The comparison above would pass on an empty result too: these must match."""
    assert all(found(organization, phrase)
               for phrase in ["Ada", "Ünï", "%", "_", "\\", "crm", "BC-9", "ghi", "O'B", "\\'%%", "%(x)s", ":x"])
    # Not hex digits, which a pass's random id might hold.
    assert not any(found(organization, phrase) for phrase in ["needle", "hijk", "i\x1fj"])


def test_a_pass_is_found_by_its_identifier(organization: str) -> None:
    with transaction(write=False) as session:
        pass_id = session.scalars(select(Pass.id).where(Pass.organization_id == organization)).first()
    assert found(organization, pass_id[4:20]) == {pass_id}


def _issue(organization_id: str) -> str:
    with transaction() as session:
        campaign = session.get(Campaign, make_template(organization_id))
        pass_ = issue_pass(session, campaign, {"fields": {"firstname": "Grace"}, "barcode": {"message": "TICKET-100"}},
                           user_provided_id="ext-100")
        session.flush()
        return pass_.id


def _update(pass_id: str, values: dict[str, Any]) -> None:
    with transaction() as session:
        pass_ = session.get(Pass, pass_id)
        update_pass_values(session, pass_, session.get(Campaign, pass_.campaign_id), values)


def test_every_write_of_a_searched_value_is_found_afterwards(account: Any) -> None:
    pass_id = _issue(account.id)
    assert found(account.id, "Grace") == found(account.id, "ext-100") == {pass_id}

    _update(pass_id, {"fields": {"firstname": "Hopper"}})
    assert (found(account.id, "Grace"), found(account.id, "Hopper")) == (set(), {pass_id})

    _update(pass_id, {"barcode": {"message": "TICKET-777"}})
    assert (found(account.id, "TICKET-1"), found(account.id, "TICKET-7")) == (set(), {pass_id})

    with transaction() as session:  # as the v3 update sets it
        session.get(Pass, pass_id).user_provided_id = "ext-991"
    assert (found(account.id, "ext-100"), found(account.id, "ext-991")) == (set(), {pass_id})

    with transaction() as session:  # a plain SQL write is seen too
        session.execute(update(Pass).where(Pass.id == pass_id).values(user_provided_id="sql-5"))
    assert (found(account.id, "ext-991"), found(account.id, "sql-5")) == (set(), {pass_id})

    with transaction() as session:
        restore_revision(session, session.get(Pass, pass_id), 1)
    assert (found(account.id, "Grace"), found(account.id, "Hopper"), found(account.id, "TICKET-7")) == (
        {pass_id}, set(), set())


def test_a_search_text_written_by_hand_is_recomputed(account: Any) -> None:
    pass_id = _issue(account.id)
    with transaction() as session:
        session.execute(update(Pass).where(Pass.id == pass_id).values(search_text="forged", values={"fields": {}}))
    assert "forged" not in _search_texts()[pass_id] and found(account.id, "ext-100") == {pass_id}
    with transaction() as session:
        if session.get_bind().dialect.name != "postgresql":
            return  # SQLite's trigger cannot watch the column it writes (it would fire itself)
        session.execute(update(Pass).where(Pass.id == pass_id).values(search_text="forged"))
    assert "forged" not in _search_texts()[pass_id] and found(account.id, "ext-100") == {pass_id}


def _search_texts() -> dict[str, str | None]:
    with transaction(write=False) as session:
        return {pass_id: text_ for pass_id, text_ in session.execute(select(Pass.id, Pass.search_text))}


def test_the_migration_back_fills_the_text_its_trigger_writes(organization: str) -> None:
    written = _search_texts()
    try:
        flask_migrate.downgrade(revision="6a2f9c41d7e8")  # before migration d41c7e2a9b50
        flask_migrate.upgrade()
    finally:
        flask_migrate.upgrade()  # a failure above must not leave later tests without the column
    assert _search_texts() == written and all(written.values())
    assert found(organization, "Ünï") == expected(organization, "Ünï") != set()


def _many_passes(organization_id: str, campaign_id: str, count: int) -> None:
    """count passes in one statement, enough that scanning them costs more than the index."""
    with transaction() as session:
        session.execute(text("""
            INSERT INTO passes (id, organization_id, campaign_id, pass_type_identifier, team_identifier,
                                serial_number, authentication_token, download_id, "values", content,
                                update_tag, modified_at, voided, created_at)
            SELECT md5('p' || n), :org, :campaign, 'pass.test', 'TEAM', md5('s' || n), 't', md5('d' || n),
                   jsonb_build_object('fields', jsonb_build_object('firstname', 'name ' || md5('f' || n))),
                   '{}', 1, now(), false, now() - n * interval '1 second'
            FROM generate_series(1, :count) AS n
        """), {"org": organization_id, "campaign": campaign_id, "count": count})
    with transaction() as session:
        session.execute(text("ANALYZE passes"))


def _plan_of_search_page(organization_id: str, phrase: str) -> str:
    """EXPLAIN of the dashboard's search page statement, as search_passes runs it."""
    with transaction(write=False) as session:
        condition = compile_query(session, organization_id, PassQuery(search_phrase=phrase))
        statement = page_of_passes(condition, PAGE_SIZE, None)
        compiled = statement.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        return "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {compiled}")))


def test_postgresql_serves_phrases_of_three_characters_or_more_from_the_trigram_index(account: Any) -> None:
    with transaction(write=False) as session:
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("the trigram index is PostgreSQL's; SQLite tests every pass of the organization")
    _many_passes(account.id, make_template(account.id), 20_000)
    # A phrase most passes hold ("nam") is rightly served by the created_at order: the page fills at once.
    for phrase in ("Ada Lovelace", "xyz", md5(b"f7").hexdigest()[:8]):
        assert "ix_passes_search_text_trigrams" in _plan_of_search_page(account.id, phrase), phrase
    with transaction(write=False) as session:
        page = search_passes(session, account.id, PassQuery(search_phrase=md5(b"f7").hexdigest()), None)
    assert [pass_.values["fields"]["firstname"] for pass_ in page.passes] == ["name " + md5(b"f7").hexdigest()]
