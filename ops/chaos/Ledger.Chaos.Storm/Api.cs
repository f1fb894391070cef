using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Ledger.Chaos.Storm;

/// <summary>What one HTTP exchange gave: a status, or a transport failure (no status at all).</summary>
public readonly record struct Reply(int Status, string Body, double LatencyMs, string? Failure)
{
    /// <summary>Connection refused/reset, or the request did not complete in time.</summary>
    public bool IsTransportFailure => Failure is not null;
    public bool IsTimeout => Failure == "timeout";
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>The <c>code</c> member of a problem body, if any.</summary>
    public string? ProblemCode()
    {
        if (Body.Length == 0 || Body[0] != '{') return null;
        try
        {
            using var doc = JsonDocument.Parse(Body);
            return doc.RootElement.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A short label for tallies: the status, or the kind of transport failure.</summary>
    public string Label => Failure ?? Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A thin HTTP client for the ledger: one pooled handler, a per-request timeout, never throws for transport errors.</summary>
public sealed class Api : IDisposable
{
    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;

    public Api(TimeSpan requestTimeout, int maxConnections = 512)
    {
        _timeout = requestTimeout;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            ConnectTimeout = TimeSpan.FromSeconds(3),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            UseProxy = false,
            AllowAutoRedirect = false,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public Task<Reply> GetAsync(Uri url, string? apiKey, CancellationToken ct) => SendAsync(HttpMethod.Get, url, apiKey, null, ct);

    public Task<Reply> PostAsync(Uri url, string? apiKey, string json, CancellationToken ct) => SendAsync(HttpMethod.Post, url, apiKey, json, ct);

    private async Task<Reply> SendAsync(HttpMethod method, Uri url, string? apiKey, string? json, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_timeout);
        var started = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(method, url);
        if (apiKey is not null) request.Headers.Add("X-Api-Key", apiKey);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            return new Reply((int)response.StatusCode, body, Elapsed(started), null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Reply(0, "", Elapsed(started), "timeout");
        }
        catch (HttpRequestException e)
        {
            return new Reply(0, "", Elapsed(started), Classify(e));
        }
        catch (IOException)
        {
            return new Reply(0, "", Elapsed(started), "reset");
        }
        catch (SocketException)
        {
            // A socket the killed server left half-open can surface bare, not wrapped by HttpClient.
            return new Reply(0, "", Elapsed(started), "reset");
        }
    }

    private static string Classify(HttpRequestException e) => e.InnerException switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "refused",
        SocketException { SocketErrorCode: SocketError.ConnectionReset } => "reset",
        IOException => "reset",
        _ when e.HttpRequestError == HttpRequestError.ConnectionError => "refused",
        _ when e.HttpRequestError == HttpRequestError.ResponseEnded => "reset",
        _ => "transport",
    };

    private static double Elapsed(long started) => Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public void Dispose() => _http.Dispose();
}

/// <summary>Shared by the commands: waiting for readiness, and the keys from the environment.</summary>
public static class Commands
{
    /// <summary>API keys come from the environment, so they never show in a process list.</summary>
    public static string Key(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } key
            ? key
            : throw new ArgumentException($"environment variable {variable} (an API key) is not set");

    public static async Task<int> WaitReadyAsync(Args args, CancellationToken ct)
    {
        var urls = args.LoopbackUrls("base-url");
        var seconds = args.Int("timeout", 60, 1, 600);
        var pidText = args.Optional("api-pid");
        args.RejectUnknown();
        using var api = new Api(TimeSpan.FromSeconds(3));
        var deadline = Stopwatch.GetTimestamp() + (long)(seconds * (double)Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var pending = urls.ToList();
        var last = "";
        while (Stopwatch.GetTimestamp() < deadline && !ct.IsCancellationRequested)
        {
            if (pidText is not null && !ProcessAlive(pidText))
            {
                Console.WriteLine($"wait-ready FAIL: process {pidText} exited before becoming ready");
                return 1;
            }
            foreach (var url in pending.ToList())
            {
                var reply = await api.GetAsync(new Uri(url, "health/ready"), null, ct);
                if (reply.Status == 200) pending.Remove(url);
                else last = reply.Label;
            }
            if (pending.Count == 0)
            {
                Console.WriteLine($"wait-ready PASS: ready after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
                return 0;
            }
            await Task.Delay(100, ct);
        }
        Console.WriteLine($"wait-ready FAIL: {string.Join(", ", pending)} not ready within {seconds} s (last answer {last})");
        return 1;
    }

    private static bool ProcessAlive(string pid) => Directory.Exists($"/proc/{pid}") &&
        !File.ReadAllText($"/proc/{pid}/stat").Split(')').Last().TrimStart().StartsWith('Z');

    /// <summary>
    /// The advisory lock by which an instance leads a projection, as pg_locks shows it (an int key, so
    /// classid 0). Under Marten's HotCold daemon each shard has its own session lock, whose id Marten
    /// derives from the schema, the shard name and the store's DaemonLockId (JasperFx's
    /// ProjectionLockIds.Compute); the ledger derives DaemonLockId from the schema
    /// (LedgerStoreOptions.DaemonLockId). Both are recomputed here so the chaos suite watches the locks
    /// Marten really takes, not a claim of the API's.
    /// </summary>
    public static (uint ClassId, uint ObjId) LockKeyOf(string schema, string projection)
    {
        var daemonLockId = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes($"ledger.daemon:{schema}")) daemonLockId = (daemonLockId ^ b) * 16777619u;
        var shardLock = unchecked(Math.Abs(DeterministicHash($"{schema}:{projection}:All")) + (int)(daemonLockId & 0x7fffffff));
        return (0, (uint)shardLock);
    }

    /// <summary>JasperFx's string hash (StringExtensions.GetDeterministicHashCode), stable across processes.</summary>
    private static int DeterministicHash(string value)
    {
        unchecked
        {
            var hash1 = (5381 << 16) + 5381;
            var hash2 = hash1;
            for (var i = 0; i < value.Length; i += 2)
            {
                hash1 = ((hash1 << 5) + hash1) ^ value[i];
                if (i == value.Length - 1) break;
                hash2 = ((hash2 << 5) + hash2) ^ value[i + 1];
            }
            return hash1 + hash2 * 1566083941;
        }
    }

    public static int LockKey(Args args)
    {
        var schema = args.Required("schema");
        var name = args.Required("name");
        args.RejectUnknown();
        var (classId, objId) = LockKeyOf(schema, name);
        Console.WriteLine($"{classId} {objId}");
        return 0;
    }

    /// <summary>
    /// One line per projection: <c>name holders application_name pid</c>, from pg_locks (granted advisory
    /// locks with the projection's key). Exactly one holder per projection is the expected state.
    /// </summary>
    public static async Task<int> LeadersAsync(Args args, CancellationToken ct)
    {
        var psql = Psql.From(args);
        var schema = args.Required("schema");
        var names = args.List("names", "balances,transactions");
        args.RejectUnknown();
        var values = string.Join(",", names.Select(n =>
        {
            var (c, o) = LockKeyOf(schema, n);
            return $"('{n}', {c}::oid, {o}::oid)";
        }));
        var rows = await psql.QueryAsync($"""
            SELECT k.name, count(l.pid), coalesce(string_agg(a.application_name || ':' || l.pid, ',' ORDER BY l.pid), '-')
            FROM (VALUES {values}) AS k(name, classid, objid)
            LEFT JOIN pg_locks l ON l.locktype = 'advisory' AND l.granted AND l.classid = k.classid AND l.objid = k.objid
                AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            GROUP BY k.name ORDER BY k.name
            """, ct);
        var ok = true;
        foreach (var row in rows)
        {
            Console.WriteLine(string.Join(' ', row));
            if (row[1] != "1") ok = false;
        }
        Console.WriteLine(ok ? "leaders PASS: exactly one holder per projection" : "leaders FAIL: a projection has no holder or several");
        return ok ? 0 : 1;
    }
}
