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
            return (null, Problems.Validation(MemberOf(e.Path), Describe(e)));
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

    /// <summary>"$.transfers[3].amount" becomes "transfers[3].amount"; the root becomes "body".</summary>
    public static string MemberOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "body";
        var member = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return member.Length == 0 ? "body" : member;
    }

    /// <summary>FluentValidation names members as C# properties ("Transfers[3].Amount"); the contract is camelCase.</summary>
    public static string CamelPath(string propertyName) =>
        propertyName.Length == 0
            ? "body"
            : string.Join('.', propertyName.Split('.').Select(s => s.Length == 0 ? s : char.ToLowerInvariant(s[0]) + s[1..]));

    private static string Describe(JsonException e) =>
        // System.Text.Json messages name CLR types; keep the first sentence, which says what was wrong.
        e.Message.Split(" Path:", 2)[0];
}
