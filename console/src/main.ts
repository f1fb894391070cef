import "uplot/dist/uPlot.min.css";
import "./style.css";
import { ApiError, can, discoverRole, session, type Role } from "./api";
import { announce, field, h, replace, route } from "./dom";
import { renderOverview } from "./pages/overview";
import { renderAccount, renderAccounts } from "./pages/accounts";
import { renderTransfers } from "./pages/transfers";
import { renderAudit } from "./pages/audit";
import { renderReconciliation, renderReconciliations } from "./pages/reconciliations";
import { renderProjections } from "./pages/projections";

/** A page draws itself into main and may return a function that stops its timers when the page is left. */
export type Page = (main: HTMLElement, role: Role, params: string[]) => (() => void) | void;

interface Entry {
  path: string;
  label: string;
  allowed: (role: Role) => boolean;
  list: Page;
  detail?: Page;
}

const pages: Entry[] = [
  { path: "overview", label: "Overview", allowed: () => true, list: renderOverview },
  { path: "accounts", label: "Accounts", allowed: () => true, list: renderAccounts, detail: renderAccount },
  { path: "transfers", label: "Transfers", allowed: () => true, list: renderTransfers, detail: renderTransfers },
  { path: "audit", label: "Audit", allowed: can.inspect, list: renderAudit },
  { path: "reconciliations", label: "Reconciliations", allowed: can.inspect, list: renderReconciliations, detail: renderReconciliation },
  { path: "projections", label: "Projections", allowed: can.inspect, list: renderProjections },
];

const main = document.getElementById("main")!;
const nav = document.getElementById("nav")!;
const who = document.getElementById("who")!;
let leave: (() => void) | void;

function show(): void {
  leave?.();
  leave = undefined;
  const [path = "", ...params] = window.location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const role = session.role();
  if (!role || !session.key() || path === "signin") {
    drawChrome(null);
    signIn();
    return;
  }
  const entry = pages.find((p) => p.path === path && p.allowed(role));
  if (!entry) {
    go(route("overview"));
    return;
  }
  drawChrome(role, entry.path);
  main.replaceChildren();
  leave = (params.length > 0 && entry.detail ? entry.detail : entry.list)(main, role, params);
  // A new page is a new context for a screen reader: move focus to its heading.
  const heading = main.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
    document.title = `${heading.textContent} · Ledger console`;
  }
}

function drawChrome(role: Role | null, current?: string): void {
  if (!role) {
    nav.replaceChildren();
    who.replaceChildren();
    return;
  }
  replace(
    nav,
    h(
      "ul",
      {},
      ...pages
        .filter((p) => p.allowed(role))
        .map((p) => h("li", {}, h("a", { href: route(p.path), "aria-current": p.path === current ? "page" : undefined }, p.label))),
    ),
  );
  replace(
    who,
    h("span", { "data-testid": "role" }, `Signed in as ${role}`),
    h("button", { type: "button", class: "link", onclick: signOut }, "Sign out"),
  );
}

function signOut(): void {
  session.clear();
  announce("Signed out.");
  go("#/signin");
}

/** Navigates, drawing the page once whether or not the hash changes. */
function go(hash: string): void {
  if (window.location.hash === hash) show();
  else window.location.hash = hash;
}

function signIn(): void {
  const key = h("input", { type: "password", name: "key", required: true, autocomplete: "off" });
  const error = h("p", { class: "error", role: "alert" });
  const form = h(
    "form",
    {
      class: "card signin",
      onsubmit: async (event) => {
        event.preventDefault();
        error.textContent = "";
        try {
          const role = await discoverRole(key.value);
          session.save(key.value, role);
          announce(`Signed in as ${role}.`);
          go(route("overview"));
        } catch (e) {
          error.textContent = e instanceof ApiError && e.problem.status === 401 ? "That key is not known to this ledger." : `Sign-in failed: ${(e as Error).message}`;
        }
      },
    },
    h("h1", {}, "Sign in"),
    h("p", {}, "Paste an API key. It stays in this tab only (sessionStorage) and is sent to this server alone."),
    field("API key", key),
    h("button", { type: "submit" }, "Sign in"),
    error,
  );
  replace(main, form);
  key.focus();
}

// The hash is the router's, so the skip link moves focus itself instead of navigating to #main.
document.querySelector(".skip")?.addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});
window.addEventListener("hashchange", show);
show();
