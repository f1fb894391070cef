using System.Globalization;

namespace Ledger.Chaos.Storm;

/// <summary><c>--name value</c> pairs; every option is named, none is positional.</summary>
public sealed class Args
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public static Args Parse(string[] args)
    {
        var parsed = new Args();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || name.Length < 3)
                throw new ArgumentException($"expected --option, got '{name}'");
            if (i + 1 >= args.Length) throw new ArgumentException($"{name} needs a value");
            parsed._values[name[2..]] = args[++i];
        }
        return parsed;
    }

    public string? Optional(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var value) ? value : null;
    }

    public string Required(string name) => Optional(name) ?? throw new ArgumentException($"--{name} is required");

    public string Text(string name, string fallback) => Optional(name) ?? fallback;

    public int Int(string name, int fallback, int min, int max)
    {
        var text = Optional(name);
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new ArgumentException($"--{name} must be a whole number in {min}..{max}, got '{text}'");
        return value;
    }

    public long Long(string name, long fallback, long min, long max)
    {
        var text = Optional(name);
        if (text is null) return fallback;
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new ArgumentException($"--{name} must be a whole number in {min}..{max}, got '{text}'");
        return value;
    }

    public double Double(string name, double fallback, double min, double max)
    {
        var text = Optional(name);
        if (text is null) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new ArgumentException($"--{name} must be a number in {min}..{max}, got '{text}'");
        return value;
    }

    public IReadOnlyList<string> List(string name, string? fallback = null)
    {
        var text = Optional(name) ?? fallback;
        return text is null ? [] : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Base URLs must stay on the loopback interface: the suite never sends traffic elsewhere.</summary>
    public IReadOnlyList<Uri> LoopbackUrls(string name)
    {
        var urls = List(name).Select(u => new Uri(u.EndsWith('/') ? u : u + "/", UriKind.Absolute)).ToList();
        if (urls.Count == 0) throw new ArgumentException($"--{name} is required");
        foreach (var url in urls)
            if (url.Host is not ("127.0.0.1" or "localhost" or "[::1]"))
                throw new ArgumentException($"--{name}: {url} is not on loopback; the chaos suite only talks to 127.0.0.1");
        return urls;
    }

    /// <summary>Options given but never read are typos: refuse them instead of silently ignoring them.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
    }
}
