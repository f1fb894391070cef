using System.Security.Cryptography;
using System.Text;

namespace Ledger.Api.Auth;

public static class Roles
{
    public const string Client = "client";
    public const string Operator = "operator";
    public const string Auditor = "auditor";
    public static readonly string[] All = [Client, Operator, Auditor];
}

public sealed record ApiKeyIdentity(string Name, string Role);

/// <summary>
/// The configured keys, kept only as SHA-256 hashes. A presented key is hashed and compared with every
/// stored hash in constant time, so neither memory dumps nor timing reveal a key.
/// </summary>
public sealed class ApiKeys
{
    private readonly (byte[] Hash, ApiKeyIdentity Identity)[] _keys;

    private ApiKeys((byte[], ApiKeyIdentity)[] keys) => _keys = keys;

    public int Count => _keys.Length;

    /// <summary>Parses <c>key:role</c> or <c>key:role:name</c> entries separated by commas.</summary>
    public static ApiKeys Parse(string? configured)
    {
        var keys = new List<(byte[], ApiKeyIdentity)>();
        foreach (var entry in (configured ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split(':');
            if (parts.Length is < 2 or > 3 || parts[0].Length == 0)
                throw new FormatException($"LEDGER_API_KEYS entry #{keys.Count + 1} must be key:role or key:role:name.");
            var role = parts[1];
            if (!Roles.All.Contains(role))
                throw new FormatException($"LEDGER_API_KEYS entry #{keys.Count + 1} has unknown role '{role}'; use client, operator or auditor.");
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(parts[0]));
            var name = parts.Length == 3 && parts[2].Length > 0 ? parts[2] : $"{role}-{Convert.ToHexStringLower(hash)[..8]}";
            keys.Add((hash, new ApiKeyIdentity(name, role)));
        }
        return new ApiKeys(keys.ToArray());
    }

    public ApiKeyIdentity? Find(string presented)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        ApiKeyIdentity? found = null;
        foreach (var (stored, identity) in _keys)
            if (CryptographicOperations.FixedTimeEquals(stored, hash)) found = identity;
        return found;
    }
}
