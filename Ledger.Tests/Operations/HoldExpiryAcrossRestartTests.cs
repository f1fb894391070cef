using System.Net;
using System.Text.Json.Nodes;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.Operations;

/// <summary>
/// A hold's expiry survives the instance that placed it: the process is killed (SIGKILL) right after the
/// hold is placed, a new one starts on the same schema, and the hold still expires within 5 s of its
/// expiresAt, once. The start-up sweep covers a hold whose message is gone.
/// </summary>
public sealed class HoldExpiryAcrossRestartTests : IAsyncLifetime
{
    private const string Key = "expiry-operator-key";
    private readonly string _schema = TestDatabase.NewSchemaName("expiry");
    private string _db = "";

    public async Task InitializeAsync() => _db = await TestDatabase.ConnectionStringAsync();

    public Task DisposeAsync() => TestDatabase.ExecuteAsync($"DROP SCHEMA IF EXISTS {_schema} CASCADE");

    private Task<ApiProcess> StartAsync() => ApiProcess.StartAsync(new Dictionary<string, string>
    {
        ["LEDGER_DB"] = _db,
        ["LEDGER_API_KEYS"] = $"{Key}:operator:expiry-operator",
        ["Ledger__Schema"] = _schema,
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
    });

    private static async Task<JsonNode> PlaceHoldAsync(HttpClient http, int timeoutSeconds)
    {
        var from = await http.OpenAccountAsync(initialBalance: 1_000);
        var to = await http.OpenAccountAsync();
        var (status, hold) = await http.PostJsonAsync("/transfers",
            new { fromAccountId = from, toAccountId = to, amount = 300, currency = "USD", pending = true, timeoutSeconds });
        status.ShouldBe(HttpStatusCode.Created, hold?.ToJsonString());
        return hold!;
    }

    private static async Task<string> StatusAsync(HttpClient http, Guid transfer) =>
        (await http.GetJsonAsync($"/transfers/{transfer}")).Body!["status"]!.GetValue<string>();

    private async Task ShouldExpireWithinFiveSecondsAsync(HttpClient http, JsonNode hold, ApiProcess process)
    {
        var id = hold["id"]!.GetValue<Guid>();
        await Eventually.UntilAsync(async () => await StatusAsync(http, id) != "pending",
            hold["expiresAt"]!.GetValue<DateTimeOffset>().AddSeconds(5), () => $"transfer {id} did not expire within 5 s of expiresAt:\n{process.Output}");
        (await StatusAsync(http, id)).ShouldBe("expired");
        (await TestDatabase.ScalarAsync<long>(
                $"SELECT count(*) FROM {_schema}.audit_entries WHERE operation = 'transfer.expire' AND outcome = 'accepted' AND '{id}' = ANY(subject_ids)"))
            .ShouldBe(1);
    }

    [Fact]
    public async Task a_hold_placed_by_an_instance_killed_at_once_expires_on_time_after_a_restart()
    {
        JsonNode hold;
        await using (var doomed = await StartAsync())
        {
            hold = await PlaceHoldAsync(doomed.Client(Key), timeoutSeconds: 12);
            await doomed.KillAsync();
        }

        await using var restarted = await StartAsync();
        DateTimeOffset.UtcNow.ShouldBeLessThan(hold["expiresAt"]!.GetValue<DateTimeOffset>(), "the restart took longer than the hold's timeout");
        await ShouldExpireWithinFiveSecondsAsync(restarted.Client(Key), hold, restarted);
    }

    [Fact]
    public async Task a_hold_already_past_due_without_its_message_is_expired_by_the_start_up_sweep()
    {
        JsonNode hold;
        await using (var doomed = await StartAsync())
        {
            hold = await PlaceHoldAsync(doomed.Client(Key), timeoutSeconds: 1);
            await doomed.KillAsync();
        }
        // As if the message had never been stored (a schema from before expiries were messages).
        await TestDatabase.ExecuteAsync($"DELETE FROM {_schema}.wolverine_incoming_envelopes WHERE message_type LIKE '%HoldDue%'");

        await using var restarted = await StartAsync();
        DateTimeOffset.UtcNow.ShouldBeGreaterThan(hold["expiresAt"]!.GetValue<DateTimeOffset>());
        var http = restarted.Client(Key);
        var id = hold["id"]!.GetValue<Guid>();
        await Eventually.UntilAsync(async () => await StatusAsync(http, id) != "pending",
            DateTimeOffset.UtcNow.AddSeconds(10), () => $"the sweep did not expire transfer {id}:\n{restarted.Output}");
        (await StatusAsync(http, id)).ShouldBe("expired");
    }
}
