using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FluentValidation;

namespace Ledger.Api.Http;

/// <summary>
/// Reads a request body strictly: JSON content type, well-formed, no unknown or duplicate members, right
/// types, then the request's validator. Anything else is a 4xx problem, never a 500.
/// </summary>
public static class JsonBody
{
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(
        HttpRequest request, JsonTypeInfo<T> contract, IValidator<T> validator, CancellationToken ct) where T : class
    {
        if (!request.HasJsonContentType())
            return (null, Problems.Of(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                "Send the body as application/json."));

        T? value;
        try
        {
            value = await JsonSerializer.DeserializeAsync(request.Body, contract, ct);
        }
        catch (JsonException e)
        {
            var member = MemberOf(e.Path);
            return (null, Problems.Validation(member, Describe(e, member)));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problems.Of(StatusCodes.Status413PayloadTooLarge, "payload_too_large", "The request body is too large."));
        }
        if (value is null) return (null, Problems.Validation("body", "A JSON object is required."));

        var result = await validator.ValidateAsync(value, ct);
        if (!result.IsValid)
            return (null, Problems.Validation(result.Errors
                .GroupBy(f => CamelPath(f.PropertyName))
                .ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).Distinct().ToArray())));
        return (value, null);
    }

    /// <summary>Members whose value is a JSON object of free keys: a key is data, not a member.</summary>
    private static readonly string[] FreeFormMembers = ["metadata"];

    /// <summary>
    /// "$.transfers[3].amount" becomes "transfers[3].amount"; the root becomes "body". A path into a free-form
    /// object names the object: "$.metadata.k" becomes "metadata".
    /// </summary>
    public static string MemberOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "body";
        var member = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        if (member.Length == 0) return "body";
        foreach (var name in FreeFormMembers)
        {
            for (var at = member.IndexOf(name, StringComparison.Ordinal); at >= 0; at = member.IndexOf(name, at + 1, StringComparison.Ordinal))
            {
                var end = at + name.Length;
                if ((at == 0 || member[at - 1] == '.') && end < member.Length && member[end] is '.' or '[') return member[..end];
            }
        }
        return member;
    }

    /// <summary>FluentValidation names members as C# properties ("Transfers[3].Amount"); the contract is camelCase.</summary>
    public static string CamelPath(string propertyName) =>
        propertyName.Length == 0
            ? "body"
            : string.Join('.', propertyName.Split('.').Select(s => s.Length == 0 ? s : char.ToLowerInvariant(s[0]) + s[1..]));

    /// <summary>What was wrong, in the contract's terms: System.Text.Json's own messages name CLR types.</summary>
    private static string Describe(JsonException e, string member)
    {
        var message = e.Message.Split(" Path:", 2)[0];
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
            return $"'{member}' is not a member of this request.";
        if (message.StartsWith("Duplicate property", StringComparison.Ordinal))
            return $"'{member}' appears more than once.";
        if (message.Contains("could not be converted to", StringComparison.Ordinal))
            return member == "body" ? "The body must be a JSON object." : $"'{member}' has a value of the wrong type or out of range.";
        return message;
    }
}
