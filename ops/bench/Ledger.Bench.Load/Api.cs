using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Ledger.Bench.Load;

/// <summary>HTTP plumbing: one pooled client per scenario, loopback only.</summary>
internal static class Api
{
    public static Uri CheckedBaseUrl(string url)
    {
        var uri = new Uri(url, UriKind.Absolute);
        // This tool sends load; it must never leave the machine.
        if (!IPAddress.TryParse(uri.Host, out var address) || !IPAddress.IsLoopback(address))
        {
            throw new UsageException($"--base-url must be a loopback address (127.0.0.1), got '{uri.Host}'");
        }

        return uri;
    }

    public static HttpClient Client(Uri baseUrl, string apiKey, int connections, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(1, connections),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        var client = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = timeout };
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        client.DefaultRequestVersion = HttpVersion.Version11;
        client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        return client;
    }

    public static HttpRequestMessage Post(string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
    }

    public static string Key(string envName) =>
        Environment.GetEnvironmentVariable(envName) is { Length: > 0 } key
            ? key
            : throw new UsageException($"environment variable {envName} (an API key) is not set");

    /// <summary>
    /// Totals of the API's ledger.write.batch_size histogram (decisions per database transaction) from
    /// GET /metrics; null when the API does not expose it.
    /// </summary>
    public static async Task<(double Sum, double Count)?> BatchMetricsAsync(HttpClient auditor)
    {
        try
        {
            using var response = await auditor.GetAsync(new Uri("/metrics", UriKind.Relative));
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            double sum = 0, count = 0;
            var found = false;
            foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
            {
                var isSum = line.StartsWith("ledger_write_batch_size_sum", StringComparison.Ordinal);
                var isCount = line.StartsWith("ledger_write_batch_size_count", StringComparison.Ordinal);
                if ((isSum || isCount) && double.TryParse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v))
                {
                    found = true;
                    if (isSum)
                    {
                        sum += v;
                    }
                    else
                    {
                        count += v;
                    }
                }
            }

            return found ? (sum, count) : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>The lag of the async projections, by name, from GET /admin/projections.</summary>
    public static async Task<Dictionary<string, (long LagMs, long LagEvents)>?> ProjectionLagAsync(HttpClient auditor, CancellationToken ct)
    {
        using var response = await auditor.GetAsync(new Uri("/admin/projections", UriKind.Relative), ct);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var json = await response.Content.ReadAsByteArrayAsync(ct);
        using var doc = JsonDocument.Parse(json);
        var lags = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            var name = item.GetProperty("name").GetString() ?? "?";
            var lagMs = item.TryGetProperty("lagMs", out var ms) && ms.ValueKind == JsonValueKind.Number ? ms.GetInt64() : 0;
            var lagEvents = item.TryGetProperty("lagEvents", out var ev) && ev.ValueKind == JsonValueKind.Number ? ev.GetInt64() : 0;
            lags[name] = (lagMs, lagEvents);
        }

        return lags;
    }
}

/// <summary>The seeded accounts (one id a line; the first ten are the hot ones) and request bodies over them.</summary>
internal sealed class Workload
{
    public const int HotAccounts = 10;
    private readonly string[] _ids;
    private readonly bool _hot;
    private readonly int _maxAmount;
    private readonly string _currency;

    public Workload(string accountsFile, bool hot, int maxAmount, string currency)
    {
        _ids = File.ReadAllLines(accountsFile).Where(l => l.Length > 0).ToArray();
        if (_ids.Length < HotAccounts + 2)
        {
            throw new UsageException($"{accountsFile} holds {_ids.Length} accounts; seed at least {HotAccounts + 2}");
        }

        _hot = hot;
        _maxAmount = Math.Max(1, maxAmount);
        _currency = currency;
    }

    public int Accounts => _ids.Length;

    /// <summary>
    /// uniform: from and to drawn uniformly among all accounts, distinct.
    /// hot: 80 % of transfers have one side (debit or credit, at random) among the ten hot accounts and the
    /// other uniform; the other 20 % are uniform.
    /// </summary>
    public (string From, string To, int Amount) Next()
    {
        var rnd = Random.Shared;
        int from, to;
        if (_hot && rnd.Next(100) < 80)
        {
            var hot = rnd.Next(HotAccounts);
            var other = Distinct(rnd, hot);
            (from, to) = rnd.Next(2) == 0 ? (hot, other) : (other, hot);
        }
        else
        {
            from = rnd.Next(_ids.Length);
            to = Distinct(rnd, from);
        }

        return (_ids[from], _ids[to], rnd.Next(1, _maxAmount + 1));
    }

    /// <summary>A pending transfer (a hold without expiry) between a pair drawn as for <see cref="SingleTransfer"/>.</summary>
    public byte[] SingleHold()
    {
        var (from, to, amount) = Next();
        return Encoding.UTF8.GetBytes(
            $"{{\"id\":\"{Guid.CreateVersion7()}\",\"fromAccountId\":\"{from}\",\"toAccountId\":\"{to}\",\"amount\":{amount},\"currency\":\"{_currency}\",\"pending\":true}}");
    }

    public byte[] SingleTransfer()
    {
        var (from, to, amount) = Next();
        return Encoding.UTF8.GetBytes(
            $"{{\"id\":\"{Guid.CreateVersion7()}\",\"fromAccountId\":\"{from}\",\"toAccountId\":\"{to}\",\"amount\":{amount},\"currency\":\"{_currency}\"}}");
    }

    /// <summary>Items carry no id (the server makes one), which keeps an 8,190-item body as small as the contract allows.</summary>
    public byte[] Batch(int size)
    {
        var text = new StringBuilder((size * 140) + 64);
        text.Append("{\"atomic\":false,\"transfers\":[");
        for (var i = 0; i < size; i++)
        {
            var (from, to, amount) = Next();
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append("{\"fromAccountId\":\"").Append(from)
                .Append("\",\"toAccountId\":\"").Append(to)
                .Append("\",\"amount\":").Append(amount)
                .Append(",\"currency\":\"").Append(_currency).Append("\"}");
        }

        text.Append("]}");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private int Distinct(Random rnd, int not)
    {
        var other = rnd.Next(_ids.Length - 1);
        return other >= not ? other + 1 : other;
    }
}
