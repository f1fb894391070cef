using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Ledger.Api.Observability;

/// <summary>
/// Prometheus text exposition for operators without a collector, built on <see cref="MeterListener"/>
/// (no Prometheus package is available): counters as totals, gauges as last values, histograms with
/// fixed millisecond-friendly buckets.
/// </summary>
public sealed class PrometheusMetrics : IDisposable
{
    private static readonly HashSet<string> Meters = [LedgerTelemetry.SourceName, "Microsoft.AspNetCore.Hosting"];
    private static readonly double[] Bounds = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), Series> _series = new();

    private sealed class Series
    {
        public double Value;
        public readonly long[] Buckets = new long[Bounds.Length + 1];
        public long Count;
    }

    public PrometheusMetrics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (Meters.Contains(instrument.Meter.Name)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    public string Render()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var group in _series.GroupBy(kv => kv.Key.Instrument).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
        {
            var instrument = group.Key;
            var name = MetricName(instrument);
            var type = instrument switch
            {
                Counter<long> or Counter<double> or ObservableCounter<long> or ObservableCounter<double> => "counter",
                Histogram<long> or Histogram<double> => "histogram",
                _ => "gauge",
            };
            if (instrument.Description is { Length: > 0 } help) text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace('\n', ' ')).Append('\n');
            text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var (key, series) in group.OrderBy(kv => kv.Key.Labels, StringComparer.Ordinal))
            {
                lock (series)
                {
                    if (type == "histogram") AppendHistogram(text, name, key.Labels, series);
                    else text.Append(name).Append(Braces(key.Labels)).Append(' ').Append(Number(series.Value)).Append('\n');
                }
            }
        }
        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = _series.GetOrAdd((instrument, Labels(tags)), _ => new Series());
        lock (series)
        {
            switch (instrument)
            {
                case Histogram<long> or Histogram<double>:
                    var bucket = Array.FindIndex(Bounds, b => value <= b);
                    series.Buckets[bucket < 0 ? Bounds.Length : bucket]++;
                    series.Count++;
                    series.Value += value;
                    break;
                case Counter<long> or Counter<double> or UpDownCounter<long> or UpDownCounter<double>:
                    series.Value += value;
                    break;
                default: // observable instruments report their current (or cumulative) value
                    series.Value = value;
                    break;
            }
        }
    }

    private static void AppendHistogram(StringBuilder text, string name, string labels, Series series)
    {
        long cumulative = 0;
        for (var i = 0; i < Bounds.Length; i++)
        {
            cumulative += series.Buckets[i];
            text.Append(name).Append("_bucket").Append(Braces(Join(labels, $"le=\"{Number(Bounds[i])}\""))).Append(' ').Append(cumulative).Append('\n');
        }
        text.Append(name).Append("_bucket").Append(Braces(Join(labels, "le=\"+Inf\""))).Append(' ').Append(series.Count).Append('\n');
        text.Append(name).Append("_sum").Append(Braces(labels)).Append(' ').Append(Number(series.Value)).Append('\n');
        text.Append(name).Append("_count").Append(Braces(labels)).Append(' ').Append(series.Count).Append('\n');
    }

    private static string MetricName(Instrument instrument)
    {
        var name = new string(instrument.Name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        if (instrument.Unit is "ms") name += "_ms";
        else if (instrument.Unit is "s") name += "_seconds";
        return instrument is Counter<long> or Counter<double> ? name + "_total" : name;
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0) return "";
        var parts = new List<string>(tags.Length);
        foreach (var tag in tags)
        {
            var key = new string(tag.Key.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
            var value = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "";
            parts.Add($"{key}=\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"");
        }
        parts.Sort(StringComparer.Ordinal);
        return string.Join(',', parts);
    }

    private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

    private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
