namespace Ledger.Api.Http;

/// <summary>
/// RFC 9457 problem details with the contract's machine-readable code. Every problem carries all five
/// members (type, title, status, detail, code), so clients never need to guess.
/// </summary>
public static class Problems
{
    public static IResult Of(int status, string code, string detail, IDictionary<string, string[]>? errors = null, TimeSpan? retryAfter = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (errors is not null) extensions["errors"] = errors;
        var problem = TypedResults.Problem(
            detail: detail,
            statusCode: status,
            title: Title(code),
            type: $"https://ledger.example/problems/{code.Replace('_', '-')}",
            extensions: extensions);
        return retryAfter is null ? problem : new WithRetryAfter(problem, retryAfter.Value);
    }

    public static IResult Validation(IDictionary<string, string[]> errors) =>
        Of(StatusCodes.Status400BadRequest, "validation_failed", "The request is not valid; see errors.", errors);

    public static IResult Validation(string member, string message) =>
        Validation(new Dictionary<string, string[]> { [member] = [message] });

    public static IResult NotFound(string what) => Of(StatusCodes.Status404NotFound, "not_found", $"{what} was not found.");

    public static IResult Unavailable(string detail) =>
        Of(StatusCodes.Status503ServiceUnavailable, "unavailable", detail, retryAfter: TimeSpan.FromSeconds(1));

    public static string Title(string code) => ProblemCodes.TitleOf(code);

    private sealed class WithRetryAfter(IResult inner, TimeSpan retryAfter) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(context);
        }
    }
}
