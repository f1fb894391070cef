import { api, type Report } from "../api";
import { facts, field, h, money, replace, route, table } from "../dom";
import type { Page } from "../main";
import { load, problemBox, when } from "./common";

export const renderReconciliations: Page = (main) => {
  const asOf = h("input", { type: "datetime-local", name: "asOf", step: "1" });
  const message = h("div", { "aria-live": "polite" });
  const running = h("button", { type: "submit" }, "Run reconciliation");
  const list = h("div");
  const run = h(
    "form",
    {
      class: "card",
      "aria-labelledby": "run-h",
      onsubmit: async (event) => {
        event.preventDefault();
        running.disabled = true;
        message.replaceChildren(h("p", { class: "muted" }, "Replaying the event log…"));
        try {
          // datetime-local has no zone: the operator enters UTC, as every time in the console is shown.
          const body = asOf.value ? { asOf: new Date(`${asOf.value}Z`).toISOString() } : {};
          const report = await api.post<Report>("/admin/reconciliations", body);
          window.location.hash = route("reconciliations", report.id);
        } catch (e) {
          message.replaceChildren(problemBox(e));
        } finally {
          running.disabled = false;
        }
      },
    },
    h("h2", { id: "run-h" }, "Run one"),
    field("As of (UTC, optional)", asOf, "Empty: the whole log, now."),
    running,
    message,
  );
  replace(main, h("h1", {}, "Reconciliations"), run, h("h2", {}, "Latest reports"), list);
  void load(list, async () => {
    const { items } = await api.get<{ items: Report[] }>("/admin/reconciliations?limit=25");
    if (items.length === 0) return [h("p", {}, "No reconciliation has run yet.")];
    return [
      table("Reports, newest first", ["Report", "As of", "Balanced", "Mismatches", "Events", "Accounts", "Duration"],
        items.map((r) => [
          h("a", { href: route("reconciliations", r.id) }, r.id.slice(0, 8)),
          when(r.asOf),
          h("span", { class: `badge ${r.balanced ? "ok" : "bad"}` }, r.balanced ? "balanced" : "NOT balanced"),
          r.mismatches.length,
          r.eventsReplayed.toLocaleString("en-US"),
          r.accountsChecked.toLocaleString("en-US"),
          `${r.durationMs} ms`,
        ]), "reports"),
    ];
  });
};

export const renderReconciliation: Page = (main, _role, [id]) => {
  const body = h("div");
  replace(main, h("p", {}, h("a", { href: route("reconciliations") }, "← Reconciliations")), h("h1", {}, "Reconciliation report"), body);
  void load(body, async () => {
    const r = await api.get<Report>(`/admin/reconciliations/${encodeURIComponent(id)}`);
    const currencies = [...new Set([...Object.keys(r.totalsByCurrency), ...Object.keys(r.pendingByCurrency)])].sort();
    return [
      h("div", { class: `card ${r.balanced ? "good" : "alarm"}`, "data-testid": "report" },
        h("h2", { "data-testid": "report-verdict" }, r.balanced ? "Balanced" : "Not balanced"),
        facts([
          ["Report", h("code", {}, r.id)],
          ["As of", when(r.asOf)],
          ["Started", when(r.startedAt)],
          ["Events replayed", r.eventsReplayed.toLocaleString("en-US")],
          ["Accounts checked", r.accountsChecked.toLocaleString("en-US")],
          ["Duration", `${r.durationMs} ms`],
        ])),
      table("Totals by currency (each must be 0)", ["Currency", "Sum of balances", "Pending debits − credits"],
        currencies.map((c) => [c, money(r.totalsByCurrency[c] ?? 0, c), money(r.pendingByCurrency[c] ?? 0, c)]), "totals"),
      r.mismatches.length === 0
        ? h("p", { "data-testid": "mismatches" }, "No mismatches: every projected balance equals the replayed one.")
        : table("Mismatches", ["Account", "Projected", "Replayed", "Where"],
          r.mismatches.map((m) => [h("a", { href: route("accounts", m.accountId) }, m.accountId), m.projected, m.replayed, m.source ?? "—"]), "mismatches"),
    ];
  });
};
