using Ledger.Tests.Infrastructure;
using Ledger.Tests.ReadSide;

namespace Ledger.Tests.Operations;

/// <summary>
/// Two instances on one schema, both configured for a daily reconciliation due a few seconds after they
/// start: the day is reconciled once, and the next day is booked once, as one scheduled message.
/// </summary>
public sealed class DailyReconciliationTests(DailyReconciliationTests.TwoInstances api) : IClassFixture<DailyReconciliationTests.TwoInstances>
{
    public sealed class TwoInstances : TwoInstancesApi
    {
        public TwoInstances()
        {
            Due = DateTimeOffset.UtcNow.AddSeconds(8);
            Settings["Ledger:Reconciliation:DailyAtUtc"] = Due.ToString("HH:mm:ss");
        }

        public DateTimeOffset Due { get; }
    }

    [Fact]
    public async Task the_day_is_reconciled_once_and_the_next_day_is_booked_once_whatever_the_instance_count()
    {
        var day = DateOnly.FromDateTime(api.Due.UtcDateTime);
        await Eventually.UntilAsync(
            async () => await api.ScalarAsync<long>($"SELECT count(*) FROM {{schema}}.daily_reconciliations WHERE day = '{day:yyyy-MM-dd}' AND report_id IS NOT NULL") > 0,
            DateTimeOffset.UtcNow.AddSeconds(60), () => $"the reconciliation due at {api.Due:O} did not run within 60 s");

        (await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.reconciliations")).ShouldBe(1);
        var report = await api.ScalarAsync<Guid>($"SELECT report_id FROM {{schema}}.daily_reconciliations WHERE day = '{day:yyyy-MM-dd}'");
        var (_, stored) = await api.Auditor().GetJsonAsync($"/admin/reconciliations/{report}");
        stored!["balanced"]!.GetValue<bool>().ShouldBeTrue(stored.ToJsonString());

        (await api.ScalarAsync<long>($"SELECT count(*) FROM {{schema}}.daily_reconciliations WHERE day = '{day.AddDays(1):yyyy-MM-dd}' AND report_id IS NULL"))
            .ShouldBe(1);
        // Only a scheduled message can start a run: one waits, for the next day.
        (await api.ScalarAsync<long>(
                "SELECT count(*) FROM {schema}.wolverine_incoming_envelopes WHERE message_type LIKE '%RunDailyReconciliation%' AND status = 'Scheduled'"))
            .ShouldBe(1);
    }
}
