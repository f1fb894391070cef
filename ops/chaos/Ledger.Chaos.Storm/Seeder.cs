using System.Diagnostics;
using System.Text.Json;

namespace Ledger.Chaos.Storm;

/// <summary>
/// Opens N accounts per currency through <c>POST /accounts</c> with an initial balance, each with a
/// client id, retried with the same id until it answers 2xx (idempotent), and writes <c>id currency</c>
/// lines to the output file.
/// </summary>
public static class Seeder
{
    public static async Task<int> RunAsync(Args args, CancellationToken ct)
    {
        var url = args.LoopbackUrls("base-url")[0];
        var currencies = args.List("currencies", "USD,EUR");
        var perCurrency = args.Int("per-currency", 50, 2, 100_000);
        var initial = args.Long("initial-balance", 1_000_000_000, 1, long.MaxValue / 1_000_000);
        var output = args.Required("out");
        var parallel = args.Int("connections", 16, 1, 256);
        var seconds = args.Int("timeout", 120, 1, 1800);
        var key = Commands.Key(args.Text("key-env", "CHAOS_CLIENT_KEY"));
        args.RejectUnknown();

        var accounts = currencies.SelectMany(c => Enumerable.Range(0, perCurrency).Select(i => (Id: Guid.NewGuid(), Currency: c, Name: $"chaos-{c}-{i}"))).ToList();
        using var api = new Api(TimeSpan.FromSeconds(15));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(seconds));
        var started = Stopwatch.GetTimestamp();
        var failures = 0;
        var next = -1;
        try
        {
            await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < accounts.Count)
                {
                    var a = accounts[i];
                    var body = JsonSerializer.Serialize(new Dictionary<string, object>
                    {
                        ["id"] = a.Id, ["currency"] = a.Currency, ["name"] = a.Name, ["initialBalance"] = initial,
                    });
                    for (var attempt = 1; ; attempt++)
                    {
                        var reply = await api.PostAsync(new Uri(url, "accounts"), key, body, deadline.Token);
                        if (reply.IsSuccess) break;
                        if (!reply.IsTransportFailure && reply.Status is not (503 or 429))
                            throw new InvalidOperationException($"POST /accounts answered {reply.Status}: {reply.Body}");
                        Interlocked.Increment(ref failures);
                        await Task.Delay(Math.Min(1000, 50 * attempt), deadline.Token);
                    }
                }
            }));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Console.WriteLine($"seed FAIL: {accounts.Count} accounts not opened within {seconds} s");
            return 1;
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine($"seed FAIL: {e.Message}");
            return 1;
        }
        await File.WriteAllLinesAsync(output, accounts.Select(a => $"{a.Id} {a.Currency}"), ct);
        Console.WriteLine($"seed PASS: {accounts.Count} accounts ({perCurrency} per currency, {string.Join("/", currencies)}) in " +
                          $"{Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s, {failures} retried answers");
        return 0;
    }
}
