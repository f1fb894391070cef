namespace Ledger.Projections.Schema;

/// <summary>
/// The ledger's own tables beside Marten's (which Marten creates and upgrades itself). Applied versions
/// never change; add new ones.
/// </summary>
public static class LedgerMigrations
{
    public const string Module = "ledger";

    // Snapshots (write side) and balances (read side) share one shape: the state of an account after its
    // last applied event. The CHECK is the database's own guard against an overdraft the code let through.
    private const string AccountStateColumns = """
            id              uuid        PRIMARY KEY,
            currency        text        NOT NULL,
            name            text,
            status          text        NOT NULL,
            allow_negative  boolean     NOT NULL,
            is_settlement   boolean     NOT NULL,
            balance         bigint      NOT NULL,
            version         bigint      NOT NULL,
            opened_at       timestamptz NOT NULL,
            debit_day       date        NOT NULL,
            debited_on_day  bigint      NOT NULL,
            opened_seq      bigint      NOT NULL,
            last_seq        bigint      NOT NULL,
            CHECK (allow_negative OR balance >= 0)
        """;

    public static IReadOnlyList<Migration> All { get; } =
    [
        new(Module, 1, "snapshots, commands, audit, balances, transactions", $$"""
            CREATE TABLE {schema}.account_snapshots ({{AccountStateColumns}});
            CREATE UNIQUE INDEX account_snapshots_settlement ON {schema}.account_snapshots (currency) WHERE is_settlement;

            CREATE TABLE {schema}.commands (
                id           uuid        PRIMARY KEY,
                operation    text        NOT NULL,
                request_hash bytea       NOT NULL,
                status_code  int,
                response     jsonb,
                created_at   timestamptz NOT NULL
            );

            CREATE TABLE {schema}.audit_head (
                id        int    PRIMARY KEY CHECK (id = 1),
                sequence  bigint NOT NULL,
                hash      text   NOT NULL
            );
            INSERT INTO {schema}.audit_head VALUES (1, 0, repeat('0', 64));

            CREATE TABLE {schema}.audit_entries (
                sequence       bigint      PRIMARY KEY,
                at             timestamptz NOT NULL,
                actor          text        NOT NULL,
                operation      text        NOT NULL,
                subject_ids    uuid[]      NOT NULL,
                outcome        text        NOT NULL,
                code           text,
                detail         text        NOT NULL,
                previous_hash  text        NOT NULL,
                hash           text        NOT NULL
            );
            CREATE INDEX audit_entries_subjects ON {schema}.audit_entries USING gin (subject_ids);

            CREATE TABLE {schema}.balances ({{AccountStateColumns}});
            CREATE INDEX balances_listing ON {schema}.balances (opened_seq);

            CREATE TABLE {schema}.transactions (
                account_id       uuid        NOT NULL,
                version          bigint      NOT NULL,
                transfer_id      uuid        NOT NULL,
                direction        text        NOT NULL,
                amount           bigint      NOT NULL,
                counterparty_id  uuid        NOT NULL,
                balance_after    bigint      NOT NULL,
                reference        text,
                timestamp        timestamptz NOT NULL,
                PRIMARY KEY (account_id, version)
            );
            """),
        new(Module, 2, "reconciliation reports", """
            CREATE TABLE {schema}.reconciliations (
                id                uuid        PRIMARY KEY,
                as_of             timestamptz,
                started_at        timestamptz NOT NULL,
                events_replayed   bigint      NOT NULL,
                accounts_checked  bigint      NOT NULL,
                mismatches        jsonb       NOT NULL,
                totals            jsonb       NOT NULL,
                leg_problems      jsonb       NOT NULL,
                balanced          boolean     NOT NULL,
                duration_ms       bigint      NOT NULL
            );
            """),
        new(Module, 3, "operator jobs", """
            CREATE TABLE {schema}.jobs (
                id                uuid        PRIMARY KEY,
                kind              text        NOT NULL,
                status            text        NOT NULL,
                processed_events  bigint      NOT NULL DEFAULT 0,
                total_events      bigint      NOT NULL DEFAULT 0,
                started_at        timestamptz NOT NULL,
                finished_at       timestamptz,
                error             text
            );
            CREATE INDEX jobs_running ON {schema}.jobs (kind) WHERE status = 'running';
            """),
        new(Module, 4, "projection faults", """
            CREATE TABLE {schema}.projection_faults (
                name      text        PRIMARY KEY,
                error     text        NOT NULL,
                sequence  bigint      NOT NULL,
                at        timestamptz NOT NULL
            );
            """),
        // Jobs run as Wolverine messages from here on: a row still running now belongs to a process of
        // the version before, which ran its jobs in memory, so it can never finish.
        new(Module, 5, "durable jobs", """
            UPDATE {schema}.jobs SET status = 'failed', finished_at = now(),
                   error = 'abandoned: the process running it stopped before it finished; the live view was left as it was'
             WHERE status = 'running';
            DROP INDEX {schema}.jobs_running;
            CREATE UNIQUE INDEX jobs_one_running ON {schema}.jobs (kind) WHERE status = 'running';
            CREATE TABLE {schema}.daily_reconciliations (
                day        date        PRIMARY KEY,
                due_at     timestamptz NOT NULL,
                report_id  uuid
            );
            """),
        // Two-phase transfers: each account's pending totals, and the write side's state of every hold
        // (folded from the hold's own stream in the same transaction, as account_snapshots is).
        new(Module, 6, "holds", """
            ALTER TABLE {schema}.account_snapshots
                ADD COLUMN pending_debits bigint NOT NULL DEFAULT 0, ADD COLUMN pending_credits bigint NOT NULL DEFAULT 0,
                ADD CHECK (allow_negative OR balance - pending_debits >= 0);
            ALTER TABLE {schema}.balances
                ADD COLUMN pending_debits bigint NOT NULL DEFAULT 0, ADD COLUMN pending_credits bigint NOT NULL DEFAULT 0;
            CREATE TABLE {schema}.holds (
                transfer_id       uuid        PRIMARY KEY,
                from_account_id   uuid        NOT NULL,
                to_account_id     uuid        NOT NULL,
                amount            bigint      NOT NULL,
                currency          text        NOT NULL,
                reference         text,
                metadata          jsonb,
                expires_at        timestamptz,
                placed_at         timestamptz NOT NULL,
                status            text        NOT NULL,
                requested_post    bigint,
                posted_amount     bigint,
                version           bigint      NOT NULL,
                last_seq          bigint      NOT NULL
            );
            CREATE INDEX holds_pending_expiry ON {schema}.holds (expires_at) WHERE status = 'pending' AND expires_at IS NOT NULL;
            CREATE INDEX holds_from ON {schema}.holds (from_account_id) WHERE status = 'pending';
            CREATE INDEX holds_to ON {schema}.holds (to_account_id) WHERE status = 'pending';
            """),
        // Reports from before holds had nothing pending.
        new(Module, 7, "pending totals in reconciliation reports", """
            ALTER TABLE {schema}.reconciliations ADD COLUMN pending jsonb NOT NULL DEFAULT '{}';
            """),
        // With GIN's pending list on, the insert that finds the list full (4 MB: every ~16 s at 2,800
        // transfers/s) merges it into the index itself, inside the writer's critical section: the log
        // stopped growing for 280-300 ms each time (pg_stat_activity sampled every 20 ms, benchmarks.md
        // "Issue 15, the next night"). Each entry now updates the index directly.
        new(Module, 8, "audit subjects index without a pending list", """
            ALTER INDEX {schema}.audit_entries_subjects SET (fastupdate = off);
            SELECT gin_clean_pending_list('{schema}.audit_entries_subjects'::regclass);
            """),
    ];
}
