using System.Net;
using Ledger.Tests.Infrastructure;
using Ledger.Tests.ReadSide;

namespace Ledger.Tests.Operations;

/// <summary>Two instances on one schema, both running Wolverine: every hold expires once, never twice.</summary>
public sealed class HoldExpiryTwoInstancesTests(TwoInstancesApi api) : IClassFixture<TwoInstancesApi>
{
    [Fact]
    public async Task holds_placed_through_both_instances_each_expire_exactly_once()
    {
        var holds = new List<Guid>();
        foreach (var host in new LedgerApiFactory[] { api, api.Second })
        {
            var client = host.Client();
            var from = await client.OpenAccountAsync(initialBalance: 10_000);
            var to = await client.OpenAccountAsync();
            for (var i = 0; i < 5; i++)
            {
                var (status, hold) = await client.PostJsonAsync("/transfers",
                    new { fromAccountId = from, toAccountId = to, amount = 10 + i, currency = "USD", pending = true, timeoutSeconds = 1 });
                status.ShouldBe(HttpStatusCode.Created);
                holds.Add(hold!["id"]!.GetValue<Guid>());
            }
        }

        var ids = string.Join(",", holds.Select(h => $"'{h}'"));
        await Eventually.UntilAsync(
            async () => await api.ScalarAsync<long>($"SELECT count(*) FROM {{schema}}.holds WHERE transfer_id IN ({ids}) AND status = 'expired'") == holds.Count,
            DateTimeOffset.UtcNow.AddSeconds(15), () => "not every hold expired within 15 s");

        var expiries = await api.ScalarAsync<long>(
            $"SELECT count(*) FROM {{schema}}.audit_entries WHERE operation = 'transfer.expire' AND subject_ids[1] IN ({ids})");
        expiries.ShouldBe(holds.Count, "one expiry per hold, whichever instance ran it");
    }
}
