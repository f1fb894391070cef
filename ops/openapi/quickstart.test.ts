// The README's quick start (open two accounts, transfer, read the balance and the history), through a
// client generated from the running server's /openapi/v1.json by openapi-typescript and openapi-fetch.
// ops/openapi/check.sh generates generated/ledger.d.ts, type-checks this file against it, then runs it.
import { test } from "node:test";
import assert from "node:assert/strict";
import createClient from "openapi-fetch";
import type { paths } from "./generated/ledger.js";

const baseUrl = process.env.LEDGER_API_URL;
const key = process.env.LEDGER_API_CLIENT_KEY;
if (!baseUrl || !key) throw new Error("LEDGER_API_URL and LEDGER_API_CLIENT_KEY must be set (ops/openapi/check.sh sets them).");

const ledger = createClient<paths>({ baseUrl, headers: { "X-Api-Key": key } });

test("the quick start runs through the generated client: two accounts, a transfer, a balance and a history", async () => {
  const alice = await ledger.POST("/accounts", { body: { currency: "USD", name: "alice", initialBalance: 10000 } });
  assert.equal(alice.response.status, 201, JSON.stringify(alice.error));
  const bob = await ledger.POST("/accounts", { body: { currency: "USD", name: "bob" } });
  assert.equal(bob.response.status, 201, JSON.stringify(bob.error));
  const a = alice.data!.id;
  const b = bob.data!.id;

  const transfer = await ledger.POST("/transfers", {
    body: { fromAccountId: a, toAccountId: b, amount: 2500, currency: "USD", reference: "invoice 42" },
  });
  assert.equal(transfer.response.status, 201, JSON.stringify(transfer.error));
  assert.equal(transfer.data!.status, "completed");

  const balance = await ledger.GET("/accounts/{id}/balance", { params: { path: { id: b } } });
  assert.equal(balance.response.status, 200, JSON.stringify(balance.error));
  assert.equal(balance.data!.balance, 2500);

  const history = await ledger.GET("/accounts/{id}/transactions", { params: { path: { id: a } } });
  assert.equal(history.response.status, 200, JSON.stringify(history.error));
  const newest = history.data!.items[0];
  assert.equal(newest.transferId, transfer.data!.id);
  assert.equal(newest.direction, "debit");
  assert.equal(newest.amount, 2500);
  assert.equal(newest.balanceAfter, 7500);
});

test("a problem answer comes back typed, with its contract code", async () => {
  const missing = await ledger.GET("/transfers/{id}", { params: { path: { id: "00000000-0000-7000-8000-000000000000" } } });
  assert.equal(missing.response.status, 404);
  assert.equal((missing.error as { code?: string } | undefined)?.code, "not_found");
});
