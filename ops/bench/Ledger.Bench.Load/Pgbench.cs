using System.Globalization;
using System.Text.RegularExpressions;

namespace Ledger.Bench.Load;

/// <summary>
/// Runs one SQL baseline with pgbench: a warm-up, then the measured run with per-transaction logs (-l),
/// from which the latency percentiles are computed; CPU of the cluster is read around the run. Failed
/// transactions (serialization or deadlock after --max-tries tries) and retries are counted, as a client
/// that retries would see them.
/// </summary>
internal static partial class Pgbench
{
    public static async Task<ScenarioResult> RunAsync(Cli cli)
    {
        var pgbench = cli.Str("pgbench", "pgbench");
        var host = cli.Str("host", "127.0.0.1");
        if (!System.Net.IPAddress.TryParse(host, out var address) || !System.Net.IPAddress.IsLoopback(address))
        {
            throw new UsageException($"--host must be a loopback address, got '{host}'");
        }

        var label = cli.Str("label");
        var clients = Math.Max(1, cli.Int("clients", 64));
        var threads = Math.Max(1, cli.Int("threads", Environment.ProcessorCount));
        var warmup = cli.Int("warmup", 3);
        var duration = Math.Max(1, cli.Int("duration", 20));
        var logDir = cli.Str("log-dir");
        var pgPid = cli.IntOrNull("pg-pid");
        var clkTck = Math.Max(1, cli.Int("clk-tck", 100));
        var maxTries = Math.Max(1, cli.Int("max-tries", 10));
        string[] common =
        [
            "-h", host, "-p", cli.Str("port"), "-U", cli.Str("user", "ledger"),
            "-n", "-M", "prepared", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", threads.ToString(CultureInfo.InvariantCulture),
            "-f", cli.Str("script"), "-D", $"naccounts={cli.Int("accounts", 10_000)}",
            $"--max-tries={maxTries}", "--failures-detailed",
        ];

        if (warmup > 0)
        {
            await ChildProcess.RunAsync(pgbench, [.. common, "-T", warmup.ToString(CultureInfo.InvariantCulture), cli.Str("db")], TimeSpan.FromSeconds(warmup + 60));
        }

        Directory.CreateDirectory(logDir);
        var prefix = Path.Combine(logDir, label);
        foreach (var old in Directory.EnumerateFiles(logDir, label + ".*"))
        {
            File.Delete(old);
        }

        var cpu = new CpuWindow(null, pgPid, clkTck);
        cpu.Start();
        var (exit, stdout, stderr) = await ChildProcess.RunAsync(
            pgbench,
            [.. common, "-T", duration.ToString(CultureInfo.InvariantCulture), "-l", $"--log-prefix={prefix}", cli.Str("db")],
            TimeSpan.FromSeconds(duration + 120));
        cpu.Stop();
        await File.WriteAllTextAsync(prefix + ".out", stdout + stderr);

        var histogram = new LatencyHistogram();
        var failures = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long ok = 0;
        long retried = 0;
        long retries = 0;
        foreach (var file in Directory.EnumerateFiles(logDir, Path.GetFileName(prefix) + ".*").Where(f => !f.EndsWith(".out", StringComparison.Ordinal)))
        {
            foreach (var line in File.ReadLines(file))
            {
                // client_id transaction_no time script_no time_epoch time_us [retries]; time names the failure
                // (serialization, deadlock) of a transaction that failed every try.
                var f = line.Split(' ');
                if (f.Length < 6)
                {
                    continue;
                }

                var tries = maxTries > 1 && f.Length >= 7 && long.TryParse(f[^1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var r) ? r : 0;
                retries += tries;
                if (long.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var micros))
                {
                    ok++;
                    histogram.Record(micros);
                    if (tries > 0)
                    {
                        retried++;
                    }
                }
                else
                {
                    failures[$"failed/{f[2]}"] = failures.GetValueOrDefault($"failed/{f[2]}") + 1;
                }
            }
        }

        var tps = TpsLine().Match(stdout) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : ok / (double)duration;
        var avg = LatencyAverage().Match(stdout) is { Success: true } a ? double.Parse(a.Groups[1].Value, CultureInfo.InvariantCulture) : histogram.MeanMs;
        var failed = failures.Values.Sum();
        var notes = new List<string> { $"pgbench average latency {avg.ToString("0.00", CultureInfo.InvariantCulture)} ms" };
        if (retried > 0)
        {
            notes.Add($"{retried} transactions succeeded only after a retry, {retries} retries in all (max {maxTries} tries)");
        }

        if (exit != 0)
        {
            notes.Add($"pgbench exited with {exit}: {ChildProcess.FirstLines(stderr, 3)}");
        }

        return new ScenarioResult
        {
            Label = label,
            Kind = "baseline",
            Subject = cli.StrOrNull("subject"),
            Mix = cli.StrOrNull("mix"),
            Generator = "pgbench",
            MaxTries = maxTries,
            Attempts = ok + failed + retries,
            // pgbench's rate leaves out connection time, so tries are scaled from it rather than from the nominal duration.
            AttemptsPerSec = ok > 0 ? tps * (ok + failed + retries) / ok : null,
            Retried = retried,
            Connections = clients,
            DurationS = duration,
            Requests = ok + failed,
            Transfers = ok,
            TransfersPerSec = tps,
            P50Ms = histogram.PercentileMs(50),
            P99Ms = histogram.PercentileMs(99),
            P999Ms = histogram.PercentileMs(99.9),
            MaxMs = histogram.MaxMs,
            MeanMs = histogram.MeanMs,
            Errors = failures,
            PgCpu = cpu.PgShare,
            StealCpu = cpu.StealShare,
            Note = string.Join("; ", notes),
        };
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsLine();

    [GeneratedRegex(@"latency average = ([0-9.]+) ms")]
    private static partial Regex LatencyAverage();
}
