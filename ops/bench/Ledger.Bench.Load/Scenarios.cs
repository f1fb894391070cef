using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ledger.Bench.Load;

/// <summary>Counts of one measurement window, shared by all workers.</summary>
internal sealed class Tally
{
    private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);
    private long _requests;
    private long _transfers;
    private long _late;
    private long _attempts;
    private long _retried;

    public LatencyHistogram Latency { get; } = new();

    public long Requests => Volatile.Read(ref _requests);

    public long Transfers => Volatile.Read(ref _transfers);

    public long Late => Volatile.Read(ref _late);

    public long Attempts => Volatile.Read(ref _attempts);

    public long Retried => Volatile.Read(ref _retried);

    /// <summary>The tries sent for one transfer counted in the window.</summary>
    public void Attempted(long tries) => Interlocked.Add(ref _attempts, tries);

    public void RetriedTransfer() => Interlocked.Increment(ref _retried);

    public void Request() => Interlocked.Increment(ref _requests);

    /// <summary>A request that was still running when the window closed: neither its time nor its transfers count.</summary>
    public void LateRequest() => Interlocked.Increment(ref _late);

    public void Transferred(long n) => Interlocked.Add(ref _transfers, n);

    public void Error(string key, long n = 1) => _errors.AddOrUpdate(key, n, (_, old) => old + n);

    public SortedDictionary<string, long> Errors() => new(_errors, StringComparer.Ordinal);
}

/// <summary>What every API scenario shares.</summary>
internal sealed record ApiSettings(
    Uri BaseUrl, string ClientKey, string? AuditorKey, string Label, int Connections, TimeSpan Warmup, TimeSpan Duration,
    int? ApiPid, int? PgPid, int ClkTck, bool SampleLag, TimeSpan CatchUpTimeout, string Subject, int MaxTries)
{
    public static ApiSettings From(Cli cli, string defaultLabel, int defaultConnections) => new(
        Api.CheckedBaseUrl(cli.Str("base-url")),
        Api.Key("BENCH_CLIENT_KEY"),
        Environment.GetEnvironmentVariable("BENCH_AUDITOR_KEY") is { Length: > 0 } auditor ? auditor : null,
        cli.Str("label", defaultLabel),
        Math.Max(1, cli.Int("connections", defaultConnections)),
        TimeSpan.FromSeconds(cli.Double("warmup", 3)),
        TimeSpan.FromSeconds(Math.Max(1, cli.Double("duration", 20))),
        cli.IntOrNull("api-pid"),
        cli.IntOrNull("pg-pid"),
        Math.Max(1, cli.Int("clk-tck", 100)),
        cli.Flag("sample-lag"),
        TimeSpan.FromSeconds(cli.Double("catch-up-timeout", 120)),
        cli.Str("subject", "ledger"),
        Math.Clamp(cli.Int("max-tries", 1), 1, MaxTriesLimit));

    public const int MaxTriesLimit = 100;
}

internal static class Scenarios
{
    private const long MaxRequestsPerWorker = 50_000_000;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    // ---- readiness and seeding -------------------------------------------------------------

    public static async Task<int> WaitReadyAsync(Cli cli)
    {
        var baseUrl = Api.CheckedBaseUrl(cli.Str("base-url"));
        var apiPid = cli.IntOrNull("api-pid");
        var timeout = TimeSpan.FromSeconds(cli.Double("timeout", 180));
        using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var started = Stopwatch.GetTimestamp();
        string last = "no answer";
        while (Stopwatch.GetElapsedTime(started) < timeout)
        {
            if (apiPid is { } pid && !ProcStats.IsAlive(pid))
            {
                Console.Error.WriteLine($"wait-ready: the API process {pid} exited before it was ready (last: {last})");
                return 1;
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if (response.IsSuccessStatusCode)
                {
                    Console.WriteLine($"wait-ready: ready after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
                    return 0;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(250);
        }

        Console.Error.WriteLine($"wait-ready: not ready within {timeout.TotalSeconds:0} s (last: {last})");
        return 1;
    }

    /// <summary>Opens <c>--count</c> accounts through POST /accounts with an initial balance, in parallel.</summary>
    public static async Task<int> SeedAsync(Cli cli)
    {
        var baseUrl = Api.CheckedBaseUrl(cli.Str("base-url"));
        var count = Math.Max(Workload.HotAccounts + 2, cli.Int("count", 10_000));
        var connections = Math.Max(1, cli.Int("connections", 64));
        var balance = cli.Long("initial-balance", 1_000_000_000);
        var currency = cli.Str("currency", "USD");
        var output = cli.Str("out");
        var deadline = TimeSpan.FromSeconds(cli.Double("timeout", 600));

        var ids = Enumerable.Range(0, count).Select(_ => Guid.CreateVersion7()).ToArray();
        using var http = Api.Client(baseUrl, Api.Key("BENCH_CLIENT_KEY"), connections, RequestTimeout);
        using var stop = new CancellationTokenSource(deadline);
        var next = -1;
        var failures = new ConcurrentQueue<string>();
        var started = Stopwatch.GetTimestamp();

        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count && failures.IsEmpty)
            {
                var body = Encoding.UTF8.GetBytes(
                    $"{{\"id\":\"{ids[i]}\",\"currency\":\"{currency}\",\"name\":\"bench-{i:D5}\",\"initialBalance\":{balance}}}");
                string outcome = "";
                for (var attempt = 0; attempt < 8; attempt++)
                {
                    try
                    {
                        using var request = Api.Post("/accounts", body);
                        using var response = await http.SendAsync(request, stop.Token);
                        var status = (int)response.StatusCode;
                        if (status is 200 or 201)
                        {
                            outcome = "";
                            break;
                        }

                        outcome = $"{status} {await response.Content.ReadAsStringAsync(stop.Token)}";
                        if (status is not (429 or 503))
                        {
                            break;
                        }
                    }
                    catch (HttpRequestException e)
                    {
                        outcome = e.Message;
                    }

                    await Task.Delay(50 << attempt, stop.Token);
                }

                if (outcome.Length > 0)
                {
                    failures.Enqueue($"account {i}: {outcome}");
                }
            }
        }

        try
        {
            await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(Worker)));
        }
        catch (OperationCanceledException)
        {
            failures.Enqueue($"seeding did not finish within {deadline.TotalSeconds:0} s");
        }

        if (!failures.IsEmpty)
        {
            Console.Error.WriteLine($"seed: failed ({failures.Count} accounts): {string.Join(" | ", failures.Take(3))}");
            return 1;
        }

        await File.WriteAllLinesAsync(output, ids.Select(id => id.ToString("D")));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Console.WriteLine($"seed: {count} accounts with {balance} minor units each in {seconds:0.0} s ({count / seconds:0}/s), ids in {output}");
        return 0;
    }

    // ---- closed-loop scenarios -----------------------------------------------------------

    /// <summary>
    /// The status key of an optimistic-concurrency failure: nothing was written, so the same transfer may be
    /// sent again. The idiomatic peer answers it; the ledger, which serializes its writes, never does.
    /// </summary>
    public const string ConcurrencyConflict = "409/concurrency_conflict";

    public static async Task<ScenarioResult> SingleTransfersAsync(ApiSettings s, Workload workload, string mix)
    {
        using var http = Api.Client(s.BaseUrl, s.ClientKey, s.Connections, RequestTimeout);
        var result = await ClosedLoopAsync(s, http, "/transfers", workload.SingleTransfer, ClassifySingle,
            (status, body) => status == 409 && StatusKey(status, body) == ConcurrencyConflict);
        result.Subject = s.Subject;
        result.Mix = mix;
        result.Generator = "loadgen";
        result.MaxTries = s.MaxTries;
        return result;
    }

    /// <summary>
    /// Two-phase transfers: each iteration places a hold and then posts all of it, two requests one after the
    /// other; a transfer counts once its post answers 200, and the latency spans both requests.
    /// </summary>
    public static async Task<ScenarioResult> HoldsAsync(ApiSettings s, Workload workload, string mix)
    {
        using var http = Api.Client(s.BaseUrl, s.ClientKey, s.Connections, RequestTimeout);
        var result = await ClosedLoopAsync(s, http, "/transfers", workload.SingleHold, ClassifySingle, retryable: null,
            send: (payload, ct) => HoldThenPostAsync(http, payload, ct));
        result.Subject = s.Subject;
        result.Mix = mix;
        result.Generator = "loadgen";
        result.MaxTries = 1;
        return result;
    }

    private static readonly byte[] PostAll = "{}"u8.ToArray();

    private static async Task<(int Status, byte[] Answer, string? Failure)> HoldThenPostAsync(HttpClient http, byte[] hold, CancellationToken ct)
    {
        var placed = await SendAsync(http, "/transfers", hold, ct);
        if (placed.Failure is not null || placed.Status != 201) return placed;
        using var doc = JsonDocument.Parse(placed.Answer);
        return await SendAsync(http, $"/transfers/{doc.RootElement.GetProperty("id").GetString()}/post", PostAll, ct);
    }

    public static async Task<ScenarioResult> BatchAsync(ApiSettings s, Workload workload, int size)
    {
        using var http = Api.Client(s.BaseUrl, s.ClientKey, s.Connections, TimeSpan.FromSeconds(60));

        // A probe of one transfer tells whether the endpoint exists before any load is sent.
        using (var probe = Api.Post("/transfers/batch", workload.Batch(1)))
        using (var response = await http.SendAsync(probe))
        {
            var status = (int)response.StatusCode;
            if (status is 404 or 405)
            {
                return new ScenarioResult
                {
                    Label = s.Label, Connections = s.Connections, Note = "n/a (endpoint missing)",
                    Errors = new SortedDictionary<string, long>(StringComparer.Ordinal) { [$"probe/{status}"] = 1 },
                };
            }
        }

        var result = await ClosedLoopAsync(s, http, "/transfers/batch", () => workload.Batch(size), ClassifyBatch, retryable: null);
        result.Note = Join(result.Note, $"{result.Requests} requests of {size} transfers in the window");
        return result;
    }

    private static long ClassifySingle(int status, byte[] body, Tally tally)
    {
        if (status is 200 or 201)
        {
            return 1;
        }

        tally.Error(StatusKey(status, body));
        return 0;
    }

    private static long ClassifyBatch(int status, byte[] body, Tally tally)
    {
        if (status != 200)
        {
            tally.Error(StatusKey(status, body));
            return 0;
        }

        long completed = 0;
        try
        {
            using var doc = JsonDocument.Parse(body);
            foreach (var item in doc.RootElement.GetProperty("results").EnumerateArray())
            {
                var itemStatus = item.TryGetProperty("status", out var st) ? st.GetString() : null;
                if (itemStatus == "completed")
                {
                    completed++;
                }
                else
                {
                    var code = item.TryGetProperty("code", out var c) ? c.GetString() : null;
                    tally.Error($"rejected/{code ?? itemStatus ?? "?"}");
                }
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            tally.Error("200/unreadable-body");
        }

        return completed;
    }

    /// <summary>"422/insufficient_funds": the status and, for problem details, their machine-readable code.</summary>
    private static string StatusKey(int status, byte[] body)
    {
        if (status < 0 || body.Length == 0 || body.Length > 64 * 1024)
        {
            return status.ToString(CultureInfo.InvariantCulture);
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String)
            {
                return $"{status}/{code.GetString()}";
            }
        }
        catch (JsonException)
        {
        }

        return status.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Each worker sends one request at a time. An answer that <paramref name="retryable"/> accepts is sent again,
    /// the same body, up to <see cref="ApiSettings.MaxTries"/> tries in all, as a client that retries would; the
    /// latency then runs from the first try to the last answer, and only the last answer is classified.
    /// </summary>
    private static async Task<ScenarioResult> ClosedLoopAsync(
        ApiSettings s, HttpClient http, string path, Func<byte[]> body, Func<int, byte[], Tally, long> classify,
        Func<int, byte[], bool>? retryable, Func<byte[], CancellationToken, Task<(int Status, byte[] Answer, string? Failure)>>? send = null)
    {
        send ??= (payload, ct) => SendAsync(http, path, payload, ct);
        var tally = new Tally();
        var cpu = new CpuWindow(s.ApiPid, s.PgPid, s.ClkTck);
        var start = Stopwatch.GetTimestamp();
        var measureStart = start + ToTicks(s.Warmup);
        var measureEnd = measureStart + ToTicks(s.Duration);
        using var hardStop = new CancellationTokenSource(s.Warmup + s.Duration + TimeSpan.FromSeconds(90));
        using var auditor = s.AuditorKey is { } key ? Api.Client(s.BaseUrl, key, 2, TimeSpan.FromSeconds(5)) : null;
        var window = WindowAsync(measureStart, measureEnd, cpu, auditor, s.SampleLag);
        var maxTries = retryable is null ? 1 : s.MaxTries;

        async Task Worker()
        {
            for (long n = 0; n < MaxRequestsPerWorker; n++)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (t0 >= measureEnd || hardStop.IsCancellationRequested)
                {
                    return;
                }

                var payload = body();
                int status;
                byte[] answer;
                string? failure;
                var tries = 0;
                try
                {
                    do
                    {
                        tries++;
                        (status, answer, failure) = await send(payload, hardStop.Token);
                    }
                    while (tries < maxTries && failure is null && retryable!(status, answer) && Stopwatch.GetTimestamp() < measureEnd);
                }
                catch (OperationCanceledException) when (hardStop.IsCancellationRequested)
                {
                    return;
                }

                var t1 = Stopwatch.GetTimestamp();
                if (t1 > measureEnd && t0 <= measureEnd)
                {
                    tally.LateRequest();
                }
                else if (t1 >= measureStart)
                {
                    tally.Request();
                    tally.Attempted(tries);
                    tally.Latency.RecordTicks(t1 - t0);
                    if (failure is not null)
                    {
                        tally.Error(failure);
                    }
                    else
                    {
                        var transferred = classify(status, answer, tally);
                        tally.Transferred(transferred);
                        if (tries > 1 && transferred > 0)
                        {
                            tally.RetriedTransfer();
                        }
                    }
                }

                // A well-behaved client backs off a little on "come back later" instead of spinning.
                if (status is -1 or 429 or 503)
                {
                    await Task.Delay(status == -1 ? 100 : 20);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, s.Connections).Select(_ => Task.Run(Worker)));
        var readings = await window;
        return await FinishAsync(s, tally, cpu, readings, ToSeconds(measureEnd - measureStart));
    }

    /// <summary>
    /// One request; a client-side failure (time-out, refused connection) is status -1 and a key naming it. The
    /// scenario's hard stop is not a failure of the request: it propagates and ends the worker.
    /// </summary>
    private static async Task<(int Status, byte[] Answer, string? Failure)> SendAsync(HttpClient http, string path, byte[] payload, CancellationToken ct)
    {
        try
        {
            using var request = Api.Post(path, payload);
            using var response = await http.SendAsync(request, ct);
            return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(ct), null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !ct.IsCancellationRequested)
        {
            return (-1, [], "exc/" + (e is HttpRequestException { HttpRequestError: var kind } ? kind.ToString() : e.GetType().Name));
        }
    }

    // ---- open loop -------------------------------------------------------------------------

    /// <summary>
    /// Requests leave on a fixed schedule whatever the answers do; each latency runs from the request's
    /// intended send time, so a stall shows in the percentiles instead of silently slowing the sender
    /// (no coordinated omission).
    /// </summary>
    public static async Task<ScenarioResult> FixedRateAsync(ApiSettings s, Workload workload, double rate, int maxInFlight)
    {
        using var http = Api.Client(s.BaseUrl, s.ClientKey, s.Connections, RequestTimeout);
        var tally = new Tally();
        var cpu = new CpuWindow(s.ApiPid, s.PgPid, s.ClkTck);
        var ticksPerRequest = Stopwatch.Frequency / rate;
        var total = (long)(rate * (s.Warmup + s.Duration).TotalSeconds);
        var start = Stopwatch.GetTimestamp() + ToTicks(TimeSpan.FromMilliseconds(50));
        var measureStart = start + ToTicks(s.Warmup);
        var measureEnd = measureStart + ToTicks(s.Duration);
        using var auditor = s.AuditorKey is { } key ? Api.Client(s.BaseUrl, key, 2, TimeSpan.FromSeconds(5)) : null;
        var window = WindowAsync(measureStart, measureEnd, cpu, auditor, sampleLag: false);
        var inFlight = 0L;
        using var hardStop = new CancellationTokenSource(s.Warmup + s.Duration + TimeSpan.FromSeconds(90));

        async Task SendAsync(long intended)
        {
            var counted = intended >= measureStart && intended < measureEnd;
            try
            {
                int status;
                byte[] answer;
                using (var request = Api.Post("/transfers", workload.SingleTransfer()))
                using (var response = await http.SendAsync(request, hardStop.Token))
                {
                    status = (int)response.StatusCode;
                    answer = await response.Content.ReadAsByteArrayAsync(hardStop.Token);
                }

                if (counted)
                {
                    tally.Request();
                    tally.Attempted(1);
                    tally.Latency.RecordTicks(Stopwatch.GetTimestamp() - intended);
                    tally.Transferred(ClassifySingle(status, answer, tally));
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                if (counted)
                {
                    tally.Request();
                    tally.Attempted(1);
                    tally.Latency.RecordTicks(Stopwatch.GetTimestamp() - intended);
                    tally.Error("exc/" + (e is HttpRequestException { HttpRequestError: var kind } ? kind.ToString() : e.GetType().Name));
                }
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }

        var pacer = new Thread(() =>
        {
            for (long i = 0; i < total && !hardStop.IsCancellationRequested; i++)
            {
                var intended = start + (long)(i * ticksPerRequest);
                while (Stopwatch.GetTimestamp() < intended)
                {
                    Thread.Sleep(1);
                }

                if (Interlocked.Read(ref inFlight) >= maxInFlight)
                {
                    // Never sent: counted as an error of its own so a saturated server cannot hide.
                    if (intended >= measureStart && intended < measureEnd)
                    {
                        tally.Request();
                        tally.Error("not-sent/backlog");
                    }

                    continue;
                }

                Interlocked.Increment(ref inFlight);
                _ = Task.Run(() => SendAsync(intended));
            }
        })
        { IsBackground = true, Name = "pacer", Priority = ThreadPriority.AboveNormal };
        pacer.Start();
        await Task.Run(pacer.Join);

        var drainStarted = Stopwatch.GetTimestamp();
        while (Interlocked.Read(ref inFlight) > 0 && Stopwatch.GetElapsedTime(drainStarted) < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(20);
        }

        var readings = await window;
        var result = await FinishAsync(s, tally, cpu, readings, s.Duration.TotalSeconds);
        result.TargetRate = rate;
        return result;
    }

    // ---- shared ------------------------------------------------------------------------------

    private sealed record LagSamples(List<long> Balances, List<long> Transactions, long MaxLagEvents);

    private sealed record WindowReadings(LagSamples? Lag, double? CommitsPerSec, double? DecisionsPerCommit);

    /// <summary>
    /// Takes CPU readings and the API's write-batch metrics at the window's edges and, if asked, samples
    /// projection lag every 100 ms inside it.
    /// </summary>
    private static async Task<WindowReadings> WindowAsync(long measureStart, long measureEnd, CpuWindow cpu, HttpClient? auditor, bool sampleLag)
    {
        await DelayUntil(measureStart);
        cpu.Start();
        var batchesBefore = auditor is null ? null : await Api.BatchMetricsAsync(auditor);
        LagSamples? lag = null;
        if (auditor is not null && sampleLag)
        {
            lag = new LagSamples([], [], 0);
            var maxEvents = 0L;
            var maxSamples = (int)(ToSeconds(measureEnd - measureStart) * 10) + 10;
            for (var i = 0; i < maxSamples && Stopwatch.GetTimestamp() < measureEnd; i++)
            {
                var next = Stopwatch.GetTimestamp() + ToTicks(TimeSpan.FromMilliseconds(100));
                try
                {
                    var lags = await Api.ProjectionLagAsync(auditor, CancellationToken.None);
                    if (lags is not null)
                    {
                        foreach (var (name, (ms, events)) in lags)
                        {
                            (name switch { "balances" => lag.Balances, "transactions" => lag.Transactions, _ => null })?.Add(ms);
                            if (name is "balances" or "transactions")
                            {
                                maxEvents = Math.Max(maxEvents, events);
                            }
                        }
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException or KeyNotFoundException)
                {
                }

                await DelayUntil(Math.Min(next, measureEnd));
            }

            lag = lag with { MaxLagEvents = maxEvents };
        }

        await DelayUntil(measureEnd);
        cpu.Stop();
        var batchesAfter = auditor is null ? null : await Api.BatchMetricsAsync(auditor);
        double? commitsPerSec = null, decisionsPerCommit = null;
        if (batchesBefore is { } b0 && batchesAfter is { } b1 && b1.Count > b0.Count)
        {
            commitsPerSec = (b1.Count - b0.Count) / ToSeconds(measureEnd - measureStart);
            decisionsPerCommit = (b1.Sum - b0.Sum) / (b1.Count - b0.Count);
        }

        return new WindowReadings(lag, commitsPerSec, decisionsPerCommit);
    }

    private static async Task<ScenarioResult> FinishAsync(ApiSettings s, Tally tally, CpuWindow cpu, WindowReadings readings, double seconds)
    {
        var lag = readings.Lag;
        var result = new ScenarioResult
        {
            Label = s.Label,
            Connections = s.Connections,
            DurationS = seconds,
            Requests = tally.Requests,
            Attempts = tally.Attempts,
            AttemptsPerSec = tally.Attempts / seconds,
            Retried = tally.Retried,
            Transfers = tally.Transfers,
            TransfersPerSec = tally.Transfers / seconds,
            P50Ms = tally.Latency.PercentileMs(50),
            P99Ms = tally.Latency.PercentileMs(99),
            P999Ms = tally.Latency.PercentileMs(99.9),
            MaxMs = tally.Latency.MaxMs,
            MeanMs = tally.Latency.MeanMs,
            Errors = tally.Errors(),
            PgCpu = cpu.PgShare,
            StealCpu = cpu.StealShare,
            ApiRunQueue = cpu.ApiRunQueue,
            PgRunQueue = cpu.PgRunQueue,
            ApiCpu = cpu.ApiShare,
            GenCpu = cpu.SelfShare,
            LagBalances = Summarize(lag?.Balances, lag?.MaxLagEvents ?? 0),
            LagTransactions = Summarize(lag?.Transactions, lag?.MaxLagEvents ?? 0),
            CommitsPerSec = readings.CommitsPerSec,
            DecisionsPerCommit = readings.DecisionsPerCommit,
        };

        if (tally.Late > 0)
        {
            result.Note = Join(result.Note, $"{tally.Late} requests still running when the window closed were not counted");
        }

        if (s.AuditorKey is { } key && s.CatchUpTimeout > TimeSpan.Zero)
        {
            using var auditor = Api.Client(s.BaseUrl, key, 2, TimeSpan.FromSeconds(5));
            result.CatchUpS = await CatchUpAsync(auditor, s.CatchUpTimeout);
        }

        if (s.ApiPid is { } pid && ProcStats.StatusKb(pid, "VmHWM") is { } kb)
        {
            result.ApiPeakRssMiB = kb / 1024.0;
        }

        return result;
    }

    /// <summary>Waits until the async projections have no events left to apply, so the next scenario starts clean.</summary>
    internal static async Task<double?> CatchUpAsync(HttpClient auditor, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < timeout)
        {
            try
            {
                var lags = await Api.ProjectionLagAsync(auditor, CancellationToken.None);
                if (lags is null)
                {
                    return null;
                }

                if (lags.Where(l => l.Key != "audit").All(l => l.Value.LagEvents == 0))
                {
                    return Stopwatch.GetElapsedTime(started).TotalSeconds;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException or KeyNotFoundException)
            {
            }

            await Task.Delay(250);
        }

        Console.Error.WriteLine($"catch-up: projections still behind after {timeout.TotalSeconds:0} s");
        return timeout.TotalSeconds;
    }

    private static string Join(string? note, string more) => note is null ? more : $"{note}; {more}";

    private static LagSummary? Summarize(List<long>? samples, long maxEvents)
    {
        if (samples is null || samples.Count == 0)
        {
            return null;
        }

        var sorted = samples.Order().ToArray();
        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new LagSummary { Samples = sorted.Length, P50Ms = At(50), P99Ms = At(99), MaxMs = sorted[^1], MaxLagEvents = maxEvents };
    }

    private static async Task DelayUntil(long timestamp)
    {
        var remaining = timestamp - Stopwatch.GetTimestamp();
        if (remaining > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(ToSeconds(remaining)));
        }
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static double ToSeconds(long ticks) => ticks / (double)Stopwatch.Frequency;
}
