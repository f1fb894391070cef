using System.Net;
using Ledger.Projections.Rebuilds;
using Ledger.Projections.Schema;
using Ledger.Tests.Api.Contract;
using Ledger.Tests.Infrastructure;
using Npgsql;

namespace Ledger.Tests.Operations;

/// <summary>
/// A rebuild job is a durable Wolverine message: the instance that answered 202 is killed (SIGKILL) in the
/// middle of the rebuild, and the job still ends, once, on the instance that stays.
/// </summary>
public sealed class DurableJobTests(LedgerApiFactory api) : IClassFixture<LedgerApiFactory>
{
    [Fact]
    public async Task a_rebuild_accepted_by_an_instance_killed_during_it_still_runs_once_on_another()
    {
        var client = api.Client();
        var from = await client.OpenAccountAsync(initialBalance: 10_000);
        var to = await client.OpenAccountAsync();
        for (var i = 0; i < 20; i++) await client.TransferAsync(from, to, 10 + i);
        await api.WaitForProjectionsAsync();

        // Closing the balances gate stops any rebuild of balances just before its swap.
        await using var gate = new NpgsqlConnection(api.ConnectionString);
        await gate.OpenAsync();
        var held = await gate.BeginTransactionAsync();
        await new ProjectionGate(new LedgerSchema(api.Schema), "balances").CloseAsync(gate, held, CancellationToken.None);

        await using var doomed = await ApiProcess.StartAsync(new Dictionary<string, string>
        {
            ["LEDGER_DB"] = api.ConnectionString,
            ["LEDGER_API_KEYS"] = $"{LedgerApiFactory.OperatorKey}:operator:doomed-operator",
            ["Ledger__Schema"] = api.Schema,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        });
        var (status, accepted) = await doomed.Client(LedgerApiFactory.OperatorKey).PostJsonAsync("/admin/projections/balances/rebuild", new { });
        status.ShouldBe(HttpStatusCode.Accepted);
        var jobId = accepted!["jobId"]!.GetValue<Guid>();
        await Eventually.UntilAsync(() => api.Service<ProjectionRebuilder>().IsRunningAnywhereAsync("balances", CancellationToken.None),
            DateTimeOffset.UtcNow.AddSeconds(30), () => $"the doomed instance never started the rebuild:\n{doomed.Output}");

        await doomed.KillAsync();
        await held.RollbackAsync();

        var job = await api.Auditor().JobWhenEndedAsync(jobId);
        job["status"]!.GetValue<string>().ShouldBe("succeeded", job.ToJsonString());
        job["processedEvents"]!.GetValue<long>().ShouldBe(job["totalEvents"]!.GetValue<long>());
        // Once: the one message of the job was handled, and no copy of it waits anywhere.
        (await api.ScalarAsync<long>(
                "SELECT count(*) FROM {schema}.wolverine_incoming_envelopes WHERE message_type LIKE '%RebuildProjection%' AND status <> 'Handled'"))
            .ShouldBe(0);
        var report = (await api.Operator().PostJsonAsync("/admin/reconciliations", new { })).Body!;
        report["balanced"]!.GetValue<bool>().ShouldBeTrue(report.ToJsonString());
    }
}
