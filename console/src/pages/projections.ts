import { api, can, type Job, type ProjectionStatus } from "../api";
import { announce, confirmAction, h, replace, table } from "../dom";
import type { Page } from "../main";
import { load, problemBox, when } from "./common";

const REFRESH_MS = 2000;
const JOB_POLL_MS = 500;
// The audit trail is written with the events, so it has nothing derived to rebuild.
const rebuildable = new Set(["balances", "transactions"]);

export const renderProjections: Page = (main, role) => {
  const statuses = h("div");
  const jobs = h("div", { "aria-live": "polite" });
  replace(main, h("h1", {}, "Projections"), statuses, jobs);
  let stopped = false;
  let timer = 0;

  const watch = async (name: string, jobId: string) => {
    const bar = h("progress", { max: "1", "aria-label": `Rebuild of ${name}` });
    const text = h("span", { "data-testid": `job-${name}` }, "starting");
    const card = h("div", { class: "card job" }, h("h2", {}, `Rebuild of ${name}`), bar, " ", text);
    jobs.prepend(card);
    while (!stopped) {
      try {
        const job = await api.get<Job>(`/admin/jobs/${encodeURIComponent(jobId)}`);
        bar.max = Math.max(1, job.totalEvents);
        bar.value = job.status === "succeeded" ? bar.max : job.processedEvents;
        text.textContent = `${job.status}: ${job.processedEvents.toLocaleString("en-US")} of ${job.totalEvents.toLocaleString("en-US")} events`
          + (job.finishedAt ? `, finished ${when(job.finishedAt)}` : "") + (job.error ? ` — ${job.error}` : "");
        if (job.status !== "running") {
          announce(`Rebuild of ${name} ${job.status}.`);
          return;
        }
      } catch (e) {
        card.append(problemBox(e));
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, JOB_POLL_MS));
    }
  };

  const rebuild = (name: string) =>
    h("button", {
      type: "button",
      onclick: async () => {
        if (!(await confirmAction(`Rebuild ${name}`, "The projection is rebuilt beside the live view and swapped in when done; reads keep answering meanwhile.", "Rebuild"))) return;
        try {
          const { jobId } = await api.post<{ jobId: string }>(`/admin/projections/${encodeURIComponent(name)}/rebuild`);
          void watch(name, jobId);
        } catch (e) {
          jobs.prepend(problemBox(e));
        }
      },
    }, `Rebuild ${name}`);

  const refresh = async () => {
    // Redrawing under a keyboard user's focus (or an open confirmation) would throw them out of the table.
    const busy = statuses.contains(document.activeElement) || document.querySelector("dialog[open]") !== null;
    if (!busy) await load(statuses, async () => {
      const list = await api.get<ProjectionStatus[]>("/admin/projections");
      const rows = list.map((p) => [
        p.name,
        h("span", { class: `badge ${p.status === "running" ? "ok" : "bad"}` }, p.status),
        p.position,
        p.headPosition,
        p.lagEvents.toLocaleString("en-US"),
        `${p.lagMs.toLocaleString("en-US")} ms`,
        p.lastError ? h("span", { class: "warn" }, p.lastError) : "—",
        can.operate(role) && rebuildable.has(p.name) ? rebuild(p.name) : "—",
      ]);
      return [table("Projections", ["Name", "Status", "Position", "Head", "Lag (events)", "Lag", "Last error", "Rebuild"], rows, "projections")];
    });
    if (!stopped) timer = window.setTimeout(refresh, REFRESH_MS);
  };
  void refresh();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
};
