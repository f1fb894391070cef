using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ledger.Chaos.Storm;

/// <summary>
/// After a storm (writes stopped): the projections catch up to the head of the log, then every
/// guarantee is checked against the database itself and, for a sample, through the API.
/// </summary>
public static class Verifier
{
    private const string Debited = "account.debited.v1";
    private const string Credited = "account.credited.v1";

    public static async Task<int> RunAsync(Args args, CancellationToken ct)
    {
        var url = args.LoopbackUrls("base-url")[0];
        var ackedFiles = args.List("acked");
        var schema = args.Required("schema");
        var psql = Psql.From(args);
        var convergeSeconds = args.Int("converge-timeout", 90, 1, 900);
        var sample = args.Int("sample", 200, 0, 1_000_000);
        var clientKey = Commands.Key(args.Text("key-env", "CHAOS_CLIENT_KEY"));
        var auditorKey = Commands.Key(args.Text("auditor-key-env", "CHAOS_AUDITOR_KEY"));
        args.RejectUnknown();
        if (ackedFiles.Count == 0) throw new ArgumentException("--acked is required");

        var checks = new List<(bool Ok, string Text)>();
        void Check(bool ok, string text)
        {
            checks.Add((ok, text));
            Console.WriteLine($"  {(ok ? "ok  " : "FAIL")} {text}");
        }

        // 1. Acknowledged ids, as the storm wrote them (a torn last line cannot happen: each is one write).
        var acked = new HashSet<Guid>();
        var malformed = 0;
        foreach (var file in ackedFiles)
            foreach (var line in File.Exists(file) ? await File.ReadAllLinesAsync(file, ct) : [])
                if (Guid.TryParse(line.Split(' ')[0], out var id)) acked.Add(id);
                else if (line.Length > 0) malformed++;
        Console.WriteLine($"verify: {acked.Count} acknowledged ids from {ackedFiles.Count} file(s); schema {schema} on {psql.Describe}");
        if (malformed > 0) Check(false, $"{malformed} malformed line(s) in the acknowledged files");

        using var api = new Api(TimeSpan.FromSeconds(30));

        // 2. Projections converge: position == headPosition for balances and transactions, status running.
        var (converged, convergeText) = await ConvergeAsync(api, url, auditorKey, convergeSeconds, ct);
        Check(converged, convergeText);

        // 3. The database's own word on every guarantee.
        var s = Psql.Ident(schema);
        var ids = new StringBuilder();
        foreach (var id in acked) ids.Append(id.ToString()).Append('\n');
        ids.Append("\\.\n");
        var rows = await psql.QueryAsync($"""
            CREATE TEMP TABLE acked (id uuid NOT NULL);
            COPY acked FROM STDIN;
            """, ct, ids.ToString() + Queries(s));
        var facts = rows.Where(r => r.Length == 2).ToDictionary(r => r[0], r => r[1], StringComparer.Ordinal);
        long N(string name) => long.Parse(facts.TryGetValue(name, out var v) && v.Length > 0 ? v : "-1", CultureInfo.InvariantCulture);
        string T(string name) => facts.TryGetValue(name, out var v) ? v : "";

        Check(N("acked") == acked.Count && N("acked_missing_command") == 0 && N("acked_missing_events") == 0,
            $"acknowledged transfers committed: {acked.Count - Math.Max(N("acked_missing_command"), N("acked_missing_events"))}/{acked.Count} " +
            $"(missing from commands: {N("acked_missing_command")}, without events: {N("acked_missing_events")}){Examples(T("missing_examples"))}");
        Check(N("half_applied") == 0,
            $"no half-applied transfer: {N("half_applied")} of {N("transfers_in_log")} transfer ids in the log lack exactly one debit and one credit of equal amount{Examples(T("half_examples"))}");
        Check(T("unbalanced") == "" && N("currencies") > 0,
            $"every currency sums to zero over account_snapshots ({N("currencies")} currencies){(T("unbalanced") == "" ? "" : ": " + T("unbalanced"))}");
        Check(N("negative") == 0, $"no account without allowNegative below zero: {N("negative")} found");
        Check(N("snapshot_vs_log") == 0, $"account_snapshots equal a replay of the event log (balance, version): {N("snapshot_vs_log")} differ");
        Check(N("balances_vs_snapshots") == 0, $"balances (async view) equal account_snapshots (balance, version, status): {N("balances_vs_snapshots")} differ");
        Check(N("transactions_vs_log") == 0, $"transactions (async view) has one row per leg event: off by {N("transactions_vs_log")}");

        // 4. Through the API: a sample of acknowledged ids answers GET /transfers/{id} with 200 and the same id.
        if (sample > 0 && acked.Count > 0)
        {
            var picked = acked.OrderBy(_ => Random.Shared.Next()).Take(sample).ToList();
            var bad = 0;
            var firstBad = "";
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < picked.Count)
                {
                    var reply = await api.GetAsync(new Uri(url, $"transfers/{picked[i]}"), clientKey, ct);
                    if (reply.Status == 200 && reply.Body.Contains(picked[i].ToString(), StringComparison.OrdinalIgnoreCase)) continue;
                    if (Interlocked.Increment(ref bad) == 1) firstBad = $"{picked[i]} -> {reply.Label} {Storm.Truncate(reply.Body)}";
                }
            }));
            Check(bad == 0, $"GET /transfers/{{id}} answers 200 for {picked.Count - bad}/{picked.Count} sampled acknowledged ids{(bad == 0 ? "" : ", first miss: " + firstBad)}");
        }

        // 5. The audit chain survived the faults.
        var audit = await api.GetAsync(new Uri(url, "audit/verify"), auditorKey, ct);
        var valid = audit.Status == 200 && JsonDocument.Parse(audit.Body).RootElement.GetProperty("valid").GetBoolean();
        Check(valid, $"GET /audit/verify: {(audit.Status == 200 ? audit.Body : audit.Label)}");

        var failed = checks.Count(c => !c.Ok);
        Console.WriteLine(failed == 0
            ? $"verify PASS: {acked.Count} acknowledged transfers, 0 lost, 0 half-applied, ledger balanced, projections converged"
            : $"verify FAIL: {failed} of {checks.Count} checks failed");
        return failed == 0 ? 0 : 1;
    }

    private static string Examples(string list) => list.Length == 0 ? "" : $"; e.g. {list}";

    /// <summary>Each query answers one <c>name | value</c> row.</summary>
    private static string Queries(string s) => $$"""
        CREATE TEMP TABLE acked_ids AS SELECT DISTINCT id FROM acked;
        CREATE TEMP TABLE legs AS
            SELECT (data->>'transferId')::uuid AS transfer_id,
                   count(*) FILTER (WHERE type = '{{Debited}}') AS debits,
                   count(*) FILTER (WHERE type = '{{Credited}}') AS credits,
                   coalesce(sum((data->>'amountMinor')::bigint) FILTER (WHERE type = '{{Debited}}'), 0) AS debited,
                   coalesce(sum((data->>'amountMinor')::bigint) FILTER (WHERE type = '{{Credited}}'), 0) AS credited
            FROM {{s}}.mt_events WHERE type IN ('{{Debited}}', '{{Credited}}') GROUP BY 1;
        CREATE UNIQUE INDEX ON legs (transfer_id);
        ANALYZE acked_ids;
        ANALYZE legs;
        SELECT 'acked', count(*) FROM acked_ids;
        SELECT 'acked_missing_command', count(*) FROM acked_ids a
            WHERE NOT EXISTS (SELECT 1 FROM {{s}}.commands c WHERE c.id = a.id AND c.status_code = 201);
        SELECT 'acked_missing_events', count(*) FROM acked_ids a WHERE NOT EXISTS (SELECT 1 FROM legs l WHERE l.transfer_id = a.id);
        SELECT 'missing_examples', coalesce(string_agg(id::text, ','), '') FROM (
            SELECT a.id FROM acked_ids a WHERE NOT EXISTS (SELECT 1 FROM legs l WHERE l.transfer_id = a.id)
               OR NOT EXISTS (SELECT 1 FROM {{s}}.commands c WHERE c.id = a.id AND c.status_code = 201) LIMIT 5) x;
        SELECT 'transfers_in_log', count(*) FROM legs;
        SELECT 'half_applied', count(*) FROM legs WHERE debits <> 1 OR credits <> 1 OR debited <> credited;
        SELECT 'half_examples', coalesce(string_agg(transfer_id::text || '(' || debits || 'd/' || credits || 'c ' || debited || '/' || credited || ')', ','), '')
            FROM (SELECT * FROM legs WHERE debits <> 1 OR credits <> 1 OR debited <> credited LIMIT 5) x;
        SELECT 'currencies', count(DISTINCT currency) FROM {{s}}.account_snapshots;
        SELECT 'unbalanced', coalesce(string_agg(currency || '=' || total, ','), '')
            FROM (SELECT currency, sum(balance) AS total FROM {{s}}.account_snapshots GROUP BY currency HAVING sum(balance) <> 0) x;
        SELECT 'negative', count(*) FROM {{s}}.account_snapshots WHERE NOT allow_negative AND balance < 0;
        SELECT 'snapshot_vs_log', count(*) FROM {{s}}.account_snapshots s
            FULL JOIN (SELECT stream_id,
                              sum(CASE type WHEN '{{Credited}}' THEN (data->>'amountMinor')::bigint
                                            WHEN '{{Debited}}' THEN -(data->>'amountMinor')::bigint ELSE 0 END) AS balance,
                              max(version) AS version
                       FROM {{s}}.mt_events GROUP BY stream_id) e ON e.stream_id = s.id
            WHERE s.id IS NULL OR e.stream_id IS NULL OR s.balance <> e.balance OR s.version <> e.version;
        SELECT 'balances_vs_snapshots', count(*) FROM {{s}}.account_snapshots s FULL JOIN {{s}}.balances b ON b.id = s.id
            WHERE s.id IS NULL OR b.id IS NULL OR (s.balance, s.version, s.status) IS DISTINCT FROM (b.balance, b.version, b.status);
        SELECT 'transactions_vs_log', (SELECT count(*) FROM {{s}}.transactions)
            - (SELECT count(*) FROM {{s}}.mt_events WHERE type IN ('{{Debited}}', '{{Credited}}'));
        """;

    private static async Task<(bool, string)> ConvergeAsync(Api api, Uri url, string auditorKey, int seconds, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var last = "no answer";
        while (Stopwatch.GetElapsedTime(started).TotalSeconds < seconds)
        {
            var reply = await api.GetAsync(new Uri(url, "admin/projections"), auditorKey, ct);
            if (reply.Status == 200)
            {
                using var doc = JsonDocument.Parse(reply.Body);
                var wanted = doc.RootElement.EnumerateArray()
                    .Where(p => p.GetProperty("name").GetString() is "balances" or "transactions")
                    .Select(p => (Name: p.GetProperty("name").GetString()!, Position: p.GetProperty("position").GetString(),
                        Head: p.GetProperty("headPosition").GetString(), Status: p.GetProperty("status").GetString(),
                        Lag: p.GetProperty("lagEvents").GetInt64(),
                        Error: p.TryGetProperty("lastError", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null))
                    .ToList();
                last = string.Join(", ", wanted.Select(p => $"{p.Name} {p.Status} lag {p.Lag}{(p.Error is null ? "" : " error " + p.Error)}"));
                if (wanted.Count == 2 && wanted.All(p => p.Position == p.Head && p.Status == "running"))
                    return (true, $"projections converged (position == headPosition {wanted[0].Head}) after {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
            }
            else
            {
                last = $"GET /admin/projections answered {reply.Label}";
            }
            await Task.Delay(250, ct);
        }
        return (false, $"projections did not converge within {seconds} s: {last}");
    }
}
