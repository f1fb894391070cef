using System.Diagnostics;

namespace Ledger.Chaos.Storm;

/// <summary>
/// SQL through the psql binary (the tool takes no packages, so no Npgsql). The password comes from
/// PGPASSWORD in the environment, never from the command line.
/// </summary>
public sealed class Psql(string binary, string host, int port, string user, string database, TimeSpan timeout)
{
    private readonly TimeSpan _timeout = timeout;
    private const char Separator = '\u001f';

    public static Psql From(Args args)
    {
        var host = args.Text("pg-host", "127.0.0.1");
        if (host is not ("127.0.0.1" or "localhost")) throw new ArgumentException("--pg-host must be 127.0.0.1: the chaos suite stays on loopback");
        return new Psql(
            args.Text("psql", "/usr/lib/postgresql/15/bin/psql"),
            host,
            args.Int("pg-port", 54329, 1, 65535),
            args.Text("pg-user", "ledger"),
            args.Text("pg-db", "ledger"),
            TimeSpan.FromSeconds(args.Int("sql-timeout", 120, 5, 900)));
    }

    public string Describe => $"{user}@{host}:{port}/{database}";

    /// <summary>Rows of the last result of <paramref name="sql"/>, fields split; stdin may carry COPY data.</summary>
    public async Task<List<string[]>> QueryAsync(string sql, CancellationToken ct, string? stdin = null)
    {
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-X", "-w", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-F", Separator.ToString(),
                     "-h", host, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", user, "-d", database })
            start.ArgumentList.Add(a);
        start.Environment["PGCONNECT_TIMEOUT"] = "10";
        start.Environment["PGAPPNAME"] = "chaos-verify";
        // The script comes on stdin so COPY ... FROM STDIN data can follow it.
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {binary}");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.StandardInput.WriteAsync(sql.TrimEnd().TrimEnd(';') + ";\n");
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"psql on {Describe} did not finish within {_timeout.TotalSeconds:F0} s");
        }
        var text = await output;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"psql on {Describe} failed ({process.ExitCode}): {(await errors).Trim()}");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(Separator)).ToList();
    }

    public async Task<string> ScalarAsync(string sql, CancellationToken ct) =>
        (await QueryAsync(sql, ct)).FirstOrDefault()?.FirstOrDefault() ?? "";

    /// <summary>A schema name as a quoted SQL identifier.</summary>
    public static string Ident(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
