using System.Globalization;
using System.Text;

namespace Ledger.Bench.Load;

/// <summary>
/// The comparison of issue 15: for each mix, the ledger's figures and every peer at its best configuration
/// (the highest transfers/s over the sweep), with the ledger's ratio to each and to the best of them.
/// </summary>
internal static class PeersTable
{
    private static readonly string[] PeerOrder = ["idiomatic", "naive-serializable", "locked-read-committed", "pgledger"];

    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        ["ledger"] = "ledger (this repository)",
        ["idiomatic"] = "idiomatic Critter Stack",
        ["naive-serializable"] = "naive, SERIALIZABLE",
        ["locked-read-committed"] = "naive, READ COMMITTED + FOR UPDATE",
        ["pgledger"] = "pgledger's function",
    };

    public static string Render(IReadOnlyList<ScenarioResult> rows)
    {
        var measured = rows.Where(r => r.Subject is not null && r.Mix is not null && r.Generator is not null && r.Requests > 0).ToList();
        if (!measured.Any(r => r.Subject != "ledger"))
        {
            return "";
        }

        var text = new StringBuilder();
        foreach (var mix in new[] { "uniform", "hot" })
        {
            var best = measured.Where(r => r.Mix == mix)
                .GroupBy(r => (r.Subject!, r.Generator!))
                .Select(g => (Best: g.MaxBy(r => r.TransfersPerSec)!, Runs: g.Count()))
                .ToList();
            if (best.Count == 0)
            {
                continue;
            }

            var ours = best.Where(b => b.Best.Subject == "ledger").Select(b => b.Best).ToList();
            var oursBest = ours.MaxBy(r => r.TransfersPerSec);
            var peers = best.Where(b => b.Best.Subject != "ledger")
                .OrderBy(b => Array.IndexOf(PeerOrder, b.Best.Subject) is var i and >= 0 ? i : PeerOrder.Length)
                .ThenBy(b => b.Best.Generator, StringComparer.Ordinal)
                .ToList();

            var table = new List<string[]>
            {
                new[] { "subject", "generator", "best at", "of runs", "transfers/s", "requests/s", "p50 ms", "p99 ms", "tries per transfer (max)", "failed", "ledger / it" },
            };
            foreach (var (r, runs) in best.Where(b => b.Best.Subject == "ledger").Concat(peers))
            {
                table.Add(
                [
                    Names.GetValueOrDefault(r.Subject!, r.Subject!),
                    r.Generator!,
                    $"{r.Connections.ToString(CultureInfo.InvariantCulture)} {(r.Generator == "pgbench" ? "clients" : "conns")}",
                    runs.ToString(CultureInfo.InvariantCulture),
                    Report.F(r.TransfersPerSec, "#,0"),
                    r.AttemptsPerSec is { } perSec ? Report.F(perSec, "#,0") : "-",
                    Report.Ms(r.P50Ms), Report.Ms(r.P99Ms),
                    Tries(r),
                    r.Errors.Values.Sum().ToString("#,0", CultureInfo.InvariantCulture),
                    r.Subject == "ledger" ? "" : Ratio(Ours(ours, oursBest, r), r),
                ]);
            }

            text.Append('\n').Append($"Peers, {mix} mix: each subject at its best configuration (highest transfers/s of its runs)\n\n");
            Append(text, table);
            if (peers.Count > 0 && oursBest is not null)
            {
                var top = peers.Select(p => p.Best).MaxBy(p => p.TransfersPerSec)!;
                text.Append('\n').Append(
                    $"- best peer: {Names.GetValueOrDefault(top.Subject!, top.Subject!)} ({top.Generator}, {top.Connections} {(top.Generator == "pgbench" ? "clients" : "conns")}), " +
                    $"{Report.F(top.TransfersPerSec, "#,0")}/s; the ledger's best, {Report.F(oursBest.TransfersPerSec, "#,0")}/s ({oursBest.Generator}, {oursBest.Connections} conns), " +
                    $"is {Ratio(oursBest, top)} of it\n");
            }
        }

        if (text.Length > 0)
        {
            text.Append("""

                Columns of the peers tables:
                - ledger / it: the ledger's transfers/s over the peer's; against an HTTP peer, the ledger's row of the same generator,
                  against a database-only peer (pgbench), the ledger's best row.
                - requests/s: tries sent per second, retries included; tries per transfer: tries sent / transfers attempted.
                - failed: transfers that failed every try.
                - wrk does not retry (its Lua cannot tie an answer to its request): every answer other than 201 counts as failed, the
                  next request is a fresh transfer, and latency is per request; the other generators time a transfer from its first
                  try to its last answer.

                """);
        }

        return text.ToString();
    }

    private static ScenarioResult? Ours(List<ScenarioResult> ours, ScenarioResult? oursBest, ScenarioResult peer) =>
        peer.Generator == "pgbench" ? oursBest : ours.FirstOrDefault(o => o.Generator == peer.Generator);

    private static string Ratio(ScenarioResult? ours, ScenarioResult peer) =>
        ours is not null && peer.TransfersPerSec > 0 ? Report.F(ours.TransfersPerSec / peer.TransfersPerSec, "0.00") + "x" : "-";

    private static string Tries(ScenarioResult r) =>
        r.Attempts is { } a && r.Requests > 0
            ? $"{Report.F(a / (double)r.Requests, "0.00")} ({(r.MaxTries ?? 1).ToString(CultureInfo.InvariantCulture)})"
            : "-";

    private static void Append(StringBuilder text, List<string[]> table)
    {
        var columns = table[0].Length;
        var widths = Enumerable.Range(0, columns).Select(c => table.Max(row => row[c].Length)).ToArray();
        for (var i = 0; i < table.Count; i++)
        {
            text.Append("| ");
            for (var c = 0; c < columns; c++)
            {
                text.Append(c < 2 ? table[i][c].PadRight(widths[c]) : table[i][c].PadLeft(widths[c])).Append(" | ");
            }

            text.Length -= 1;
            text.Append('\n');
            if (i == 0)
            {
                text.Append('|');
                for (var c = 0; c < columns; c++)
                {
                    text.Append(c < 2 ? ":" : "-").Append(new string('-', widths[c])).Append(c < 2 ? "-|" : ":|");
                }

                text.Append('\n');
            }
        }
    }
}
