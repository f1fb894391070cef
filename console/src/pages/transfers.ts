import { api, can, type Role, type Transfer } from "../api";
import { announce, confirmAction, facts, field, h, money, replace, route, table } from "../dom";
import type { Page } from "../main";
import { currencies, load, problemBox, uuid, when } from "./common";

/** Transfers: look one up by id (the page's own id when it has one), show a hold's state and settle it; open new ones. */
export const renderTransfers: Page = (main, role, [id]) => {
  const lookupId = h("input", { type: "search", name: "transferId", value: id ?? "", autocomplete: "off", placeholder: "00000000-0000-0000-0000-000000000000" });
  const lookupError = h("p", { class: "error", role: "alert" });
  const detail = h("section", { "aria-live": "polite" });
  replace(
    main,
    h("h1", {}, "Transfers"),
    h(
      "form",
      {
        class: "inline",
        role: "search",
        onsubmit: (event) => {
          event.preventDefault();
          const value = lookupId.value.trim();
          lookupError.textContent = uuid.test(value) ? "" : "A transfer id is a UUID.";
          if (uuid.test(value)) window.location.hash = route("transfers", value);
        },
      },
      field("Transfer id", lookupId),
      h("button", { type: "submit" }, "Look up"),
    ),
    lookupError,
    detail,
  );
  if (id) void drawTransfer(detail, role, id);
  if (can.write(role)) main.append(newTransferForm());
};

async function drawTransfer(target: HTMLElement, role: Role, id: string): Promise<void> {
  const message = h("div");
  await load(target, async () => {
    const t = await api.get<Transfer>(`/transfers/${encodeURIComponent(id)}`);
    const metadata = Object.entries(t.metadata ?? {});
    return [
      h("div", { class: "card", "data-testid": "transfer" },
        h("h2", {}, "Transfer ", h("code", {}, t.id)),
        facts([
          ["Status", h("span", { class: `badge ${t.status === "expired" || t.status === "voided" ? "bad" : "ok"}`, "data-testid": "transfer-status" }, t.status)],
          ["From", h("a", { href: route("accounts", t.fromAccountId) }, t.fromAccountId)],
          ["To", h("a", { href: route("accounts", t.toAccountId) }, t.toAccountId)],
          ["Amount", money(t.amount, t.currency)],
          ["Held", t.pendingAmount === undefined ? null : money(t.pendingAmount, t.currency)],
          ["Posted", t.postedAmount === undefined ? null : h("span", { "data-testid": "posted-amount" }, money(t.postedAmount, t.currency))],
          ["Expires", t.expiresAt ? when(t.expiresAt) : null],
          ["Reference", h("span", { "data-testid": "reference" }, t.reference ?? "—")],
          ["When", when(t.timestamp)],
        ]),
        metadata.length > 0 ? table("Metadata", ["Key", "Value"], metadata.map(([k, v]) => [k, v]), "metadata") : null,
        t.status === "pending" && can.write(role) ? holdActions(t, message, () => void drawTransfer(target, role, id)) : null,
        message,
      ),
    ];
  });
}

function holdActions(t: Transfer, message: HTMLElement, redraw: () => void): HTMLElement {
  const amount = h("input", { type: "number", name: "postAmount", min: "1", max: String(t.pendingAmount ?? t.amount), step: "1", inputmode: "numeric" });
  const settle = async (verb: "post" | "void", body: object) => {
    try {
      await api.post<Transfer>(`/transfers/${encodeURIComponent(t.id)}/${verb}`, body);
      announce(verb === "post" ? "Hold posted." : "Hold voided.");
      redraw();
    } catch (e) {
      message.replaceChildren(problemBox(e));
    }
  };
  return h(
    "form",
    {
      class: "card hold",
      "aria-label": "Settle this hold",
      onsubmit: async (event) => {
        event.preventDefault();
        const partial = amount.value.trim();
        const what = partial ? money(Number(partial), t.currency) : `all ${money(t.pendingAmount ?? t.amount, t.currency)}`;
        if (await confirmAction("Post hold", `Move ${what} from the debited to the credited account and release the hold.`, "Post")) {
          await settle("post", partial ? { amount: Number(partial) } : {});
        }
      },
    },
    h("h3", {}, "Settle this hold"),
    field("Amount to post (minor units)", amount, "Leave empty to post all of it."),
    h("div", { class: "actions" },
      h("button", { type: "submit" }, "Post"),
      h("button", {
        type: "button",
        class: "danger",
        onclick: async () => {
          if (await confirmAction("Void hold", "Release the hold; nothing moves.", "Void")) await settle("void", {});
        },
      }, "Void"),
    ),
  );
}

function newTransferForm(): HTMLElement {
  const from = h("input", { name: "fromAccountId", required: true, autocomplete: "off" });
  const to = h("input", { name: "toAccountId", required: true, autocomplete: "off" });
  const amount = h("input", { type: "number", name: "amount", min: "1", step: "1", required: true, inputmode: "numeric" });
  const currency = h("select", { name: "currency" }, ...currencies.map((c) => h("option", { value: c }, c)));
  const reference = h("input", { name: "reference", autocomplete: "off" });
  const pending = h("input", { type: "checkbox", name: "pending", id: "new-pending" });
  const timeout = h("input", { type: "number", name: "timeoutSeconds", min: "1", max: "2592000", step: "1", inputmode: "numeric" });
  const result = h("div", { "aria-live": "polite" });
  return h(
    "form",
    {
      class: "card",
      "aria-labelledby": "new-h",
      onsubmit: async (event) => {
        event.preventDefault();
        const body: Record<string, unknown> = { fromAccountId: from.value.trim(), toAccountId: to.value.trim(), amount: Number(amount.value), currency: currency.value };
        if (reference.value) body.reference = reference.value;
        if (pending.checked) body.pending = true;
        if (pending.checked && timeout.value) body.timeoutSeconds = Number(timeout.value);
        try {
          const t = await api.post<Transfer>("/transfers", body);
          announce(`Transfer ${t.status}.`);
          window.location.hash = route("transfers", t.id);
        } catch (e) {
          result.replaceChildren(problemBox(e));
        }
      },
    },
    h("h2", { id: "new-h" }, "New transfer"),
    h("div", { class: "grid2" }, field("From account id", from), field("To account id", to), field("Amount (minor units)", amount), field("Currency", currency)),
    field("Reference", reference),
    h("div", { class: "field check" }, pending, h("label", { for: "new-pending" }, "Hold only (pending): reserve now, post or void later")),
    field("Expires after (seconds)", timeout, "Only for a hold; empty: it never expires."),
    h("button", { type: "submit" }, "Create"),
    result,
  );
}
