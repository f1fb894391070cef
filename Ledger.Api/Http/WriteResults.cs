using System.Text;
using Ledger.Api.Writes;

namespace Ledger.Api.Http;

public static class WriteResults
{
    public static IResult ToResult(WriteOutcome outcome) => outcome switch
    {
        Succeeded s => Results.Text(s.Body, "application/json", Encoding.UTF8, s.StatusCode),
        Refused r => Problems.Of(r.StatusCode, r.Code, r.Detail),
        Unavailable u => Problems.Unavailable(u.Detail),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome.GetType().Name, null),
    };

    /// <summary>Path ids are parsed by hand so a malformed one is a 400 problem, not a routing 404.</summary>
    public static bool TryParseId(string text, out Guid id, out IResult? problem)
    {
        problem = Guid.TryParse(text, out id) ? null : Problems.Validation("id", "id must be a UUID.");
        return problem is null;
    }
}
