namespace Ledger.EventStore.Schema;

/// <summary>The event store's own tables. Later versions append to the list; applied ones never change.</summary>
public static class EventStoreMigrations
{
    public const string Module = "eventstore";

    public static IReadOnlyList<Migration> All { get; } =
    [
        new(Module, 1, "streams, events and projection progress", """
            CREATE TABLE {schema}.streams (
                id          uuid        PRIMARY KEY,
                type        text        NOT NULL,
                version     bigint      NOT NULL CHECK (version >= 0),
                created_at  timestamptz NOT NULL,
                updated_at  timestamptz NOT NULL,
                archived    boolean     NOT NULL DEFAULT false
            );

            CREATE TABLE {schema}.events (
                seq         bigserial   PRIMARY KEY,
                id          uuid        NOT NULL,
                stream_id   uuid        NOT NULL REFERENCES {schema}.streams (id),
                version     bigint      NOT NULL CHECK (version >= 1),
                type        text        NOT NULL,
                data        jsonb       NOT NULL,
                metadata    jsonb       NOT NULL,
                timestamp   timestamptz NOT NULL,
                tx_id       bigint      NOT NULL,
                CONSTRAINT events_id_unique UNIQUE (id),
                CONSTRAINT events_stream_version_unique UNIQUE (stream_id, version)
            );
            CREATE INDEX events_tx_seq ON {schema}.events (tx_id, seq);

            CREATE TABLE {schema}.event_progression (
                name            text        PRIMARY KEY,
                tx_id           bigint      NOT NULL DEFAULT 0,
                seq             bigint      NOT NULL DEFAULT 0,
                status          text        NOT NULL DEFAULT 'running',
                last_error      text,
                error_tx_id     bigint,
                error_seq       bigint,
                last_event_at   timestamptz,
                updated_at      timestamptz NOT NULL DEFAULT now()
            );
            """),
    ];
}
