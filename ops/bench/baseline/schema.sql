-- The naive baseline of ops/bench: the design that seed 002 describes, written for this benchmark
-- from the seed's description (it shows only the Python caller, not the SQL):
--   * accounts(id, balance, version): mutable balances, a version column for optimistic locking;
--   * transfer_money(from, to, amount[, user]) in PL/pgSQL, run at SERIALIZABLE: reads both accounts,
--     checks funds, updates each balance guarded by the version it read (a mismatch is a
--     "version conflict" that the caller retries, at most 3 tries), inserts one transactions row and
--     one audit row, returns the transaction id;
--   * constraints instead of application checks (balance >= 0, amount > 0, foreign keys).
-- Amounts are numeric with two decimals, as in the seed (Python Decimal, 0.01 tolerance).
-- Lives in its own schema "naive" of the benchmark database; psql -v naccounts=N sets the size.
-- transfer_money_locked, below, is the READ COMMITTED + ordered FOR UPDATE variant over the same tables.

\set ON_ERROR_STOP on
SET client_min_messages = warning;

DROP SCHEMA IF EXISTS naive CASCADE;
CREATE SCHEMA naive;

CREATE TABLE naive.accounts (
    account_id  bigint        PRIMARY KEY,
    balance     numeric(20,2) NOT NULL CHECK (balance >= 0),
    currency    char(3)       NOT NULL DEFAULT 'USD',
    version     bigint        NOT NULL DEFAULT 0,
    updated_at  timestamptz   NOT NULL DEFAULT now()
);

CREATE TABLE naive.transactions (
    transaction_id   bigserial     PRIMARY KEY,
    from_account_id  bigint        NOT NULL REFERENCES naive.accounts (account_id),
    to_account_id    bigint        NOT NULL REFERENCES naive.accounts (account_id),
    amount           numeric(20,2) NOT NULL CHECK (amount > 0),
    status           text          NOT NULL CHECK (status IN ('success', 'failed')),
    created_at       timestamptz   NOT NULL DEFAULT now(),
    completed_at     timestamptz
);
-- The seed's history query filters on either side and sorts by time.
CREATE INDEX transactions_from_idx ON naive.transactions (from_account_id, created_at);
CREATE INDEX transactions_to_idx   ON naive.transactions (to_account_id, created_at);

CREATE TABLE naive.audit_log (
    audit_id        bigserial   PRIMARY KEY,
    transaction_id  bigint      NOT NULL REFERENCES naive.transactions (transaction_id),
    user_id         bigint      NOT NULL,
    action          text        NOT NULL,
    details         jsonb       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION naive.transfer_money(p_from bigint, p_to bigint, p_amount numeric, p_user_id bigint DEFAULT 0)
RETURNS bigint
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_from_balance  numeric;
    v_from_version  bigint;
    v_to_version    bigint;
    v_tx            bigint;
BEGIN
    -- The design runs at SERIALIZABLE; refuse to measure anything else.
    IF current_setting('transaction_isolation') <> 'serializable' THEN
        RAISE EXCEPTION 'transfer_money must run at SERIALIZABLE, not %', current_setting('transaction_isolation');
    END IF;
    IF p_amount <= 0 OR p_from = p_to THEN
        RAISE EXCEPTION 'invalid transfer % -> % of %', p_from, p_to, p_amount USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- Read both accounts and remember the versions seen (no row locks: optimistic).
    SELECT balance, version INTO v_from_balance, v_from_version FROM naive.accounts WHERE account_id = p_from;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'account % not found', p_from USING ERRCODE = 'no_data_found';
    END IF;
    SELECT version INTO v_to_version FROM naive.accounts WHERE account_id = p_to;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'account % not found', p_to USING ERRCODE = 'no_data_found';
    END IF;

    IF v_from_balance < p_amount THEN
        -- A business rejection is recorded, not raised: nothing moves.
        INSERT INTO naive.transactions (from_account_id, to_account_id, amount, status, completed_at)
        VALUES (p_from, p_to, p_amount, 'failed', now())
        RETURNING transaction_id INTO v_tx;
        INSERT INTO naive.audit_log (transaction_id, user_id, action, details)
        VALUES (v_tx, p_user_id, 'transfer_rejected',
                jsonb_build_object('from', p_from, 'to', p_to, 'amount', p_amount, 'reason', 'insufficient_funds'));
        RETURN v_tx;
    END IF;

    -- Debit, then credit, each only if nobody changed the row since we read it.
    UPDATE naive.accounts
       SET balance = balance - p_amount, version = version + 1, updated_at = now()
     WHERE account_id = p_from AND version = v_from_version;
    IF NOT FOUND THEN
        -- 40001, so the caller (pgbench --max-tries, like the seed's retry loop) retries it.
        RAISE EXCEPTION '版本冲突 (version conflict) on account %', p_from USING ERRCODE = 'serialization_failure';
    END IF;
    UPDATE naive.accounts
       SET balance = balance + p_amount, version = version + 1, updated_at = now()
     WHERE account_id = p_to AND version = v_to_version;
    IF NOT FOUND THEN
        RAISE EXCEPTION '版本冲突 (version conflict) on account %', p_to USING ERRCODE = 'serialization_failure';
    END IF;

    INSERT INTO naive.transactions (from_account_id, to_account_id, amount, status, completed_at)
    VALUES (p_from, p_to, p_amount, 'success', now())
    RETURNING transaction_id INTO v_tx;
    INSERT INTO naive.audit_log (transaction_id, user_id, action, details)
    VALUES (v_tx, p_user_id, 'transfer',
            jsonb_build_object('from', p_from, 'to', p_to, 'amount', p_amount));
    RETURN v_tx;
END
$fn$;

-- The same design with pessimistic locks instead of version checks (issue 15): at READ COMMITTED, both
-- accounts are locked in id order with one SELECT ... FOR UPDATE, so two transfers over the same pair
-- wait for each other instead of failing, and the fixed order leaves no cycle to deadlock on. The
-- version column is still kept up to date, as the naive design's readers expect.
CREATE FUNCTION naive.transfer_money_locked(p_from bigint, p_to bigint, p_amount numeric, p_user_id bigint DEFAULT 0)
RETURNS bigint
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_row           record;
    v_locked        int := 0;
    v_from_balance  numeric;
    v_tx            bigint;
BEGIN
    -- Above READ COMMITTED the locks would still be taken, but a changed row would fail (40001) instead of
    -- being waited for: that is the other design, measured on its own.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'transfer_money_locked must run at READ COMMITTED, not %', current_setting('transaction_isolation');
    END IF;
    IF p_amount <= 0 OR p_from = p_to THEN
        RAISE EXCEPTION 'invalid transfer % -> % of %', p_from, p_to, p_amount USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- A row that another transfer held is re-read once its lock is released, so the balance is current.
    FOR v_row IN SELECT account_id, balance FROM naive.accounts WHERE account_id IN (p_from, p_to) ORDER BY account_id FOR UPDATE LOOP
        v_locked := v_locked + 1;
        IF v_row.account_id = p_from THEN
            v_from_balance := v_row.balance;
        END IF;
    END LOOP;
    IF v_locked <> 2 THEN
        RAISE EXCEPTION 'account % or % not found', p_from, p_to USING ERRCODE = 'no_data_found';
    END IF;

    IF v_from_balance < p_amount THEN
        INSERT INTO naive.transactions (from_account_id, to_account_id, amount, status, completed_at)
        VALUES (p_from, p_to, p_amount, 'failed', now())
        RETURNING transaction_id INTO v_tx;
        INSERT INTO naive.audit_log (transaction_id, user_id, action, details)
        VALUES (v_tx, p_user_id, 'transfer_rejected',
                jsonb_build_object('from', p_from, 'to', p_to, 'amount', p_amount, 'reason', 'insufficient_funds'));
        RETURN v_tx;
    END IF;

    UPDATE naive.accounts SET balance = balance - p_amount, version = version + 1, updated_at = now() WHERE account_id = p_from;
    UPDATE naive.accounts SET balance = balance + p_amount, version = version + 1, updated_at = now() WHERE account_id = p_to;

    INSERT INTO naive.transactions (from_account_id, to_account_id, amount, status, completed_at)
    VALUES (p_from, p_to, p_amount, 'success', now())
    RETURNING transaction_id INTO v_tx;
    INSERT INTO naive.audit_log (transaction_id, user_id, action, details)
    VALUES (v_tx, p_user_id, 'transfer',
            jsonb_build_object('from', p_from, 'to', p_to, 'amount', p_amount));
    RETURN v_tx;
END
$fn$;

-- Every account starts with 10,000,000.00, as the API's accounts do (1e9 minor units).
INSERT INTO naive.accounts (account_id, balance)
SELECT g, 10000000.00 FROM generate_series(1, :naccounts) AS g;
ANALYZE naive.accounts;
