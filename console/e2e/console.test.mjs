// The operator console against a real server (ops/console/check.sh starts one): every page the issue asks
// for, each role, and the stored-XSS account. No sleeps: every wait is on something the page shows, with a deadline.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

const base = process.env.LEDGER_API_URL;
const keys = {
  operator: process.env.LEDGER_API_OPERATOR_KEY,
  client: process.env.LEDGER_API_CLIENT_KEY,
  auditor: process.env.LEDGER_API_AUDITOR_KEY,
};
const shots = process.env.LEDGER_CONSOLE_SCREENSHOTS;
const WAIT_MS = 20_000;
const XSS = `<img src=x onerror="window.__pwned=1">`;

async function call(key, method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { "X-Api-Key": key, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

let browser;
let data;
const problems = [];

before(async () => {
  assert.ok(base && keys.operator && keys.client && keys.auditor, "start the API with ops/openapi/serve.sh (ops/console/check.sh does)");
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  const alice = await call(keys.client, "POST", "/accounts", { currency: "USD", name: "alice", initialBalance: 100_000 });
  const bob = await call(keys.client, "POST", "/accounts", { currency: "USD", name: "bob" });
  const evil = await call(keys.client, "POST", "/accounts", { currency: "USD", name: XSS });
  const paid = await call(keys.client, "POST", "/transfers", {
    fromAccountId: alice.id, toAccountId: evil.id, amount: 1234, currency: "USD",
    reference: `<script>window.__pwned=2</script>${XSS}`, metadata: { note: XSS },
  });
  await call(keys.client, "POST", "/transfers", { fromAccountId: alice.id, toAccountId: bob.id, amount: 2500, currency: "USD", reference: "invoice 42" });
  data = { alice, bob, evil, paid };
  if (shots) mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  assert.deepEqual(problems, [], "the pages logged no CSP violation or script error");
});

/** A fresh tab signed in with the role's key, through the sign-in page as a person would. */
async function signedIn(role, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on("pageerror", (e) => problems.push(`${role}: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of (4|5)\d\d/.test(m.text())) problems.push(`${role}: ${m.text()}`);
  });
  await page.goto(`${base}/console/`);
  await page.getByLabel("API key").fill(keys[role]);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("role").filter({ hasText: `Signed in as ${role}` }).waitFor({ timeout: WAIT_MS });
  return page;
}

async function shot(page, name) {
  if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
}

async function visit(page, hash, heading) {
  await page.evaluate((h) => { window.location.hash = h; }, hash);
  await page.getByRole("heading", { level: 1, name: heading }).waitFor({ timeout: WAIT_MS });
}

async function closeAll(page) {
  await page.context().close();
}

describe("operator console", () => {
  test("sign-in rejects an unknown key and shows each role what it may use", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/console/`);
    await shot(page, "signin");
    await page.getByLabel("API key").fill("not-a-key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "not known" }).waitFor({ timeout: WAIT_MS });
    await context.close();

    const expected = {
      operator: ["Overview", "Accounts", "Transfers", "Audit", "Reconciliations", "Projections"],
      auditor: ["Overview", "Accounts", "Transfers", "Audit", "Reconciliations", "Projections"],
      client: ["Overview", "Accounts", "Transfers"],
    };
    for (const role of ["operator", "auditor", "client"]) {
      const signed = await signedIn(role);
      const links = await signed.getByRole("navigation", { name: "Pages" }).getByRole("link").allTextContents();
      assert.deepEqual(links, expected[role], role);
      const stored = await signed.evaluate(() => ({ key: sessionStorage.getItem("ledger.console.key"), cookie: document.cookie, url: location.href }));
      assert.equal(stored.key, keys[role]);
      assert.equal(stored.cookie, "");
      assert.ok(!stored.url.includes(keys[role]), "the key is not in the URL");
      await closeAll(signed);
    }
  });

  test("a transfer appears in the overview counts", async () => {
    const page = await signedIn("operator");
    const counter = page.getByTestId("committed-15m");
    await counter.waitFor({ timeout: WAIT_MS });
    const before = Number(await counter.textContent());
    await call(keys.client, "POST", "/transfers", { fromAccountId: data.alice.id, toAccountId: data.bob.id, amount: 100, currency: "USD" });
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="committed-15m"]')?.textContent) > n, before, { timeout: WAIT_MS });
    await page.locator("[data-chart=transfers] canvas").waitFor({ timeout: WAIT_MS });
    await page.getByText(/^● ready$/).waitFor({ timeout: WAIT_MS });
    await shot(page, "overview");
    await closeAll(page);
  });

  test("the accounts list pages and an account shows its balance and history", async () => {
    const page = await signedIn("auditor");
    await visit(page, "#/accounts", "Accounts");
    await page.getByTestId("accounts").waitFor({ timeout: WAIT_MS });
    await page.getByLabel("Currency").selectOption("USD");
    await page.getByTestId("accounts").getByRole("link").first().waitFor({ timeout: WAIT_MS });
    await shot(page, "accounts");
    await page.getByLabel("Account id").fill(data.alice.id);
    await page.getByRole("button", { name: "Open" }).click();
    await page.getByTestId("account-name").filter({ hasText: "alice" }).waitFor({ timeout: WAIT_MS });
    await page.getByTestId("history").getByText("invoice 42").waitFor({ timeout: WAIT_MS });
    assert.match(await page.getByTestId("balance").textContent(), /USD$/);
    assert.equal(await page.getByRole("button", { name: "Freeze" }).count(), 0, "an auditor sees no freeze");
    await shot(page, "account");
    await closeAll(page);
  });

  test("an operator freezes and unfreezes an account after confirming", async () => {
    const page = await signedIn("operator");
    await visit(page, `#/accounts/${data.bob.id}`, "Account");
    await page.getByRole("button", { name: "Freeze" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    assert.equal(await page.getByTestId("account-status").textContent(), "active", "cancel changes nothing");
    await page.getByRole("button", { name: "Freeze" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Freeze" }).click();
    await page.getByTestId("account-status").filter({ hasText: "frozen" }).waitFor({ timeout: WAIT_MS });
    await page.getByRole("button", { name: "Unfreeze" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Unfreeze" }).click();
    await page.getByTestId("account-status").filter({ hasText: "active" }).waitFor({ timeout: WAIT_MS });
    await closeAll(page);
  });

  test("a hold is placed, shown pending and posted in part", async () => {
    const page = await signedIn("client");
    await visit(page, "#/transfers", "Transfers");
    await page.getByLabel("From account id").fill(data.alice.id);
    await page.getByLabel("To account id").fill(data.bob.id);
    await page.getByLabel("Amount (minor units)").fill("700");
    await page.getByLabel("Reference").fill("card authorisation");
    await page.getByLabel(/Hold only/).check();
    await page.getByLabel("Expires after (seconds)").fill("3600");
    await page.getByRole("button", { name: "Create" }).click();
    await page.getByTestId("transfer-status").filter({ hasText: "pending" }).waitFor({ timeout: WAIT_MS });
    const hold = page.url();
    await shot(page, "transfer-hold");
    await visit(page, `#/accounts/${data.alice.id}`, "Account");
    await page.getByTestId("holds").getByText("card authorisation").waitFor({ timeout: WAIT_MS });
    await page.goto(hold);
    await page.getByTestId("transfer-status").filter({ hasText: "pending" }).waitFor({ timeout: WAIT_MS });
    await page.getByLabel("Amount to post (minor units)").fill("400");
    await page.getByRole("button", { name: "Post", exact: true }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Post" }).click();
    await page.getByTestId("transfer-status").filter({ hasText: "posted" }).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.getByTestId("posted-amount").textContent(), "400 USD");
    await closeAll(page);
  });

  test("a reconciliation runs, its report opens and the list shows it", async () => {
    const page = await signedIn("auditor");
    await visit(page, "#/reconciliations", "Reconciliations");
    await page.getByRole("button", { name: "Run reconciliation" }).click();
    await page.getByTestId("report-verdict").filter({ hasText: "Balanced" }).waitFor({ timeout: WAIT_MS });
    await page.getByTestId("totals").getByRole("cell", { name: "USD", exact: true }).waitFor({ timeout: WAIT_MS });
    await page.getByTestId("mismatches").waitFor({ timeout: WAIT_MS });
    const id = page.url().split("/").pop();
    await shot(page, "reconciliation-report");
    await visit(page, "#/reconciliations", "Reconciliations");
    await page.getByTestId("reports").getByRole("link", { name: id.slice(0, 8) }).click();
    await page.getByTestId("report-verdict").waitFor({ timeout: WAIT_MS });
    await visit(page, "#/reconciliations", "Reconciliations");
    await page.getByTestId("reports").waitFor({ timeout: WAIT_MS });
    await shot(page, "reconciliations");
    await closeAll(page);
  });

  test("the audit chain verifies and the entries page", async () => {
    const page = await signedIn("auditor");
    await visit(page, "#/audit", "Audit");
    await page.getByTestId("audit").waitFor({ timeout: WAIT_MS });
    await page.getByRole("button", { name: "Verify chain" }).click();
    const result = page.getByTestId("verify-result");
    await result.getByText("The chain is intact").waitFor({ timeout: WAIT_MS });
    assert.match(await result.textContent(), /First invalid sequencenone/);
    await shot(page, "audit");
    await closeAll(page);
  });

  test("a rebuild starts and its progress bar runs to the end", async () => {
    const page = await signedIn("operator");
    await visit(page, "#/projections", "Projections");
    await page.getByTestId("projections").waitFor({ timeout: WAIT_MS });
    await page.getByRole("button", { name: "Rebuild transactions" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Rebuild" }).click();
    await page.getByTestId("job-transactions").filter({ hasText: /^succeeded/ }).waitFor({ timeout: 60_000 });
    const bar = page.getByRole("progressbar", { name: "Rebuild of transactions" });
    assert.equal(await bar.evaluate((p) => p.value === p.max), true);
    await shot(page, "projections");
    await closeAll(page);
  });

  test("an account named with markup shows it literally and runs no script", async () => {
    const page = await signedIn("operator");
    await visit(page, `#/accounts/${data.evil.id}`, "Account");
    await page.getByTestId("account-name").waitFor({ timeout: WAIT_MS });
    assert.equal(await page.getByTestId("account-name").textContent(), XSS);
    await page.getByTestId("history").waitFor({ timeout: WAIT_MS });
    assert.ok((await page.getByTestId("history").textContent()).includes(data.paid.reference));
    await shot(page, "account-xss");
    await visit(page, `#/transfers/${data.paid.id}`, "Transfers");
    await page.getByTestId("reference").waitFor({ timeout: WAIT_MS });
    assert.equal(await page.getByTestId("reference").textContent(), data.paid.reference);
    assert.ok((await page.getByTestId("metadata").textContent()).includes(XSS));
    await visit(page, "#/audit", "Audit");
    await page.getByTestId("audit").waitFor({ timeout: WAIT_MS });
    const injected = await page.evaluate(() => ({ pwned: window.__pwned, imgs: document.querySelectorAll("main img, main script").length }));
    assert.deepEqual(injected, { pwned: undefined, imgs: 0 });
    await closeAll(page);
  });

  test("the console is usable at phone width", async () => {
    const page = await signedIn("operator", { width: 390, height: 844 });
    await visit(page, `#/accounts/${data.alice.id}`, "Account");
    await page.getByTestId("history").waitFor({ timeout: WAIT_MS });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
    await shot(page, "phone-account");
    await closeAll(page);
  });
});
