"""Dashboard roll-ups: pass events counted per campaign, UTC day, kind and OS, and each
organization's passes on a device, both kept by triggers and back-filled here; devices by push token;
each pass's search text, kept by a trigger and indexed by trigrams on PostgreSQL

Revision ID: d41c7e2a9b50
Revises: e5b8d2a7c4f1
Create Date: 2026-12-07 04:55:00.000000

Why triggers (docs/dashboard.md, "Speed"): a roll-up is only as right as the list of
paths that write its source. pass_events is written by the ORM (services.events), by a
multi-row INSERT (SQLite fetches) and by INSERT ... SELECT unnest (PostgreSQL fetches);
registrations are deleted by the web service, by APNs 410 answers and by the foreign-key
cascades of a deleted pass, device, campaign or organization. A trigger sees them all,
in the writer's transaction.

PostgreSQL: statement triggers with transition tables, so one INSERT of many events is
one upsert per (campaign, day, kind, OS), in key order (no deadlock between two
batches). Registrations: the touched passes are locked (FOR NO KEY UPDATE, which does
not conflict with the foreign-key check's KEY SHARE) in one statement, and counted in
the next, whose snapshot then sees every registration committed by whoever held the
lock before: 8 threads registering and unregistering one pass count it once
(tests/dashboard/test_roll_ups.py). SQLite has one writer and row triggers that fire as
each row is written, which count the same way.

Search text (docs/dashboard.md, "Speed"): passes.search_text holds, joined by U+001F,
every value a searchPhrase can match (services/passcreator/pass_query.py, _search): the
id, the userProvidedId, the barcode message and every string field value. It only
narrows the rows (a GIN trigram index on PostgreSQL); the exact per-value test still
decides. A trigger writes it because passes are written by many services and by SQL.
pg_trgm: CREATE EXTENSION needs a superuser, or (PostgreSQL 13+, pg_trgm is trusted) a
role with CREATE on the database; otherwise a superuser runs it once beforehand.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd41c7e2a9b50'
down_revision = 'e5b8d2a7c4f1'
branch_labels = None
depends_on = None


POSTGRESQL_TRIGGERS = [
    """
    CREATE FUNCTION event_day_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO event_day_counts AS counted (campaign_id, day, kind, device_os, n)
        SELECT campaign_id, CAST(occurred_at AS date), kind, coalesce(device_os, ''), sum(coalesce(count, 0))
        FROM inserted_events WHERE campaign_id IS NOT NULL
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (campaign_id, day, kind, device_os) DO UPDATE SET n = counted.n + excluded.n;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER pass_events_count_per_day AFTER INSERT ON pass_events
    REFERENCING NEW TABLE AS inserted_events FOR EACH STATEMENT EXECUTE FUNCTION event_day_counts_add()
    """,
    """
    CREATE FUNCTION passes_with_devices_registered() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM passes WHERE id IN (SELECT pass_id FROM inserted_registrations)
        ORDER BY id FOR NO KEY UPDATE;
        -- A new statement, a new snapshot: it sees the registrations committed while we waited.
        INSERT INTO organization_counters AS counters (organization_id, passes_with_devices)
        SELECT p.organization_id, count(*) FROM passes p
        WHERE p.id IN (SELECT pass_id FROM inserted_registrations)
          AND NOT EXISTS (SELECT 1 FROM registrations r WHERE r.pass_id = p.id
                          AND r.id NOT IN (SELECT id FROM inserted_registrations))
        GROUP BY p.organization_id ORDER BY p.organization_id
        ON CONFLICT (organization_id) DO UPDATE
        SET passes_with_devices = counters.passes_with_devices + excluded.passes_with_devices;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER registrations_count_passes_on_insert AFTER INSERT ON registrations
    REFERENCING NEW TABLE AS inserted_registrations FOR EACH STATEMENT
    EXECUTE FUNCTION passes_with_devices_registered()
    """,
    """
    CREATE FUNCTION passes_with_devices_unregistered() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM passes WHERE id IN (SELECT pass_id FROM deleted_registrations)
        ORDER BY id FOR NO KEY UPDATE;
        -- A pass deleted in this transaction is not seen here: its own trigger counted it out.
        UPDATE organization_counters counters SET passes_with_devices = counters.passes_with_devices - gone.n
        FROM (SELECT p.organization_id, count(*) AS n FROM passes p
              WHERE p.id IN (SELECT pass_id FROM deleted_registrations)
                AND NOT EXISTS (SELECT 1 FROM registrations r WHERE r.pass_id = p.id)
              GROUP BY p.organization_id) gone
        WHERE counters.organization_id = gone.organization_id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER registrations_count_passes_on_delete AFTER DELETE ON registrations
    REFERENCING OLD TABLE AS deleted_registrations FOR EACH STATEMENT
    EXECUTE FUNCTION passes_with_devices_unregistered()
    """,
    # The row is locked before a BEFORE DELETE trigger runs, so no registration of it can
    # come or go meanwhile; its registrations are deleted by the cascade afterwards.
    """
    CREATE FUNCTION passes_with_devices_pass_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM registrations WHERE pass_id = OLD.id) THEN
            UPDATE organization_counters SET passes_with_devices = passes_with_devices - 1
            WHERE organization_id = OLD.organization_id;
        END IF;
        RETURN OLD;
    END $$
    """,
    """
    CREATE TRIGGER passes_count_passes_with_devices BEFORE DELETE ON passes
    FOR EACH ROW EXECUTE FUNCTION passes_with_devices_pass_deleted()
    """,
]

SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER pass_events_count_per_day AFTER INSERT ON pass_events WHEN NEW.campaign_id IS NOT NULL
    BEGIN
        INSERT INTO event_day_counts (campaign_id, day, kind, device_os, n)
        VALUES (NEW.campaign_id, date(NEW.occurred_at), NEW.kind, coalesce(NEW.device_os, ''),
                coalesce(NEW.count, 0))
        ON CONFLICT (campaign_id, day, kind, device_os) DO UPDATE SET n = n + excluded.n;
    END
    """,
    """
    CREATE TRIGGER registrations_count_passes_on_insert AFTER INSERT ON registrations
    WHEN NOT EXISTS (SELECT 1 FROM registrations WHERE pass_id = NEW.pass_id AND id != NEW.id)
    BEGIN
        INSERT INTO organization_counters (organization_id, passes_with_devices)
        SELECT organization_id, 1 FROM passes WHERE id = NEW.pass_id
        ON CONFLICT (organization_id) DO UPDATE SET passes_with_devices = passes_with_devices + 1;
    END
    """,
    """
    CREATE TRIGGER registrations_count_passes_on_delete AFTER DELETE ON registrations
    WHEN NOT EXISTS (SELECT 1 FROM registrations WHERE pass_id = OLD.pass_id)
    BEGIN
        UPDATE organization_counters SET passes_with_devices = passes_with_devices - 1
        WHERE organization_id = (SELECT organization_id FROM passes WHERE id = OLD.pass_id);
    END
    """,
    """
    CREATE TRIGGER passes_count_passes_with_devices BEFORE DELETE ON passes
    WHEN EXISTS (SELECT 1 FROM registrations WHERE pass_id = OLD.id)
    BEGIN
        UPDATE organization_counters SET passes_with_devices = passes_with_devices - 1
        WHERE organization_id = OLD.organization_id;
    END
    """,
]

# The values a searchPhrase matches; pass_query._search tests each of them exactly.
POSTGRESQL_SEARCH_TEXT = [
    """
    CREATE FUNCTION pass_search_text(pass_id text, user_provided_id text, content jsonb, pass_values jsonb)
    RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT concat_ws(chr(31), pass_id, user_provided_id,
            CASE WHEN jsonb_typeof(content #> '{barcode,message}') = 'string'
                 THEN content #>> '{barcode,message}' END,
            (SELECT string_agg(field.value #>> '{}', chr(31) ORDER BY field.key)
             FROM jsonb_each(CASE WHEN jsonb_typeof(pass_values -> 'fields') = 'object'
                                  THEN pass_values -> 'fields' END) AS field
             WHERE jsonb_typeof(field.value) = 'string'))
    $$
    """,
    # Back-filled before the trigger and the index exist: each row is computed and indexed once.
    'UPDATE passes SET search_text = pass_search_text(id, user_provided_id, content, "values")',
    'CREATE INDEX ix_passes_search_text_trigrams ON passes USING gin (search_text gin_trgm_ops)',
    """
    CREATE FUNCTION passes_search_text_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_text := pass_search_text(NEW.id, NEW.user_provided_id, NEW.content, NEW."values");
        RETURN NEW;
    END $$
    """,
    # search_text is listed too: a direct write of it is recomputed, never kept.
    """
    CREATE TRIGGER passes_search_text BEFORE INSERT OR UPDATE OF id, user_provided_id, content, "values", search_text
    ON passes FOR EACH ROW EXECUTE FUNCTION passes_search_text_write()
    """,
]

SQLITE_SEARCH_TEXT_OF = """{row}.id || char(31) || coalesce({row}.user_provided_id, '') || char(31)
    || coalesce(CASE WHEN json_type({row}.content, '$.barcode.message') = 'text'
                     THEN json_extract({row}.content, '$.barcode.message') END, '') || char(31)
    || coalesce((SELECT group_concat(value, char(31)) FROM json_each({row}."values", '$.fields')
                 WHERE type = 'text'), '')"""

SQLITE_SEARCH_TEXT = [
    f'UPDATE passes SET search_text = {SQLITE_SEARCH_TEXT_OF.format(row="passes")}',
    f"""
    CREATE TRIGGER passes_search_text_on_insert AFTER INSERT ON passes
    BEGIN
        UPDATE passes SET search_text = {SQLITE_SEARCH_TEXT_OF.format(row='NEW')} WHERE id = NEW.id;
    END
    """,
    f"""
    CREATE TRIGGER passes_search_text_on_update AFTER UPDATE OF id, user_provided_id, content, "values" ON passes
    BEGIN
        UPDATE passes SET search_text = {SQLITE_SEARCH_TEXT_OF.format(row='NEW')} WHERE id = NEW.id;
    END
    """,
]

MISSING_PG_TRGM = (
    "the pass search index needs PostgreSQL's pg_trgm extension, and this database user may not create it. "
    "Run once, as a superuser, in this database: CREATE EXTENSION IF NOT EXISTS pg_trgm; then migrate again. ({error})"
)


def create_pg_trgm():
    """CREATE EXTENSION in a savepoint, so a refusal is reported by name, not as a broken transaction."""
    bind = op.get_bind()
    if bind.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").first():
        return
    try:
        with bind.begin_nested():
            bind.exec_driver_sql('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    except sa.exc.DBAPIError as error:
        raise RuntimeError(MISSING_PG_TRGM.format(error=str(error.orig).strip())) from error


BACK_FILL = [
    """
    INSERT INTO event_day_counts (campaign_id, day, kind, device_os, n)
    SELECT campaign_id, {day}, kind, coalesce(device_os, ''), sum(coalesce(count, 0))
    FROM pass_events WHERE campaign_id IS NOT NULL
    GROUP BY 1, 2, 3, 4
    """,
    """
    INSERT INTO organization_counters (organization_id, passes_with_devices)
    SELECT p.organization_id, count(*) FROM passes p
    WHERE EXISTS (SELECT 1 FROM registrations r WHERE r.pass_id = p.id)
    GROUP BY p.organization_id
    """,
]


def upgrade():
    op.create_table('event_day_counts',
    sa.Column('campaign_id', sa.String(length=36), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('device_os', sa.String(length=16), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('campaign_id', 'day', 'kind', 'device_os', name=op.f('pk_event_day_counts'))
    )
    op.create_table('organization_counters',
    sa.Column('organization_id', sa.String(length=36), nullable=False),
    sa.Column('passes_with_devices', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                            name=op.f('fk_organization_counters_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_organization_counters'))
    )
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_devices_push_token'), ['push_token'], unique=False)
    # Not batch: SQLite adds a column in place, where a copied table would drop the passes' triggers.
    op.add_column('passes', sa.Column('search_text', sa.Text(), nullable=True))
    postgresql = op.get_bind().dialect.name == 'postgresql'
    if postgresql:
        create_pg_trgm()
        # The back-fills and the triggers see the same rows: no write slips between.
        op.execute('LOCK TABLE pass_events, registrations, passes IN SHARE MODE')
    for statement in BACK_FILL:
        op.execute(statement.format(day='CAST(occurred_at AS date)' if postgresql else 'date(occurred_at)'))
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)
    for statement in POSTGRESQL_SEARCH_TEXT if postgresql else SQLITE_SEARCH_TEXT:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER passes_search_text ON passes')
        op.execute('DROP FUNCTION passes_search_text_write()')
        op.execute('DROP FUNCTION pass_search_text(text, text, jsonb, jsonb)')
        op.execute('DROP INDEX ix_passes_search_text_trigrams')
        op.execute('DROP TRIGGER passes_count_passes_with_devices ON passes')
        op.execute('DROP TRIGGER registrations_count_passes_on_delete ON registrations')
        op.execute('DROP TRIGGER registrations_count_passes_on_insert ON registrations')
        op.execute('DROP TRIGGER pass_events_count_per_day ON pass_events')
        for function in ('passes_with_devices_pass_deleted', 'passes_with_devices_unregistered',
                         'passes_with_devices_registered', 'event_day_counts_add'):
            op.execute(f'DROP FUNCTION {function}()')
    else:
        for trigger in ('passes_search_text_on_update', 'passes_search_text_on_insert',
                        'passes_count_passes_with_devices', 'registrations_count_passes_on_delete',
                        'registrations_count_passes_on_insert', 'pass_events_count_per_day'):
            op.execute(f'DROP TRIGGER {trigger}')
    # The extension stays: other objects of the database may use it, and dropping it needs a superuser.
    op.drop_column('passes', 'search_text')
    op.drop_table('organization_counters')
    op.drop_table('event_day_counts')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_devices_push_token'))
