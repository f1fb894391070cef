import { ApiError } from "../api";
import { h } from "../dom";

/** A problem as the operator should read it: title, detail and code, all as text. */
export function problemBox(error: unknown): HTMLElement {
  if (error instanceof ApiError) {
    const p = error.problem;
    const details = Object.entries(p.errors ?? {}).map(([member, messages]) => h("li", {}, `${member}: ${messages.join(" ")}`));
    return h(
      "div",
      { class: "error", role: "alert" },
      h("strong", {}, `${p.status} ${p.title}`),
      " ",
      h("code", {}, p.code),
      h("p", {}, p.detail),
      details.length > 0 ? h("ul", {}, ...details) : null,
    );
  }
  return h("div", { class: "error", role: "alert" }, (error as Error).message);
}

export const currencies = ["USD", "EUR", "GBP", "JPY", "CNY", "CHF"];

export const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z") : "—";
}

/** An area that shows "Loading…" on its first call (a refresh keeps the old content until the new is there), then what it drew or the problem. */
export async function load(target: HTMLElement, draw: () => Promise<Node[]>): Promise<void> {
  target.setAttribute("aria-busy", "true");
  if (!target.hasChildNodes()) target.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  try {
    const nodes = await draw();
    target.replaceChildren(...nodes);
  } catch (e) {
    target.replaceChildren(problemBox(e));
  } finally {
    target.removeAttribute("aria-busy");
  }
}
