import { api, can, type Account, type Page as ApiPage, type Transaction, type Transfer } from "../api";
import { announce, confirmAction, facts, field, h, money, replace, route, table } from "../dom";
import type { Page } from "../main";
import { currencies, load, problemBox, uuid, when } from "./common";

const PAGE_SIZE = 20;

export const renderAccounts: Page = (main, role) => {
  const id = h("input", { type: "search", name: "accountId", placeholder: "00000000-0000-0000-0000-000000000000", autocomplete: "off" });
  const searchError = h("p", { class: "error", role: "alert" });
  const search = h(
    "form",
    {
      class: "inline",
      role: "search",
      onsubmit: (event) => {
        event.preventDefault();
        const value = id.value.trim();
        if (!uuid.test(value)) {
          searchError.textContent = "An account id is a UUID.";
          return;
        }
        window.location.hash = route("accounts", value);
      },
    },
    field("Account id", id),
    h("button", { type: "submit" }, "Open"),
  );
  replace(main, h("h1", {}, "Accounts"), search, searchError);
  if (!can.inspect(role)) {
    main.appendChild(h("p", {}, "Listing accounts needs an operator or auditor key; open one by its id."));
    return;
  }

  const currency = h("select", { name: "currency" }, h("option", { value: "" }, "All"), ...currencies.map((c) => h("option", { value: c }, c)));
  const list = h("div", { "aria-live": "polite" });
  // The cursors of the pages already seen, so "Previous" needs no cursor the API does not give.
  let cursors: (string | null)[] = [null];
  const draw = () =>
    load(list, async () => {
      const cursor = cursors[cursors.length - 1];
      const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (currency.value) query.set("currency", currency.value);
      if (cursor) query.set("cursor", cursor);
      const page = await api.get<ApiPage<Account>>(`/accounts?${query}`);
      const rows = page.items.map((a) => [
        h("a", { href: route("accounts", a.id) }, a.id),
        a.name ?? "—",
        a.currency,
        a.status,
        money(a.balance, a.currency),
        money(a.availableBalance, a.currency),
      ]);
      const previous = h("button", { type: "button", disabled: cursors.length < 2, onclick: () => { cursors.pop(); void draw(); } }, "Previous");
      const next = h("button", { type: "button", disabled: !page.nextCursor, onclick: () => { cursors.push(page.nextCursor); void draw(); } }, "Next");
      return [
        table(`Accounts, page ${cursors.length}`, ["Id", "Name", "Currency", "Status", "Balance", "Available"], rows, "accounts"),
        h("div", { class: "pager" }, previous, next),
      ];
    });
  currency.addEventListener("change", () => {
    cursors = [null];
    void draw();
  });
  main.append(h("h2", {}, "All accounts"), h("div", { class: "inline" }, field("Currency", currency)), list);
  void draw();
};

export const renderAccount: Page = (main, role, [id]) => {
  const summary = h("section", { class: "card", "aria-labelledby": "acct-h" });
  const actions = h("div", { class: "actions" });
  const holds = h("section", { "aria-labelledby": "holds-h" });
  const history = h("section", { "aria-labelledby": "hist-h" });
  const message = h("div");
  replace(main, h("p", {}, h("a", { href: route("accounts") }, "← Accounts")), h("h1", {}, "Account"), message, summary, actions, holds, history);

  const drawAccount = () =>
    load(summary, async () => {
      const a = await api.get<Account>(`/accounts/${encodeURIComponent(id)}`);
      drawActions(a);
      return [
        h("h2", { id: "acct-h" }, h("span", { "data-testid": "account-name" }, a.name ?? "(no name)")),
        facts([
          ["Id", h("code", {}, a.id)],
          ["Status", h("span", { class: `badge ${a.status === "active" ? "ok" : "bad"}`, "data-testid": "account-status" }, a.status)],
          ["Balance", h("span", { "data-testid": "balance" }, money(a.balance, a.currency))],
          ["Available", h("span", { "data-testid": "available" }, money(a.availableBalance, a.currency))],
          ["Pending debits", money(a.pendingDebits, a.currency)],
          ["Pending credits", money(a.pendingCredits, a.currency)],
          ["May go negative", a.allowNegative ? "yes" : "no"],
          ["Version", a.version],
          ["Opened", when(a.openedAt)],
        ]),
      ];
    });

  const drawActions = (a: Account) => {
    actions.replaceChildren();
    if (!can.operate(role)) return;
    const act = (verb: "freeze" | "unfreeze" | "close", label: string, warning: string) =>
      h("button", {
        type: "button",
        class: verb === "close" ? "danger" : "",
        onclick: async () => {
          if (!(await confirmAction(`${label} account`, warning, label))) return;
          try {
            await api.post<Account>(`/accounts/${encodeURIComponent(a.id)}/${verb}`);
            announce(`Account ${verb} done.`);
            message.replaceChildren();
            void drawAccount();
          } catch (e) {
            message.replaceChildren(problemBox(e));
          }
        },
      }, label);
    if (a.status === "active") actions.append(act("freeze", "Freeze", "A frozen account can be neither debited nor credited until it is unfrozen."));
    if (a.status === "frozen") actions.append(act("unfreeze", "Unfreeze", "The account will move money again."));
    if (a.status !== "closed") actions.append(act("close", "Close", "Closing is final. Only an account with a zero balance and no open holds can be closed."));
  };

  const cursors: (string | null)[] = [null];
  const drawHistory = () =>
    load(history, async () => {
      const cursor = cursors[cursors.length - 1];
      const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (cursor) query.set("cursor", cursor);
      const page = await api.get<ApiPage<Transaction>>(`/accounts/${encodeURIComponent(id)}/transactions?${query}`);
      const rows = page.items.map((t) => [
        when(t.timestamp),
        t.direction,
        t.amount.toLocaleString("en-US"),
        t.balanceAfter.toLocaleString("en-US"),
        h("a", { href: route("accounts", t.counterpartyId) }, t.counterpartyId),
        h("a", { href: route("transfers", t.transferId) }, t.transferId),
        t.reference ?? "—",
      ]);
      const previous = h("button", { type: "button", disabled: cursors.length < 2, onclick: () => { cursors.pop(); void drawHistory(); } }, "Newer");
      const next = h("button", { type: "button", disabled: !page.nextCursor, onclick: () => { cursors.push(page.nextCursor); void drawHistory(); } }, "Older");
      return [
        h("h2", { id: "hist-h" }, "History"),
        rows.length === 0
          ? h("p", {}, "No money has moved on this account yet.")
          : table(`History, newest first, page ${cursors.length}`, ["When", "Direction", "Amount", "Balance after", "Counterparty", "Transfer", "Reference"], rows, "history"),
        h("div", { class: "pager" }, previous, next),
      ];
    });

  const drawHolds = () =>
    load(holds, async () => {
      const { items } = await api.get<{ items: Transfer[] }>(`/accounts/${encodeURIComponent(id)}/holds?limit=${PAGE_SIZE}`);
      const rows = items.map((t) => [
        h("a", { href: route("transfers", t.id) }, t.id),
        t.fromAccountId === id ? "debit" : "credit",
        money(t.pendingAmount ?? t.amount, t.currency),
        t.expiresAt ? when(t.expiresAt) : "never",
        t.reference ?? "—",
      ]);
      return [
        h("h2", { id: "holds-h" }, "Open holds"),
        rows.length === 0
          ? h("p", {}, "No open holds.")
          : table(`Open holds, oldest first (at most ${PAGE_SIZE})`, ["Transfer", "Side", "Held", "Expires", "Reference"], rows, "holds"),
      ];
    });

  void drawAccount();
  void drawHolds();
  void drawHistory();
};
