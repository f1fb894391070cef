using System.Globalization;
using System.Text.Json;

namespace Ledger.Bench.Load;

/// <summary>
/// Drives POST /transfers with wrk and its Lua script (ops/bench/wrk/transfers.lua): a load generator written
/// in C that costs the server's two cores far less CPU than this program does, so its figure shows whether
/// this program was the bottleneck. A warm-up run is thrown away; the measured run's Lua summary is read back.
/// </summary>
internal static class Wrk
{
    public static async Task<ScenarioResult> RunAsync(Cli cli)
    {
        var baseUrl = Api.CheckedBaseUrl(cli.Str("base-url"));
        var mix = cli.Str("mix", "uniform");
        if (mix is not ("uniform" or "hot"))
        {
            throw new UsageException($"--mix must be uniform or hot, got '{mix}'");
        }

        var accountsFile = cli.Str("accounts-file");
        // The Lua script checks this too; failing here names the problem before wrk starts.
        _ = new Workload(accountsFile, hot: false, 1, "USD");
        var connections = Math.Max(1, cli.Int("connections", 64));
        var threads = Math.Clamp(cli.Int("threads", Environment.ProcessorCount), 1, connections);
        var warmup = cli.Int("warmup", 3);
        var duration = Math.Max(1, cli.Int("duration", 20));
        var label = cli.Str("label", $"wrk-{mix}-{connections}");
        var clkTck = Math.Max(1, cli.Int("clk-tck", 100));
        var cpu = new CpuWindow(cli.IntOrNull("api-pid"), cli.IntOrNull("pg-pid"), clkTck);

        string[] Args(int seconds) =>
        [
            "-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
            "-d", $"{seconds.ToString(CultureInfo.InvariantCulture)}s", "--timeout", "30s",
            "-s", cli.Str("script"), baseUrl.ToString(), "--", accountsFile, mix, cli.Str("currency", "USD"),
        ];

        var wrk = cli.Str("wrk", "wrk");
        if (warmup > 0)
        {
            await ChildProcess.RunAsync(wrk, Args(warmup), TimeSpan.FromSeconds(warmup + 60));
        }

        var genBefore = ChildProcess.ReapedChildrenTicks();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        cpu.Start();
        var (exit, stdout, stderr) = await ChildProcess.RunAsync(wrk, Args(duration), TimeSpan.FromSeconds(duration + 60));
        cpu.Stop();
        var wall = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        var genShare = (ChildProcess.ReapedChildrenTicks() - genBefore) / (double)clkTck / (wall * Environment.ProcessorCount);

        var line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith("wrk-result ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no summary (exit {exit}): {ChildProcess.FirstLines(stderr + stdout, 5)}");
        using var summary = JsonDocument.Parse(line["wrk-result ".Length..]);
        var root = summary.RootElement;
        var seconds = root.GetProperty("durationUs").GetDouble() / 1e6;
        var errors = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long ok = 0;
        foreach (var status in root.GetProperty("statuses").EnumerateObject())
        {
            var count = status.Value.GetInt64();
            if (status.Name is "200" or "201")
            {
                ok += count;
            }
            else
            {
                errors[status.Name] = count;
            }
        }

        foreach (var (kind, name) in new[] { ("connect", "connectErrors"), ("read", "readErrors"), ("write", "writeErrors"), ("timeout", "timeouts") })
        {
            if (root.GetProperty(name).GetInt64() is var n and > 0)
            {
                errors[$"exc/{kind}"] = n;
            }
        }

        var requests = root.GetProperty("requests").GetInt64();
        var notes = new List<string> { $"wrk, {threads} threads, latency per request" };
        if (exit != 0)
        {
            notes.Add($"wrk exited with {exit}: {ChildProcess.FirstLines(stderr, 3)}");
        }

        double? catchUp = null;
        if (Environment.GetEnvironmentVariable("BENCH_AUDITOR_KEY") is { Length: > 0 } auditorKey && cli.Double("catch-up-timeout", 120) is > 0 and var timeout)
        {
            using var auditor = Api.Client(baseUrl, auditorKey, 2, TimeSpan.FromSeconds(5));
            catchUp = await Scenarios.CatchUpAsync(auditor, TimeSpan.FromSeconds(timeout));
        }

        return new ScenarioResult
        {
            Label = label,
            CatchUpS = catchUp,
            Subject = cli.Str("subject", "ledger"),
            Mix = mix,
            Generator = "wrk",
            MaxTries = 1,
            Connections = connections,
            DurationS = seconds,
            Requests = requests,
            Attempts = requests,
            AttemptsPerSec = requests / seconds,
            Transfers = ok,
            TransfersPerSec = ok / seconds,
            P50Ms = Ms(root, "p50Us"),
            P99Ms = Ms(root, "p99Us"),
            P999Ms = Ms(root, "p999Us"),
            MaxMs = Ms(root, "maxUs"),
            MeanMs = Ms(root, "meanUs"),
            Errors = errors,
            PgCpu = cpu.PgShare,
            StealCpu = cpu.StealShare,
            ApiRunQueue = cpu.ApiRunQueue,
            PgRunQueue = cpu.PgRunQueue,
            ApiCpu = cpu.ApiShare,
            GenCpu = genShare,
            ApiPeakRssMiB = cli.IntOrNull("api-pid") is { } pid && ProcStats.StatusKb(pid, "VmHWM") is { } kb ? kb / 1024.0 : null,
            Note = string.Join("; ", notes),
        };
    }

    private static double Ms(JsonElement root, string name) => root.GetProperty(name).GetDouble() / 1000.0;
}
