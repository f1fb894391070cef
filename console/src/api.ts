// Every call goes to this origin with the key in X-Api-Key; the key lives in sessionStorage only
// (gone when the tab closes), never in a cookie, a URL or a log line.

const KEY = "ledger.console.key";
const ROLE = "ledger.console.role";

export type Role = "client" | "operator" | "auditor";

export interface Problem {
  status: number;
  code: string;
  title: string;
  detail: string;
  errors?: Record<string, string[]>;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
  }
}

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  role: (): Role | null => sessionStorage.getItem(ROLE) as Role | null,
  save(key: string, role: Role): void {
    sessionStorage.setItem(KEY, key);
    sessionStorage.setItem(ROLE, role);
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(ROLE);
  },
};

async function send(method: string, path: string, body?: unknown, key = session.key()): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (key) headers["X-Api-Key"] = key;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  // A relative path keeps every request on this origin; credentials: "omit" keeps cookies out of it.
  return fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "omit", cache: "no-store" });
}

async function problemOf(response: Response): Promise<Problem> {
  try {
    const body = (await response.json()) as Partial<Problem>;
    return {
      status: response.status,
      code: body.code ?? "error",
      title: body.title ?? response.statusText,
      detail: body.detail ?? "",
      errors: body.errors,
    };
  } catch {
    return { status: response.status, code: "error", title: response.statusText, detail: `HTTP ${response.status}` };
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await send(method, path, body);
  if (response.status === 401) {
    // The key was revoked or the server restarted with other keys: back to sign-in.
    session.clear();
    window.location.hash = "#/signin";
  }
  if (!response.ok) throw new ApiError(await problemOf(response));
  return (await response.json()) as T;
}

export const api = {
  get: <T>(path: string) => call<T>("GET", path),
  post: <T>(path: string, body?: unknown) => call<T>("POST", path, body),
};

/** Health needs no key; a 503 from readiness is an answer too, not an error. */
export async function health(path: "/health/live" | "/health/ready"): Promise<{ status: number; body: Record<string, unknown> | null }> {
  try {
    const response = await fetch(path, { credentials: "omit", cache: "no-store" });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  } catch {
    return { status: 0, body: null };
  }
}

/**
 * The role, from what the server lets the key do, so the console needs no route of its own: only
 * operator and auditor may list accounts; of those, only an operator may write, so an empty transfer
 * is a validation failure (400) for an operator and forbidden (403) for an auditor. Neither writes anything.
 */
export async function discoverRole(key: string): Promise<Role> {
  const listing = await send("GET", "/accounts?limit=1", undefined, key);
  if (listing.status === 403) return "client";
  if (!listing.ok) throw new ApiError(await problemOf(listing));
  const write = await send("POST", "/transfers", {}, key);
  if (write.status === 403) return "auditor";
  if (write.status === 400) return "operator";
  throw new ApiError(await problemOf(write));
}

/** What each role may do; the server enforces the same, this only hides what would answer 403. */
export const can = {
  inspect: (role: Role | null) => role === "operator" || role === "auditor",
  write: (role: Role | null) => role === "operator" || role === "client",
  operate: (role: Role | null) => role === "operator",
};

export interface Account {
  id: string;
  currency: string;
  name: string | null;
  status: "active" | "frozen" | "closed";
  allowNegative: boolean;
  balance: number;
  availableBalance: number;
  pendingDebits: number;
  pendingCredits: number;
  version: number;
  openedAt: string;
  position: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Transaction {
  transferId: string;
  direction: "debit" | "credit";
  amount: number;
  counterpartyId: string;
  balanceAfter: number;
  reference: string | null;
  timestamp: string;
}

export interface Transfer {
  id: string;
  fromAccountId: string;
  toAccountId: string;
  amount: number;
  currency: string;
  reference: string | null;
  metadata: Record<string, string> | null;
  status: "completed" | "pending" | "posted" | "voided" | "expired";
  timestamp: string;
  position: string;
  pendingAmount?: number;
  postedAmount?: number;
  expiresAt?: string;
}

export interface AuditEntry {
  sequence: number;
  at: string;
  actor: string;
  operation: string;
  subjectIds: string[];
  outcome: "accepted" | "rejected";
  code?: string;
  detail: string;
  hash: string;
  previousHash: string;
}

export interface AuditPage {
  items: AuditEntry[];
  nextCursor: string | null;
}

export interface Verification {
  valid: boolean;
  entriesChecked: number;
  firstInvalidSequence: number | null;
}

export interface Report {
  id: string;
  asOf: string;
  startedAt: string;
  eventsReplayed: number;
  accountsChecked: number;
  mismatches: { accountId: string; projected: number; replayed: number; source?: string }[];
  totalsByCurrency: Record<string, number>;
  pendingByCurrency: Record<string, number>;
  legProblems?: { transferId: string; problem: string }[];
  balanced: boolean;
  durationMs: number;
}

export interface ProjectionStatus {
  name: string;
  position: string;
  headPosition: string;
  lagEvents: number;
  lagMs: number;
  status: "running" | "rebuilding" | "stopped" | "faulted";
  lastError?: string;
}

export interface Job {
  jobId: string;
  kind: string;
  status: "running" | "succeeded" | "failed";
  processedEvents: number;
  totalEvents: number;
  startedAt: string;
  finishedAt?: string;
  error?: string;
}

export interface Stats {
  from: string;
  intervalSeconds: number;
  committed: number[];
  rejectedByCode: Record<string, number[]>;
  writeLatencyP50Ms: (number | null)[];
  writeLatencyP99Ms: (number | null)[];
  projectionLagMs: Record<string, (number | null)[]>;
}
