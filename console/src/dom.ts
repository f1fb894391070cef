// The console shows strings that API clients wrote (account names, references, metadata, audit details).
// Every node is built here, and every string becomes a Text node: nothing is ever parsed as HTML.

type Child = Node | string | number | null | undefined | false;
type Handler = (event: Event) => void;

export interface Props {
  class?: string;
  id?: string;
  for?: string;
  type?: string;
  name?: string;
  value?: string;
  href?: string;
  placeholder?: string;
  required?: boolean;
  disabled?: boolean;
  checked?: boolean;
  min?: string;
  max?: string;
  step?: string;
  role?: string;
  tabindex?: string;
  scope?: string;
  autocomplete?: string;
  inputmode?: string;
  "aria-label"?: string;
  "aria-describedby"?: string;
  "aria-labelledby"?: string;
  "aria-current"?: string;
  "aria-live"?: string;
  "aria-busy"?: string;
  "data-testid"?: string;
  onclick?: Handler;
  onsubmit?: Handler;
  onchange?: Handler;
  oninput?: Handler;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (key.startsWith("on")) element.addEventListener(key.slice(2), value as Handler);
    else if (key === "value" && "value" in element) (element as HTMLInputElement).value = String(value);
    else if (key === "checked") (element as HTMLInputElement).checked = Boolean(value);
    else if (key === "href") element.setAttribute("href", safeHref(String(value)));
    else element.setAttribute(key, value === true ? "" : String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
}

export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** Links stay inside the console: a hash route, never a URL a client string could choose. */
function safeHref(href: string): string {
  return href.startsWith("#/") ? href : "#/";
}

/** A hash route with each id part percent-encoded, so no id can add a path segment or a query. */
export function route(...parts: string[]): string {
  return "#/" + parts.map(encodeURIComponent).join("/");
}

export function field(label: string, input: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLElement {
  const id = input.id || `f-${Math.random().toString(36).slice(2)}`;
  input.id = id;
  let hintNode: HTMLElement | null = null;
  if (hint) {
    hintNode = h("span", { class: "hint", id: `${id}-hint` }, hint);
    input.setAttribute("aria-describedby", hintNode.id);
  }
  return h("div", { class: "field" }, h("label", { for: id }, label), input, hintNode);
}

/** A definition list of label/value pairs: the shape of every detail view. */
export function facts(rows: [string, Child][]): HTMLDListElement {
  const list = h("dl", { class: "facts" });
  for (const [label, value] of rows) append(list, h("dt", {}, label), h("dd", {}, value ?? "—"));
  return list;
}

export function table(caption: string, headers: string[], rows: Child[][], testId?: string): HTMLElement {
  return h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption },
    h(
      "table",
      { "data-testid": testId },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, ...headers.map((text) => h("th", { scope: "col" }, text)))),
      h("tbody", {}, ...rows.map((cells) => h("tr", {}, ...cells.map((cell) => h("td", {}, cell ?? "—"))))),
    ),
  );
}

export function announce(message: string): void {
  const status = document.getElementById("status");
  if (status) status.textContent = message;
}

export function money(minor: number, currency: string): string {
  return `${minor.toLocaleString("en-US")} ${currency}`;
}

/** Asks before an operator's action takes effect; resolves true only on the explicit confirm button. */
export function confirmAction(title: string, message: string, confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h("dialog", { class: "confirm", "aria-label": title });
    const done = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    append(
      dialog,
      h("h2", {}, title),
      h("p", {}, message),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "danger", onclick: () => done(true) }, confirmLabel),
        h("button", { type: "button", onclick: () => done(false) }, "Cancel"),
      ),
    );
    dialog.addEventListener("cancel", () => done(false));
    document.body.appendChild(dialog);
    dialog.showModal();
  });
}
