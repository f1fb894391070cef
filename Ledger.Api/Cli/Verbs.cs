using Ledger.Projections.Schema;
using Ledger.Projections;

namespace Ledger.Api.Cli;

/// <summary>
/// The ledger's own verbs. Exit codes: 0 success, 1 failure, 2 usage error. No verb, or <c>serve</c>, starts
/// the server. Options such as <c>--urls X</c> may come before the verb. Any other verb goes to JasperFx,
/// so Marten's verbs work as their operators know them; <c>projections status</c> and
/// <c>projections rebuild</c> stay ours because the rebuild must build beside the live view and swap,
/// where Marten's rebuild tears the live view down first.
/// </summary>
public static class Verbs
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;


    /// <summary>The verb and its arguments, skipping leading <c>--option value</c> pairs.</summary>
    public static (string? Verb, string[] Arguments) Find(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith('-'))
            {
                if (!args[i].Contains('=') && i + 1 < args.Length && !args[i + 1].StartsWith('-')) i++;
                continue;
            }
            return (args[i], args[(i + 1)..]);
        }
        return (null, []);
    }

    /// <summary>Exit 0 when balanced, 1 when anything disagrees; the report is stored and printed (as JSON with --json).</summary>
    private static async Task<int> ReconcileAsync(IServiceProvider services, DateTimeOffset? asOf, VerbOutput verb)
    {
        var reconciler = services.GetRequiredService<Projections.Reconciliation.Reconciler>();
        var report = await verb.StepAsync("reconcile", countable: false, _ => reconciler.RunAsync(asOf, CancellationToken.None));
        if (verb.Mode == VerbOutputMode.Json)
        {
            await verb.WriteJsonAsync(report);
            return report.Balanced ? Ok : Failed;
        }
        var output = verb.Text;
        await output.WriteLineAsync($"reconciliation {report.Id}: {(report.Balanced ? "BALANCED" : "NOT BALANCED")}");
        await output.WriteLineAsync($"  events replayed {report.EventsReplayed}, accounts checked {report.AccountsChecked}, {report.DurationMs} ms"
                                    + (asOf is null ? "" : $", as of {asOf:O}"));
        foreach (var (currency, total) in report.TotalsByCurrency) await output.WriteLineAsync($"  total {currency}: {total}");
        foreach (var m in report.Mismatches)
            await output.WriteLineAsync($"  MISMATCH account {m.AccountId} in {m.Source}: projected {m.Projected}, replayed {m.Replayed}");
        foreach (var leg in report.LegProblems) await output.WriteLineAsync($"  LEGS transfer {leg.TransferId}: {leg.Problem}");
        return report.Balanced ? Ok : Failed;
    }

    public static bool IsOurs(string verb, string[] rest) =>
        verb is "migrate" or "reconcile" || (verb == "projections" && rest is ["status"] or ["rebuild", ..]);

    public static async Task<int> RunAsync(string verb, string[] arguments, IServiceProvider services, TextWriter output)
    {
        // --json is for the long verbs only; elsewhere it is a usage error like any unknown argument.
        var (rest, json) = VerbOutput.TakeJsonFlag(arguments);
        var longVerb = VerbOutput.For(output, json);
        switch (verb, rest)
        {
            case ("migrate", []) when !json:
                var applied = await Hosting.LedgerDatabase.MigrateAsync(services, CancellationToken.None);
                await output.WriteLineAsync($"migrate: {applied.Count} migration(s) applied; schema is current.");
                return Ok;
            case ("projections", ["status"]) when !json:
                var statuses = await services.GetRequiredService<Projections.Store.ProjectionProgress>()
                    .ReadAsync([ProjectionNames.Balances, ProjectionNames.Transactions], TimeProvider.System.GetUtcNow(), CancellationToken.None);
                await output.WriteLineAsync($"{"name",-14}{"status",-11}{"position",-22}{"head",-22}{"lagEvents",10}{"lagMs",10}");
                foreach (var s in statuses)
                    await output.WriteLineAsync($"{s.Name,-14}{s.Status,-11}{s.Position,-22}{s.Head,-22}{s.LagEvents,10}{s.LagMs,10}");
                return Ok;
            case ("projections", ["rebuild", var name]):
                return await RebuildCommand.RunAsync(name, services, longVerb);
            case ("reconcile", []):
                return await ReconcileAsync(services, null, longVerb);
            case ("reconcile", ["--as-of", var text]) when Http.Instants.TryParse(text, out var asOf):
                return await ReconcileAsync(services, asOf, longVerb);
            default:
                await Console.Error.WriteLineAsync(
                    "usage: Ledger.Api [serve] | migrate | projections status | projections rebuild <name|all> [--json] | reconcile [--as-of <ISO-8601>] [--json]");
                return Usage;
        }
    }
}
