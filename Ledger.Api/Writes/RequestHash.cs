using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Ledger.Api.Writes;

/// <summary>
/// The fingerprint of a request for idempotency: the endpoint's operation plus the parsed body written
/// back out canonically, so member order and white space do not matter but any value does.
/// </summary>
public static class RequestHash
{
    public static byte[] Of<T>(string operation, T normalized, JsonTypeInfo<T> contract)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(normalized, contract);
        var input = new byte[operation.Length + 1 + body.Length];
        System.Text.Encoding.ASCII.GetBytes(operation, input);
        input[operation.Length] = (byte)'\n';
        body.CopyTo(input, operation.Length + 1);
        return SHA256.HashData(input);
    }
}
