import { api, type AuditPage, type Verification } from "../api";
import { facts, field, h, replace, table } from "../dom";
import type { Page } from "../main";
import { load, uuid, when } from "./common";

const PAGE_SIZE = 50;

export const renderAudit: Page = (main) => {
  const verifyResult = h("div", { "aria-live": "polite" });
  const verify = h("button", {
    type: "button",
    onclick: () =>
      load(verifyResult, async () => {
        const v = await api.get<Verification>("/audit/verify");
        return [
          h("div", { class: `card ${v.valid ? "good" : "alarm"}`, "data-testid": "verify-result" },
            h("h2", {}, v.valid ? "The chain is intact" : "The chain is broken"),
            facts([
              ["Valid", v.valid ? "yes" : "no"],
              ["Entries checked", v.entriesChecked.toLocaleString("en-US")],
              ["First invalid sequence", v.firstInvalidSequence ?? "none"],
            ])),
        ];
      }),
  }, "Verify chain");

  const account = h("input", { type: "search", name: "auditAccountId", autocomplete: "off" });
  const entries = h("div");
  // Cursors of the pages seen so far; the first page has none.
  let cursors: (string | null)[] = [null];
  const draw = () =>
    load(entries, async () => {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
      const after = cursors[cursors.length - 1];
      if (after) query.set("after", after);
      if (uuid.test(account.value.trim())) query.set("accountId", account.value.trim());
      const page = await api.get<AuditPage>(`/audit?${query}`);
      const rows = page.items.map((e) => [
        e.sequence,
        when(e.at),
        e.actor,
        e.operation,
        h("span", { class: e.outcome === "accepted" ? "" : "warn" }, e.outcome, e.code ? ` (${e.code})` : ""),
        // A subject is an account or a transfer and the entry does not say which, so the ids are text, not links.
        h("span", { class: "ids" }, e.subjectIds.join(" ")),
        e.detail,
      ]);
      return [
        table(`Audit entries, oldest first, page ${cursors.length}`, ["Seq", "At", "Actor", "Operation", "Outcome", "Subjects", "Detail"], rows, "audit"),
        h("div", { class: "pager" },
          h("button", { type: "button", disabled: cursors.length < 2, onclick: () => { cursors.pop(); void draw(); } }, "Previous"),
          h("button", { type: "button", disabled: !page.nextCursor, onclick: () => { cursors.push(page.nextCursor); void draw(); } }, "Next")),
      ];
    });
  const filter = h(
    "form",
    {
      class: "inline",
      onsubmit: (event) => {
        event.preventDefault();
        cursors = [null];
        void draw();
      },
    },
    field("Account id (optional)", account),
    h("button", { type: "submit" }, "Filter"),
  );
  replace(main, h("h1", {}, "Audit"), h("div", { class: "actions" }, verify), verifyResult, filter, entries);
  void draw();
};
