using JasperFx.CodeGeneration;
using Ledger.Api.Jobs;
using Wolverine;
using Wolverine.ErrorHandling;

namespace Ledger.Api.Hosting;

/// <summary>
/// Wolverine, for the work that must outlive the instance that accepted it: rebuild jobs and the daily
/// reconciliation are durable messages in the inbox Wolverine keeps beside Marten's tables, in the
/// ledger's schema. An instance that dies leaves its messages to the others (or to itself, restarted).
/// </summary>
public static class LedgerMessaging
{
    public static void AddLedgerMessaging(this IServiceCollection services) => services.AddWolverine(opts =>
    {
        opts.ServiceName = "ledger";
        opts.ApplicationAssembly = typeof(LedgerMessaging).Assembly;
        // The handlers are listed, not found by scanning: a message kind is a decision, not a naming accident.
        opts.Discovery.DisableConventionalDiscovery()
            .IncludeType(typeof(RebuildProjectionHandler))
            .IncludeType(typeof(DailyReconciliationHandler))
            .IncludeType(typeof(HoldDueHandler));
        opts.Policies.UseDurableLocalQueues();
        // The handlers' code is generated ahead (ops/codegen.sh writes Internal/Generated): starting with
        // Roslyn took 2.7 s and 382 MB RSS on the prototype, pre-generated 1.3 s and 181 MB.
        opts.CodeGeneration.TypeLoadMode = TypeLoadMode.Static;
        // A job that cannot run yet (its lock is taken, the host is stopping) goes back to the durable store.
        opts.OnException<JobDeferredException>().ScheduleRetryIndefinitely(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));
        // Due scheduled messages are polled this often (default 5 s).
        opts.Durability.ScheduledJobPollingTime = TimeSpan.FromSeconds(1);
        // A dead instance's messages go to the others once its heartbeat is this old (default 1 min).
        opts.Durability.HealthCheckPollingTime = TimeSpan.FromSeconds(2);
        opts.Durability.StaleNodeTimeout = TimeSpan.FromSeconds(10);
    });
}
