import uPlot from "uplot";
import { api, ApiError, can, health, type Stats } from "../api";
import { facts, h, replace } from "../dom";
import type { Page } from "../main";

const REFRESH_MS = 2000;
const palette = ["#1f5fbf", "#b3261e", "#1b7f3b", "#8a4b00", "#6a1b9a", "#00695c", "#37474f"];

export const renderOverview: Page = (main, role) => {
  const healthBox = h("section", { class: "card", "aria-labelledby": "health-h" }, h("h2", { id: "health-h" }, "Health"));
  const totals = h("section", { class: "card", "aria-labelledby": "totals-h" }, h("h2", { id: "totals-h" }, "Transfers"));
  const charts = h("div", { class: "charts" });
  replace(
    main,
    h("h1", {}, "Overview"),
    h("p", { class: "lead" }, roleNote(role)),
    h("div", { class: "grid2" }, healthBox, totals),
    charts,
  );

  const plots: Plots = new Map();
  let timer = 0;
  let stopped = false;

  const refresh = async () => {
    const [live, ready] = await Promise.all([health("/health/live"), health("/health/ready")]);
    if (stopped) return;
    replace(
      healthBox,
      h("h2", { id: "health-h" }, "Health"),
      facts([
        ["Live", badge(live.status === 200, live.status === 200 ? "live" : "down")],
        ["Ready", badge(ready.status === 200, ready.status === 200 ? "ready" : "not ready")],
        ["Database", badge(ready.body?.database === true, ready.body?.database === true ? "reachable" : "unreachable")],
        ["Schema", badge(ready.body?.schema === true, ready.body?.schema === true ? "current" : "not current")],
        ["Projection daemon", badge(ready.body?.daemon === true, ready.body?.daemon === true ? "running" : "not running")],
      ]),
    );
    if (!can.inspect(role)) {
      replace(totals, h("h2", { id: "totals-h" }, "Transfers"), h("p", {}, "Charts need an operator or auditor key."));
      return;
    }
    try {
      const stats = await api.get<Stats>("/admin/stats");
      if (stopped) return;
      drawTotals(totals, stats);
      drawCharts(charts, plots, stats);
    } catch (e) {
      replace(totals, h("h2", { id: "totals-h" }, "Transfers"), h("p", { class: "error", role: "alert" }, (e as ApiError).message));
    }
  };
  const loop = async () => {
    await refresh();
    if (!stopped) timer = window.setTimeout(loop, REFRESH_MS);
  };
  void loop();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    plots.forEach((p) => p.plot.destroy());
  };
};

function roleNote(role: string): string {
  switch (role) {
    case "operator":
      return "Operator: you may see everything, move money, post and void holds, freeze, unfreeze and close accounts, reconcile and rebuild.";
    case "auditor":
      return "Auditor: you may read everything, browse and verify the audit trail and run reconciliations; you cannot write.";
    default:
      return "Client: you may look up accounts and transfers by id, move money and post or void holds.";
  }
}

function badge(ok: boolean, text: string): HTMLElement {
  return h("span", { class: ok ? "badge ok" : "badge bad" }, ok ? "● " : "▲ ", text);
}

const sum = (values: number[], from = 0) => values.slice(from).reduce((a, b) => a + b, 0);

function drawTotals(box: HTMLElement, stats: Stats): void {
  const lastMinute = stats.committed.length - 60;
  const rejected = Object.entries(stats.rejectedByCode);
  replace(
    box,
    h("h2", { id: "totals-h" }, "Transfers"),
    facts([
      ["Committed, last 15 min", h("span", { "data-testid": "committed-15m" }, sum(stats.committed))],
      ["Committed, last minute", h("span", { "data-testid": "committed-1m" }, sum(stats.committed, lastMinute))],
      ["Rejected, last 15 min", h("span", { "data-testid": "rejected-15m" }, rejected.reduce((a, [, v]) => a + sum(v), 0))],
      ...rejected.map(([code, values]): [string, string] => [`  ${code}`, String(sum(values))]),
    ]),
  );
}

/** Each chart with the series names it was built for. */
type Plots = Map<string, { plot: uPlot; signature: string }>;

function drawCharts(container: HTMLElement, plots: Plots, stats: Stats): void {
  const start = Date.parse(stats.from) / 1000;
  const xs = stats.committed.map((_, i) => start + i * stats.intervalSeconds);
  const rejected = Object.entries(stats.rejectedByCode);
  const lags = Object.entries(stats.projectionLagMs);
  chart(container, plots, "transfers", "Transfers per second", ["committed", ...rejected.map(([code]) => `rejected: ${code}`)],
    [xs, stats.committed, ...rejected.map(([, v]) => v)], false);
  chart(container, plots, "latency", "Write latency (ms)", ["p50", "p99"], [xs, stats.writeLatencyP50Ms, stats.writeLatencyP99Ms], true);
  chart(container, plots, "lag", "Projection lag (ms)", lags.map(([name]) => name), [xs, ...lags.map(([, v]) => v)], true);
}

/** Draws or updates one chart; a new series (a rejection code seen for the first time) rebuilds it. */
function chart(container: HTMLElement, plots: Plots, key: string, title: string, labels: string[],
  data: (number | null)[][], spanGaps: boolean): void {
  const signature = labels.join("|");
  const existing = plots.get(key);
  if (existing?.signature === signature) {
    existing.plot.setData(data as uPlot.AlignedData);
    return;
  }
  existing?.plot.destroy();
  let figure = container.querySelector<HTMLElement>(`[data-chart="${key}"]`);
  if (!figure) {
    figure = h("figure", { class: "card chart", "aria-label": title });
    figure.setAttribute("data-chart", key);
    container.appendChild(figure);
  }
  const caption = h("figcaption", {}, title);
  replace(figure, caption);
  const width = Math.max(260, Math.min(container.clientWidth - 32, 1200));
  const plot = new uPlot(
    {
      width,
      height: 200,
      series: [{}, ...labels.map((label, i) => ({ label, stroke: palette[i % palette.length], width: 2, spanGaps }))],
      axes: [{}, { size: 60 }],
      scales: { x: { time: true } },
      legend: { live: false },
    },
    data as uPlot.AlignedData,
    figure,
  );
  plots.set(key, { plot, signature });
}
