using System.Text.Json.Serialization.Metadata;
using Ledger.Api.Writes;

namespace Ledger.Api.Http;

public static class WriteResults
{
    /// <summary>
    /// The HTTP answer to a write: its committed result rendered by the endpoint (201 when this request
    /// created it and the route creates, 200 otherwise), a refusal as the problem its code maps to.
    /// </summary>
    public static IResult Render<TResult, TResponse>(WriteOutcome outcome, Func<TResult, TResponse> render, JsonTypeInfo<TResponse> json, bool creates)
        where TResult : WriteResult => outcome switch
    {
        Committed { Result: TResult result, Replayed: var replayed } => TypedResults.Json(render(result), json,
            statusCode: creates && !replayed ? StatusCodes.Status201Created : StatusCodes.Status200OK),
        Refused r => Problems.Of(ProblemCodes.StatusOf(r.Code), r.Code, r.Detail),
        Unavailable u => Problems.Unavailable(u.Detail),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome.ToString(), "Not an outcome of this kind of write."),
    };

    /// <summary>Path ids are parsed by hand so a malformed one is a 400 problem, not a routing 404.</summary>
    public static bool TryParseId(string text, out Guid id, out IResult? problem)
    {
        problem = Guid.TryParse(text, out id) ? null : Problems.Validation("id", "id must be a UUID.");
        return problem is null;
    }
}
