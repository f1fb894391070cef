using System.Diagnostics;
using Ledger.Api.Admin;
using Ledger.Projections.Rebuilds;

namespace Ledger.Api.Cli;

/// <summary><c>projections rebuild &lt;name|all&gt;</c>: rebuilds in this process, drawing a bar on a terminal and plain lines otherwise.</summary>
public static class RebuildCommand
{
    public static async Task<int> RunAsync(string name, IServiceProvider services, TextWriter output)
    {
        var rebuilds = services.GetRequiredService<Rebuilds>();
        var targets = name == "all" ? rebuilds.All : rebuilds.Find(name) is { } one ? [one] : [];
        if (targets.Count == 0)
        {
            await Console.Error.WriteLineAsync($"No rebuildable projection '{name}'; use {string.Join(", ", rebuilds.All.Select(p => p.Name))} or all.");
            return Verbs.Usage;
        }
        var rebuilder = services.GetRequiredService<ProjectionRebuilder>();
        foreach (var projection in targets)
        {
            var timer = Stopwatch.StartNew();
            var bar = new ProgressBar(projection.Name, output, interactive: ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected);
            try
            {
                await rebuilder.RebuildAsync(projection, bar, CancellationToken.None);
            }
            catch (RebuildAlreadyRunningException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return Verbs.Failed;
            }
            bar.Finish();
            var seconds = Math.Max(timer.Elapsed.TotalSeconds, 0.001);
            await output.WriteLineAsync($"{projection.Name}: rebuilt from {bar.Processed} events in {seconds:0.0} s ({bar.Processed / seconds:0} events/s)");
        }
        return Verbs.Ok;
    }

    private sealed class ProgressBar(string name, TextWriter output, bool interactive) : IProgress<RebuildProgress>
    {
        private const int Width = 30;
        private int _lastTenth = -1;

        public long Processed { get; private set; }

        public void Report(RebuildProgress value)
        {
            Processed = value.ProcessedEvents;
            var fraction = value.TotalEvents == 0 ? 1.0 : Math.Min(1.0, (double)value.ProcessedEvents / value.TotalEvents);
            if (interactive)
            {
                var filled = (int)(fraction * Width);
                output.Write($"\r{name,-14} [{new string('#', filled)}{new string('.', Width - filled)}] {fraction,4:P0} {value.ProcessedEvents}/{value.TotalEvents} events");
                return;
            }
            var tenth = (int)(fraction * 10);
            if (tenth == _lastTenth) return;
            _lastTenth = tenth;
            output.WriteLine($"{name}: {tenth * 10}% ({value.ProcessedEvents}/{value.TotalEvents} events)");
        }

        public void Finish()
        {
            if (interactive) output.WriteLine();
        }
    }
}
