using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ledger.Bench.Load;

internal sealed class LagSummary
{
    public int Samples { get; set; }
    public double P50Ms { get; set; }
    public double P99Ms { get; set; }
    public double MaxMs { get; set; }
    public long MaxLagEvents { get; set; }
}

/// <summary>One row of the table; appended as a JSON line to the results file by each scenario.</summary>
internal sealed class ScenarioResult
{
    public string Label { get; set; } = "";
    /// <summary>api | baseline</summary>
    public string Kind { get; set; } = "api";
    /// <summary>What served the load, for the peers table (<see cref="PeersTable"/>); null keeps a row out of it.</summary>
    public string? Subject { get; set; }
    /// <summary>uniform | hot</summary>
    public string? Mix { get; set; }
    /// <summary>loadgen (this program) | wrk | pgbench</summary>
    public string? Generator { get; set; }
    public int? MaxTries { get; set; }
    /// <summary>Requests or transactions sent inside the window, retries included.</summary>
    public long? Attempts { get; set; }
    public double? AttemptsPerSec { get; set; }
    /// <summary>Transfers that succeeded only after a retry.</summary>
    public long? Retried { get; set; }
    public int Connections { get; set; }
    public double DurationS { get; set; }
    public long Requests { get; set; }
    public long Transfers { get; set; }
    public double TransfersPerSec { get; set; }
    public double? TargetRate { get; set; }
    public double? P50Ms { get; set; }
    public double? P99Ms { get; set; }
    public double? P999Ms { get; set; }
    public double? MaxMs { get; set; }
    public double? MeanMs { get; set; }
    public SortedDictionary<string, long> Errors { get; set; } = new(StringComparer.Ordinal);
    public double? ApiPeakRssMiB { get; set; }
    public double? PgCpu { get; set; }
    public double? ApiCpu { get; set; }
    public double? GenCpu { get; set; }
    public double? StealCpu { get; set; }
    public double? ApiRunQueue { get; set; }
    public double? PgRunQueue { get; set; }
    public LagSummary? LagBalances { get; set; }
    public LagSummary? LagTransactions { get; set; }
    public double? CatchUpS { get; set; }
    public double? CommitsPerSec { get; set; }
    public double? DecisionsPerCommit { get; set; }
    public string? Note { get; set; }

    public void Append(string path)
    {
        var line = JsonSerializer.Serialize(this, ResultsJson.Default.ScenarioResult);
        File.AppendAllText(path, line + "\n");
    }

    public static List<ScenarioResult> ReadAll(string path) =>
        File.Exists(path)
            ? File.ReadAllLines(path).Where(l => l.Length > 0)
                .Select(l => JsonSerializer.Deserialize(l, ResultsJson.Default.ScenarioResult)!).ToList()
            : [];
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ScenarioResult))]
internal sealed partial class ResultsJson : JsonSerializerContext;

/// <summary>Prints the one table of a run from its results file.</summary>
internal static class Report
{
    /// <summary>
    /// Above this the run is named as disturbed: on the project's VM one run with 13 % stolen did 27 %
    /// fewer transfers than its neighbours (docs/benchmarks.md, "Issue 15, late evening").
    /// </summary>
    internal const double StealWorthNoting = 0.02;

    public static string Render(IReadOnlyList<ScenarioResult> rows)
    {
        var header = new[]
        {
            "scenario", "conns", "transfers/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms",
            "errors by status", "API peak RSS MiB", "PG CPU", "API CPU", "loadgen CPU",
        };
        var table = new List<string[]> { header };
        foreach (var r in rows)
        {
            var tps = r.Note is { } note && note.StartsWith("n/a", StringComparison.Ordinal) ? note : F(r.TransfersPerSec, "#,0");
            table.Add(
            [
                r.Label,
                r.Connections == 0 ? "-" : r.Connections.ToString(CultureInfo.InvariantCulture),
                tps,
                Ms(r.P50Ms), Ms(r.P99Ms), Ms(r.P999Ms), Ms(r.MaxMs),
                Errors(r),
                r.ApiPeakRssMiB is { } rss ? F(rss, "0") : "-",
                Pct(r.PgCpu), Pct(r.ApiCpu), Pct(r.GenCpu),
            ]);
        }

        foreach (var r in rows)
        {
            AddLag(table, r, "balances", r.LagBalances);
            AddLag(table, r, "transactions", r.LagTransactions);
        }

        var widths = Enumerable.Range(0, header.Length).Select(c => table.Max(row => row[c].Length)).ToArray();
        var text = new StringBuilder();
        for (var i = 0; i < table.Count; i++)
        {
            text.Append("| ");
            for (var c = 0; c < header.Length; c++)
            {
                var cell = table[i][c];
                text.Append(c is 0 or 7 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c])).Append(" | ");
            }

            text.Length -= 1;
            text.Append('\n');
            if (i == 0)
            {
                text.Append('|');
                for (var c = 0; c < header.Length; c++)
                {
                    text.Append(c is 0 or 7 ? ":" : "-").Append(new string('-', widths[c])).Append(c is 0 or 7 ? "-|" : ":|");
                }

                text.Append('\n');
            }
        }

        var notes = rows.Where(r => r.Note is not null || r.StealCpu > StealWorthNoting || (r.ApiRunQueue is not null && r.PgRunQueue is not null) || r.CatchUpS is not null || r.TargetRate is not null || r.Attempts > r.Requests).ToList();
        if (notes.Count > 0)
        {
            text.Append('\n');
            foreach (var r in notes)
            {
                var parts = new List<string>();
                if (r.TargetRate is { } rate)
                {
                    parts.Add($"target {F(rate, "#,0")}/s, latency measured from each request's intended send time");
                }

                if (r.MeanMs is { } mean)
                {
                    parts.Add($"mean {F(mean, "0.0")} ms");
                }

                if (r.CommitsPerSec is { } commits && r.DecisionsPerCommit is { } perCommit)
                {
                    parts.Add($"{F(commits, "#,0")} write transactions/s, {F(perCommit, "0.0")} decisions each (API metric ledger.write.batch_size)");
                }

                if (r.Attempts is { } attempts && r.Generator != "pgbench" && attempts > r.Requests)
                {
                    parts.Add($"{attempts.ToString(CultureInfo.InvariantCulture)} attempts for {r.Requests.ToString(CultureInfo.InvariantCulture)} transfers, " +
                        $"{(r.Retried ?? 0).ToString(CultureInfo.InvariantCulture)} succeeded only after a retry (max {r.MaxTries} tries)");
                }

                if (r.CatchUpS is { } catchUp)
                {
                    parts.Add($"projections caught up {F(catchUp, "0.0")} s after the window");
                }

                if (r.Note is { } note)
                {
                    parts.Add(note);
                }

                if (r.ApiRunQueue is { } apiWaiting && r.PgRunQueue is { } pgWaiting)
                {
                    parts.Add($"waiting for a core on average: {F(apiWaiting, "0.00")} API threads, {F(pgWaiting, "0.00")} PostgreSQL processes");
                }

                if (r.StealCpu is { } steal && steal > StealWorthNoting)
                {
                    parts.Add($"the hypervisor stole {F(steal * 100, "0.0")} % of the machine's CPU time (another guest ran): compare with care");
                }

                text.Append("- ").Append(r.Label).Append(": ").Append(string.Join("; ", parts)).Append('\n');
            }
        }

        return text.ToString();
    }

    private static void AddLag(List<string[]> table, ScenarioResult r, string name, LagSummary? lag)
    {
        if (lag is null)
        {
            return;
        }

        table.Add(
        [
            $"lag: {name} (during {r.Label})", "-", $"{lag.Samples} samples",
            Ms(lag.P50Ms), Ms(lag.P99Ms), "-", Ms(lag.MaxMs),
            $"max lagEvents {lag.MaxLagEvents.ToString(CultureInfo.InvariantCulture)}", "-", "-", "-", "-",
        ]);
    }

    private static string Errors(ScenarioResult r) =>
        r.Errors.Count == 0 ? "none" : string.Join(" ", r.Errors.Select(e => $"{e.Key}:{e.Value.ToString(CultureInfo.InvariantCulture)}"));

    internal static string Ms(double? ms) => ms is { } v ? F(v, v < 10 ? "0.00" : v < 100 ? "0.0" : "0") : "-";

    private static string Pct(double? share) => share is { } v ? F(v * 100, "0") + "%" : "-";

    internal static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
}
