using System.Diagnostics;

namespace Ledger.Bench.Load;

/// <summary>Runs an external load tool (pgbench, wrk) to its end, bounded in time.</summary>
internal static class ChildProcess
{
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout)
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

    /// <summary>
    /// CPU ticks of this process's children that have exited and been reaped: a load tool's own CPU, read
    /// before and after its run, since its /proc entry is gone once it exits.
    /// </summary>
    public static long ReapedChildrenTicks()
    {
        var pid = Environment.ProcessId;
        return (ProcStats.Ticks(pid, withReapedChildren: true) ?? 0) - (ProcStats.Ticks(pid, withReapedChildren: false) ?? 0);
    }

    public static string FirstLines(string text, int n) =>
        string.Join(" / ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(n));
}
