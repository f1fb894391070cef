using System.Globalization;

namespace Ledger.Bench.Load;

/// <summary>A bad command line: printed with the usage text, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary><c>command --name value --flag ...</c>; every option is named, nothing is positional but the command.</summary>
internal sealed class Cli
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    public Cli(string[] args)
    {
        Command = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "";
        for (var i = Command.Length == 0 ? 0 : 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"unexpected argument '{arg}'");
            }

            var name = arg[2..];
            var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            _options[name] = hasValue ? args[++i] : "true";
        }
    }

    public string Command { get; }

    public string Str(string name) =>
        _options.TryGetValue(name, out var value) ? value : throw new UsageException($"--{name} is required");

    public string? StrOrNull(string name) => _options.GetValueOrDefault(name);

    public string Str(string name, string fallback) => _options.GetValueOrDefault(name, fallback);

    public int Int(string name, int fallback) =>
        _options.TryGetValue(name, out var value) ? ParseInt(name, value) : fallback;

    public int? IntOrNull(string name) =>
        _options.TryGetValue(name, out var value) ? ParseInt(name, value) : null;

    public long Long(string name, long fallback) =>
        _options.TryGetValue(name, out var value)
            ? long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new UsageException($"--{name} needs an integer, got '{value}'")
            : fallback;

    public double Double(string name, double fallback) =>
        _options.TryGetValue(name, out var value)
            ? double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 0 ? d : throw new UsageException($"--{name} needs a non-negative number, got '{value}'")
            : fallback;

    public bool Flag(string name) => _options.TryGetValue(name, out var value) && value != "false";

    private static int ParseInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw new UsageException($"--{name} needs a non-negative integer, got '{value}'");
}
