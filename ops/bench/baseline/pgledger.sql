-- pgledger's design (issue 15), for ops/bench: a double-entry ledger kept in PostgreSQL by one function.
-- Written for this benchmark from the design pgledger publishes (its README and its author's article
-- "Ledger Implementation in PostgreSQL"); no code of it is copied:
--   * accounts carry a balance, a version that counts the entries posted to them, a currency and flags
--     that say whether the balance may go below or above zero;
--   * a transfer is one row, and each side of it one entry row that records the account's version and its
--     balance before and after: the entries are the ledger, the balance is their running total;
--   * create_transfer(from, to, amount) locks both accounts in id order (no deadlock between two transfers
--     over the same pair), checks currencies and the balance rules, updates both balances and inserts the
--     transfer and its two entries, at the default READ COMMITTED.
-- Differences, all in the peer's favour: bigint keys (pgbench draws integers) instead of prefixed ULIDs
-- made in PL/pgSQL, and no metadata columns.
-- Lives in schema pgledger of the benchmark database; psql -v naccounts=N sets the number of accounts.

\set ON_ERROR_STOP on
SET client_min_messages = warning;

DROP SCHEMA IF EXISTS pgledger CASCADE;
CREATE SCHEMA pgledger;

CREATE TABLE pgledger.accounts (
    id                      bigint      PRIMARY KEY,
    name                    text        NOT NULL,
    currency                text        NOT NULL,
    balance                 numeric     NOT NULL DEFAULT 0,
    version                 bigint      NOT NULL DEFAULT 0,
    allow_negative_balance  boolean     NOT NULL,
    allow_positive_balance  boolean     NOT NULL,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pgledger.transfers (
    id               bigserial   PRIMARY KEY,
    from_account_id  bigint      NOT NULL REFERENCES pgledger.accounts (id),
    to_account_id    bigint      NOT NULL REFERENCES pgledger.accounts (id),
    amount           numeric     NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (amount > 0 AND from_account_id <> to_account_id)
);
CREATE INDEX transfers_from_idx ON pgledger.transfers (from_account_id);
CREATE INDEX transfers_to_idx   ON pgledger.transfers (to_account_id);

CREATE TABLE pgledger.entries (
    id                        bigserial   PRIMARY KEY,
    account_id                bigint      NOT NULL REFERENCES pgledger.accounts (id),
    transfer_id               bigint      NOT NULL REFERENCES pgledger.transfers (id),
    amount                    numeric     NOT NULL,
    account_previous_balance  numeric     NOT NULL,
    account_current_balance   numeric     NOT NULL,
    account_version           bigint      NOT NULL,
    created_at                timestamptz NOT NULL DEFAULT now()
);
-- An account's history is read by version; the unique index also refuses two entries at one version.
CREATE UNIQUE INDEX entries_account_version_idx ON pgledger.entries (account_id, account_version);
CREATE INDEX entries_transfer_idx ON pgledger.entries (transfer_id);

CREATE FUNCTION pgledger.create_transfer(p_from bigint, p_to bigint, p_amount numeric)
RETURNS bigint
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_row       record;
    v_locked    int := 0;
    v_currency  text;
    v_transfer  bigint;
    v_previous  numeric;
    v_current   numeric;
    v_version   bigint;
    v_allowed   boolean;
BEGIN
    IF p_amount <= 0 OR p_from = p_to THEN
        RAISE EXCEPTION 'invalid transfer % -> % of %', p_from, p_to, p_amount USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- Both rows, in id order, before either balance is read or written.
    FOR v_row IN SELECT id, currency FROM pgledger.accounts WHERE id IN (p_from, p_to) ORDER BY id FOR UPDATE LOOP
        v_locked := v_locked + 1;
        IF v_currency IS NOT NULL AND v_row.currency <> v_currency THEN
            RAISE EXCEPTION 'accounts % and % hold different currencies', p_from, p_to USING ERRCODE = 'check_violation';
        END IF;
        v_currency := v_row.currency;
    END LOOP;
    IF v_locked <> 2 THEN
        RAISE EXCEPTION 'account % or % not found', p_from, p_to USING ERRCODE = 'no_data_found';
    END IF;

    INSERT INTO pgledger.transfers (from_account_id, to_account_id, amount)
    VALUES (p_from, p_to, p_amount)
    RETURNING id INTO v_transfer;

    -- A broken balance rule raises, so the whole transfer rolls back: nothing is half posted.
    UPDATE pgledger.accounts
       SET balance = balance - p_amount, version = version + 1, updated_at = now()
     WHERE id = p_from
    RETURNING balance + p_amount, balance, version, allow_negative_balance
      INTO v_previous, v_current, v_version, v_allowed;
    IF v_current < 0 AND NOT v_allowed THEN
        RAISE EXCEPTION 'account % cannot go below zero', p_from USING ERRCODE = 'check_violation';
    END IF;
    INSERT INTO pgledger.entries (account_id, transfer_id, amount, account_previous_balance, account_current_balance, account_version)
    VALUES (p_from, v_transfer, -p_amount, v_previous, v_current, v_version);

    UPDATE pgledger.accounts
       SET balance = balance + p_amount, version = version + 1, updated_at = now()
     WHERE id = p_to
    RETURNING balance - p_amount, balance, version, allow_positive_balance
      INTO v_previous, v_current, v_version, v_allowed;
    IF v_current > 0 AND NOT v_allowed THEN
        RAISE EXCEPTION 'account % cannot go above zero', p_to USING ERRCODE = 'check_violation';
    END IF;
    INSERT INTO pgledger.entries (account_id, transfer_id, amount, account_previous_balance, account_current_balance, account_version)
    VALUES (p_to, v_transfer, p_amount, v_previous, v_current, v_version);

    RETURN v_transfer;
END
$fn$;

-- Customer accounts: 10,000,000.00 USD each (as the API's 1e9 minor units), never below zero.
INSERT INTO pgledger.accounts (id, name, currency, balance, allow_negative_balance, allow_positive_balance)
SELECT g, 'bench-' || g, 'USD', 10000000.00, false, true FROM generate_series(1, :naccounts) AS g;
ANALYZE pgledger.accounts;
