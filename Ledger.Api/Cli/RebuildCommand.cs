using System.Diagnostics;
using Ledger.Api.Admin;
using Ledger.Projections.Rebuilds;

namespace Ledger.Api.Cli;

/// <summary>
/// <c>projections rebuild &lt;name|all&gt; [--json]</c>: rebuilds in this process, with a progress bar on a
/// terminal, plain lines otherwise, or one JSON result (<see cref="VerbOutput"/>).
/// </summary>
public static class RebuildCommand
{
    /// <summary>One projection's rebuild, as <c>--json</c> reports it.</summary>
    public sealed record Rebuilt(string Name, long Events, double Seconds);

    public static async Task<int> RunAsync(string name, IServiceProvider services, VerbOutput output)
    {
        var rebuilds = services.GetRequiredService<Rebuilds>();
        var targets = name == "all" ? rebuilds.All : rebuilds.Find(name) is { } one ? [one] : [];
        if (targets.Count == 0)
        {
            await Console.Error.WriteLineAsync($"No rebuildable projection '{name}'; use {string.Join(", ", rebuilds.All.Select(p => p.Name))} or all.");
            return Verbs.Usage;
        }
        var rebuilder = services.GetRequiredService<ProjectionRebuilder>();
        var rebuilt = new List<Rebuilt>();
        foreach (var projection in targets)
        {
            var timer = Stopwatch.StartNew();
            long processed;
            try
            {
                processed = await output.StepAsync(projection.Name, progress => rebuilder.RebuildAsync(projection, progress, CancellationToken.None));
            }
            catch (RebuildAlreadyRunningException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return Verbs.Failed;
            }
            var seconds = Math.Max(timer.Elapsed.TotalSeconds, 0.001);
            rebuilt.Add(new Rebuilt(projection.Name, processed, Math.Round(seconds, 3)));
            if (output.Mode != VerbOutputMode.Json)
                await output.Text.WriteLineAsync($"{projection.Name}: rebuilt from {processed} events in {seconds:0.0} s ({processed / seconds:0} events/s)");
        }
        if (output.Mode == VerbOutputMode.Json) await output.WriteJsonAsync(new { rebuilt });
        return Verbs.Ok;
    }
}
