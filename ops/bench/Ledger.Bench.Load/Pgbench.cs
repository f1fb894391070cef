using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Ledger.Bench.Load;

/// <summary>
/// Runs the naive baseline with pgbench: a short warm-up, then the measured run with per-transaction logs
/// (-l), from which the latency percentiles are computed; CPU of the cluster is read around the run.
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
        var maxTries = Math.Max(1, cli.Int("max-tries", 3));
        string[] common =
        [
            "-h", host, "-p", cli.Str("port"), "-U", cli.Str("user", "ledger"),
            "-n", "-M", "prepared", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", threads.ToString(CultureInfo.InvariantCulture),
            "-f", cli.Str("script"), "-D", $"naccounts={cli.Int("accounts", 10_000)}",
            $"--max-tries={maxTries}", "--failures-detailed",
        ];

        if (warmup > 0)
        {
            await ExecAsync(pgbench, [.. common, "-T", warmup.ToString(CultureInfo.InvariantCulture), cli.Str("db")], TimeSpan.FromSeconds(warmup + 60));
        }

        Directory.CreateDirectory(logDir);
        var prefix = Path.Combine(logDir, label);
        foreach (var old in Directory.EnumerateFiles(logDir, label + ".*"))
        {
            File.Delete(old);
        }

        var cpu = new CpuWindow(null, pgPid, clkTck);
        cpu.Start();
        var (exit, stdout, stderr) = await ExecAsync(
            pgbench,
            [.. common, "-T", duration.ToString(CultureInfo.InvariantCulture), "-l", $"--log-prefix={prefix}", cli.Str("db")],
            TimeSpan.FromSeconds(duration + 120));
        cpu.Stop();
        await File.WriteAllTextAsync(prefix + ".out", stdout + stderr);

        var histogram = new LatencyHistogram();
        var failures = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long ok = 0;
        long retried = 0;
        foreach (var file in Directory.EnumerateFiles(logDir, Path.GetFileName(prefix) + ".*").Where(f => !f.EndsWith(".out", StringComparison.Ordinal)))
        {
            foreach (var line in File.ReadLines(file))
            {
                // client_id transaction_no time script_no time_epoch time_us [retries]
                var f = line.Split(' ');
                if (f.Length < 6)
                {
                    continue;
                }

                if (long.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var micros))
                {
                    ok++;
                    histogram.Record(micros);
                }
                else
                {
                    failures[$"failed/{f[2]}"] = failures.GetValueOrDefault($"failed/{f[2]}") + 1;
                }

                if (maxTries > 1 && f.Length >= 7 && long.TryParse(f[^1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var r) && r > 0)
                {
                    retried++;
                }
            }
        }

        var tps = TpsLine().Match(stdout) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : ok / (double)duration;
        var avg = LatencyAverage().Match(stdout) is { Success: true } a ? double.Parse(a.Groups[1].Value, CultureInfo.InvariantCulture) : histogram.MeanMs;
        var notes = new List<string> { $"pgbench average latency {avg.ToString("0.00", CultureInfo.InvariantCulture)} ms" };
        if (retried > 0)
        {
            notes.Add($"{retried} transactions succeeded only after a retry (max {maxTries} tries)");
        }

        if (exit != 0)
        {
            notes.Add($"pgbench exited with {exit}: {FirstLines(stderr, 3)}");
        }

        return new ScenarioResult
        {
            Label = label,
            Kind = "baseline",
            Connections = clients,
            DurationS = duration,
            Requests = ok + failures.Values.Sum(),
            Transfers = ok,
            TransfersPerSec = tps,
            P50Ms = histogram.PercentileMs(50),
            P99Ms = histogram.PercentileMs(99),
            P999Ms = histogram.PercentileMs(99.9),
            MaxMs = histogram.MaxMs,
            MeanMs = histogram.MeanMs,
            Errors = failures,
            PgCpu = cpu.PgShare,
            Note = string.Join("; ", notes),
        };
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> ExecAsync(string file, string[] args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    private static string FirstLines(string text, int n) =>
        string.Join(" / ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(n));

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsLine();

    [GeneratedRegex(@"latency average = ([0-9.]+) ms")]
    private static partial Regex LatencyAverage();
}
