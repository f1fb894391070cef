using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ledger.Chaos.Storm;

/// <summary>
/// W workers post transfers with client-chosen ids to the given base URLs (worker w's n-th request goes
/// to URL (w + n) mod count, and every retry moves on to the next URL), for a bounded time. A transfer
/// that gets no answer, a reset, a timeout, a 503 or a 429 is retried with the same id and body: the
/// id is the idempotency key, so a retry either replays the committed result (200) or commits it now.
/// Every id answered 2xx is appended to the acknowledged file (one line each, flushed at once), before
/// anything else happens, so a crash of anything after the answer cannot lose the record. A line is
/// <c>id answeredMs status urlIndex sentMs</c> (Unix milliseconds; sentMs is when the successful attempt began).
/// </summary>
public static class Storm
{
    private sealed record Account(Guid Id, string Currency);

    public static async Task<int> RunAsync(Args args, CancellationToken ct)
    {
        var urls = args.LoopbackUrls("base-url");
        var accountsFile = args.Required("accounts");
        var workers = args.Int("workers", 16, 1, 512);
        var duration = args.Int("duration", 60, 1, 1800);
        var stopFile = args.Optional("stop-file");
        var ackedPath = args.Required("acked");
        var eventsPath = args.Optional("events");
        var summaryPath = args.Optional("summary");
        var healthPath = args.Optional("health-log");
        var requestTimeout = args.Int("request-timeout", 20, 1, 300);
        var hangMs = args.Int("hang-ms", 10_000, 100, 300_000);
        var retries = args.Int("retries", 40, 0, 10_000);
        var grace = args.Int("grace", 20, 0, 300);
        var readRatio = args.Double("read-ratio", 0.1, 0, 1);
        var maxAmount = args.Long("max-amount", 100, 1, 1_000_000);
        var key = Commands.Key(args.Text("key-env", "CHAOS_CLIENT_KEY"));
        args.RejectUnknown();

        var accounts = (await File.ReadAllLinesAsync(accountsFile, ct))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length == 2)
            .Select(p => new Account(Guid.Parse(p[0]), p[1]))
            .GroupBy(a => a.Currency, StringComparer.Ordinal)
            .Select(g => g.ToArray())
            .Where(g => g.Length >= 2)
            .ToArray();
        if (accounts.Length == 0) throw new ArgumentException($"{accountsFile} has no currency with two accounts or more");

        var tally = new Tally(hangMs);
        await using var acked = new LineLog(ackedPath, int.MaxValue);
        await using var events = eventsPath is null ? null : new LineLog(eventsPath, 200_000);
        await using var health = healthPath is null ? null : new LineLog(healthPath, 100_000);
        using var api = new Api(TimeSpan.FromSeconds(requestTimeout), workers * 2);

        // Soft stop: no new transfer starts (duration reached, stop file, Ctrl-C). Hard stop: a transfer
        // still retrying gives up (its outcome is then unknown, and counted as such).
        using var soft = CancellationTokenSource.CreateLinkedTokenSource(ct);
        soft.CancelAfter(TimeSpan.FromSeconds(duration));
        using var hard = CancellationTokenSource.CreateLinkedTokenSource(ct);
        hard.CancelAfter(TimeSpan.FromSeconds(duration + grace));
        soft.Token.Register(() => hard.CancelAfter(TimeSpan.FromSeconds(grace)));
        var watcher = Task.Run(async () =>
        {
            while (!soft.IsCancellationRequested)
            {
                if (stopFile is not null && File.Exists(stopFile)) await soft.CancelAsync();
                await Task.Delay(50, CancellationToken.None);
            }
        }, CancellationToken.None);
        var prober = health is null ? Task.CompletedTask : Task.Run(() => ProbeHealthAsync(api, urls, health, tally, soft.Token), CancellationToken.None);

        var recent = new string?[4096]; // references: a store is atomic, a 16-byte Guid is not
        var recentCount = 0L;
        var started = Stopwatch.GetTimestamp();
        var startedMs = Api.NowMs();
        Console.WriteLine($"storm: {workers} workers on {string.Join(", ", urls)} for at most {duration} s " +
                          $"({accounts.Sum(a => a.Length)} accounts in {accounts.Length} currencies)");

        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var n = 0L;
            while (!soft.IsCancellationRequested)
            {
                n++;
                var count = Interlocked.Read(ref recentCount);
                if (count > 0 && Random.Shared.NextDouble() < readRatio)
                {
                    // A slot may still be empty while another worker is between counting and storing.
                    var pick = recent[Random.Shared.Next((int)Math.Min(count, recent.Length))];
                    if (pick is not null)
                    {
                        await ReadAsync(api, urls[(int)((w + n) % urls.Count)], key, pick, accounts, tally, events, hard.Token);
                        continue;
                    }
                }
                var group = accounts[Random.Shared.Next(accounts.Length)];
                var from = group[Random.Shared.Next(group.Length)];
                Account to;
                do to = group[Random.Shared.Next(group.Length)]; while (to.Id == from.Id);
                var id = Guid.NewGuid();
                var body = JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["id"] = id, ["fromAccountId"] = from.Id, ["toAccountId"] = to.Id,
                    ["amount"] = Random.Shared.NextInt64(1, maxAmount + 1), ["currency"] = from.Currency, ["reference"] = "chaos storm",
                });
                var resolved = false;
                for (var attempt = 0; attempt <= retries && !hard.IsCancellationRequested; attempt++)
                {
                    var target = (int)((w + n + attempt) % urls.Count);
                    Reply reply;
                    var sentMs = Api.NowMs();
                    try
                    {
                        reply = await api.PostAsync(new Uri(urls[target], "transfers"), key, body, hard.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                    var code = reply.IsSuccess ? null : reply.ProblemCode();
                    if (reply.IsSuccess)
                    {
                        // The record first: it is the proof that the server acknowledged this id.
                        await acked.WriteAsync($"{id} {Api.NowMs()} {reply.Status} {target} {sentMs}");
                        tally.Count("POST", reply, null);
                        if (!SameId(reply.Body, id)) tally.Violation($"2xx for {id} carried another id: {Truncate(reply.Body)}");
                        if (attempt > 0) tally.Add(reply.Status == 200 ? "retry-replayed-200" : "retry-committed-201");
                        recent[(Interlocked.Increment(ref recentCount) - 1) % recent.Length] = id.ToString();
                        resolved = true;
                        break;
                    }
                    tally.Count("POST", reply, code);
                    events?.TryWrite($"{Api.NowMs()} POST {reply.Label} {code ?? "-"} {reply.LatencyMs:F0} {target}");
                    if (reply.Status == 422)
                    {
                        resolved = true; // a business rejection is an answer too (and remembered)
                        break;
                    }
                    if (!reply.IsTransportFailure && reply.Status is not (503 or 429))
                    {
                        tally.Violation($"POST /transfers {id} answered {reply.Status}: {Truncate(reply.Body)}");
                        resolved = true;
                        break;
                    }
                    try
                    {
                        await Task.Delay(Backoff(attempt), hard.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
                if (!resolved)
                {
                    tally.Add("unknown-outcome");
                    events?.TryWrite($"{Api.NowMs()} UNKNOWN {id}");
                }
            }
        }, CancellationToken.None)));
        await soft.CancelAsync();
        await watcher;
        await prober;

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var summary = tally.Summary(startedMs, seconds);
        if (summaryPath is not null) await File.WriteAllTextAsync(summaryPath, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }), ct);
        Console.WriteLine(tally.Describe(seconds));
        var failures = tally.Failures();
        Console.WriteLine(failures.Count == 0
            ? $"storm PASS: {tally.Get("acked")} transfers acknowledged, no 5xx other than 503, no answer slower than {hangMs} ms"
            : $"storm FAIL: {string.Join("; ", failures)}");
        return failures.Count == 0 ? 0 : 1;
    }

    private static async Task ReadAsync(Api api, Uri url, string key, string transferId, Account[][] accounts, Tally tally, LineLog? events, CancellationToken ct)
    {
        Reply reply;
        string what;
        try
        {
            if (Random.Shared.Next(2) == 0)
            {
                what = "GET-transfer";
                reply = await api.GetAsync(new Uri(url, $"transfers/{transferId}"), key, ct);
                if (reply.Status == 404) tally.Violation($"GET /transfers/{transferId} (acknowledged) answered 404");
            }
            else
            {
                what = "GET-balance";
                var group = accounts[Random.Shared.Next(accounts.Length)];
                var account = group[Random.Shared.Next(group.Length)];
                reply = await api.GetAsync(new Uri(url, $"accounts/{account.Id}/balance"), key, ct);
                if (reply.Status == 404) tally.Violation($"GET /accounts/{account.Id}/balance (seeded account) answered 404");
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        var code = reply.IsSuccess ? null : reply.ProblemCode();
        tally.Count(what, reply, code);
        if (!reply.IsSuccess)
        {
            events?.TryWrite($"{Api.NowMs()} {what} {reply.Label} {code ?? "-"} {reply.LatencyMs:F0}");
            if (!reply.IsTransportFailure && reply.Status is not (503 or 429 or 404))
                tally.Violation($"{what} answered {reply.Status}: {Truncate(reply.Body)}");
            await Task.Delay(Backoff(1), CancellationToken.None);
        }
    }

    /// <summary>Every 200 ms, GET /health/ready on each instance; a line per change of answer.</summary>
    private static async Task ProbeHealthAsync(Api api, IReadOnlyList<Uri> urls, LineLog log, Tally tally, CancellationToken ct)
    {
        var last = new string[urls.Count];
        while (!ct.IsCancellationRequested)
        {
            for (var i = 0; i < urls.Count; i++)
            {
                Reply reply;
                try
                {
                    reply = await api.GetAsync(new Uri(urls[i], "health/ready"), null, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                tally.Count("health", reply, null);
                if (reply.Status >= 500 && reply.Status != 503) tally.Violation($"GET /health/ready answered {reply.Status}");
                if (reply.Label != last[i])
                {
                    last[i] = reply.Label;
                    log.TryWrite($"{Api.NowMs()} {i} {reply.Label} {reply.LatencyMs:F0}");
                }
            }
            try
            {
                await Task.Delay(200, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(1000, 50 * (1 << Math.Min(attempt, 5))) * (0.5 + Random.Shared.NextDouble() / 2));

    private static bool SameId(string body, Guid id)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("id", out var value) && value.GetGuid() == id;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return false;
        }
    }

    internal static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";
}

/// <summary>Thread-safe counters of answers, latencies and contract violations.</summary>
public sealed class Tally(int hangMs)
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, double> _maxLatency = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _violations = new();
    private long _violationCount;

    public void Add(string name, long by = 1) => _counts.AddOrUpdate(name, by, (_, v) => v + by);

    public long Get(string name) => _counts.TryGetValue(name, out var v) ? v : 0;

    public void Count(string what, Reply reply, string? code)
    {
        var label = code is null ? reply.Label : $"{reply.Label}:{code}";
        Add($"{what} {label}");
        _maxLatency.AddOrUpdate($"{what} {reply.Label}", reply.LatencyMs, (_, v) => Math.Max(v, reply.LatencyMs));
        if (what == "POST" && reply.IsSuccess) Add("acked");
        if (reply.IsTimeout || reply.LatencyMs > hangMs)
        {
            Add("slow");
            Violation($"{what} took {reply.LatencyMs:F0} ms ({reply.Label}), more than {hangMs} ms");
        }
        if (reply.Status == 503 && what != "health" && code != "unavailable") Violation($"{what} 503 without code 'unavailable' (code {code ?? "none"})");
        if (reply.Status >= 500 && reply.Status != 503) Add("5xx-not-503");
    }

    public void Violation(string message)
    {
        if (Interlocked.Increment(ref _violationCount) <= 20) _violations.Enqueue(message);
        Add("violations");
    }

    public List<string> Failures()
    {
        var failures = new List<string>();
        if (Get("acked") == 0) failures.Add("no transfer was acknowledged at all");
        if (Get("violations") > 0) failures.Add($"{Get("violations")} contract violation(s), first: {string.Join(" | ", _violations.Take(5))}");
        return failures;
    }

    public Dictionary<string, object> Summary(long startedMs, double seconds) => new()
    {
        ["startedMs"] = startedMs,
        ["seconds"] = Math.Round(seconds, 1),
        ["counts"] = new SortedDictionary<string, long>(_counts, StringComparer.Ordinal),
        ["maxLatencyMs"] = new SortedDictionary<string, double>(_maxLatency.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value)), StringComparer.Ordinal),
        ["violations"] = _violations.ToArray(),
    };

    public string Describe(double seconds)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"storm: {seconds:F1} s, {Get("acked")} acknowledged ({Get("acked") / Math.Max(seconds, 0.001):F0}/s)");
        text.AppendLine();
        foreach (var (name, count) in _counts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var latency = _maxLatency.TryGetValue(name.Split(':')[0], out var ms) ? $"  (max {ms:F0} ms)" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"  {name,-40} {count,9}{latency}");
        }
        return text.ToString().TrimEnd();
    }
}

/// <summary>An append-only text file, one flushed line per record, safe for concurrent writers.</summary>
public sealed class LineLog : IAsyncDisposable
{
    private readonly StreamWriter _writer;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly int _maxLines;
    private int _lines;

    public LineLog(string path, int maxLines)
    {
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)) { AutoFlush = false };
        _maxLines = maxLines;
    }

    public async Task WriteAsync(string line)
    {
        await _gate.WaitAsync();
        try
        {
            _lines++;
            await _writer.WriteLineAsync(line);
            await _writer.FlushAsync(); // one write(2) per line: in the kernel before the next request starts
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Like <see cref="WriteAsync"/>, but silently drops lines beyond the cap (diagnostics only).</summary>
    public void TryWrite(string line)
    {
        if (Volatile.Read(ref _lines) >= _maxLines) return;
        _gate.Wait();
        try
        {
            _lines++;
            _writer.WriteLine(line);
            _writer.Flush();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        _gate.Dispose();
    }
}
