using System.Text.Json;
using Ledger.Projections.Rebuilds;
using Spectre.Console;

namespace Ledger.Api.Cli;

/// <summary>How a long verb speaks: to a person at a terminal, to a log file, or to a program.</summary>
public enum VerbOutputMode
{
    /// <summary>A Spectre.Console progress bar that redraws in place.</summary>
    Terminal,

    /// <summary>Output redirected (or not the console): a plain line every tenth of the way.</summary>
    Plain,

    /// <summary><c>--json</c>: no progress, one JSON document with the result on the output.</summary>
    Json,
}

/// <summary>
/// Progress and results of the long verbs (<c>projections rebuild</c>, <c>reconcile</c>), in one place
/// so that every verb reports the same way in each <see cref="VerbOutputMode"/>.
/// </summary>
public sealed class VerbOutput(TextWriter output, VerbOutputMode mode)
{
    public const string JsonFlag = "--json";

    /// <summary>The contract's JSON: camelCase, timestamps UTC with a Z.</summary>
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new Http.UtcTimestampConverter() },
    };

    public VerbOutputMode Mode { get; } = mode;

    public TextWriter Text { get; } = output;

    /// <summary>A progress bar only where a person watches: the real console, not redirected, able to redraw.</summary>
    public static VerbOutput For(TextWriter output, bool json) => new(output,
        json ? VerbOutputMode.Json
        : ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive
            ? VerbOutputMode.Terminal
            : VerbOutputMode.Plain);

    /// <summary>Splits <c>--json</c> off a verb's arguments.</summary>
    public static (string[] Others, bool Json) TakeJsonFlag(string[] arguments) =>
        ([.. arguments.Where(a => a != JsonFlag)], arguments.Contains(JsonFlag));

    /// <summary>
    /// Runs one step of a verb with a progress reporter for it. A step that cannot count its work
    /// (<paramref name="countable"/> false) shows a spinner-like bar on a terminal and a start line otherwise.
    /// </summary>
    public async Task<T> StepAsync<T>(string name, bool countable, Func<IProgress<RebuildProgress>, Task<T>> work)
    {
        switch (Mode)
        {
            case VerbOutputMode.Terminal:
                return await AnsiConsole.Progress().AutoClear(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                    .StartAsync(async context =>
                    {
                        var task = context.AddTask(name, maxValue: 1);
                        task.IsIndeterminate = !countable;
                        var result = await work(new BarProgress(name, task));
                        task.IsIndeterminate = false;
                        task.Value = task.MaxValue;
                        return result;
                    });
            case VerbOutputMode.Plain:
                if (!countable) await Text.WriteLineAsync($"{name}: started");
                return await work(new LineProgress(name, Text));
            default:
                return await work(new Progress<RebuildProgress>());
        }
    }

    /// <summary>Runs a step that counts events, and answers how many it processed (its last report).</summary>
    public async Task<long> StepAsync(string name, Func<IProgress<RebuildProgress>, Task> work) =>
        await StepAsync(name, countable: true, async progress =>
        {
            var counted = new Counted(progress);
            await work(counted);
            return counted.Processed;
        });

    /// <summary>Writes the verb's result as JSON (only in <see cref="VerbOutputMode.Json"/>).</summary>
    public Task WriteJsonAsync<T>(T result) => Text.WriteLineAsync(JsonSerializer.Serialize(result, JsonOptions));

    private sealed class Counted(IProgress<RebuildProgress> inner) : IProgress<RebuildProgress>
    {
        public long Processed { get; private set; }

        public void Report(RebuildProgress value)
        {
            Processed = value.ProcessedEvents;
            inner.Report(value);
        }
    }

    private sealed class BarProgress(string name, ProgressTask task) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value)
        {
            task.MaxValue = Math.Max(1, value.TotalEvents);
            task.Value = Math.Min(value.ProcessedEvents, task.MaxValue);
            task.Description = $"{name} {value.ProcessedEvents}/{value.TotalEvents} events";
        }
    }

    private sealed class LineProgress(string name, TextWriter output) : IProgress<RebuildProgress>
    {
        private int _lastTenth = -1;

        public void Report(RebuildProgress value)
        {
            var fraction = value.TotalEvents == 0 ? 1.0 : Math.Min(1.0, (double)value.ProcessedEvents / value.TotalEvents);
            var tenth = (int)(fraction * 10);
            if (tenth == _lastTenth) return;
            _lastTenth = tenth;
            output.WriteLine($"{name}: {tenth * 10}% ({value.ProcessedEvents}/{value.TotalEvents} events)");
        }
    }
}
