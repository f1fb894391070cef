namespace Ledger.Api.Http;

/// <summary>
/// The one table of the contract's problem codes: each code's HTTP status and title. Endpoints, the
/// write side's rejections and the routing fallbacks all take status and title from here.
/// </summary>
public static class ProblemCodes
{
    private static readonly Dictionary<string, (int Status, string Title)> Table = new(StringComparer.Ordinal)
    {
        ["validation_failed"] = (400, "The request is not valid"),
        ["unauthenticated"] = (401, "An API key is required"),
        ["forbidden"] = (403, "This key may not do that"),
        ["not_found"] = (404, "Not found"),
        ["method_not_allowed"] = (405, "Method not allowed"),
        ["idempotency_conflict"] = (409, "This id was used with another request"),
        ["rebuild_running"] = (409, "A rebuild is already running"),
        ["payload_too_large"] = (413, "Payload too large"),
        ["unsupported_media_type"] = (415, "Unsupported media type"),
        ["account_not_found"] = (422, "Account not found"),
        ["insufficient_funds"] = (422, "Insufficient funds"),
        ["currency_mismatch"] = (422, "Currency mismatch"),
        ["account_frozen"] = (422, "Account frozen"),
        ["account_closed"] = (422, "Account closed"),
        ["account_not_empty"] = (422, "Account not empty"),
        ["limit_exceeded"] = (422, "Limit exceeded"),
        ["settlement_account"] = (422, "Settlement account"),
        ["linked_failed"] = (422, "Not applied: another item of the atomic batch failed"),
        ["transfer_not_pending"] = (422, "Transfer not pending"),
        ["transfer_expired"] = (422, "Transfer expired"),
        ["amount_exceeds_pending"] = (422, "Amount exceeds the pending amount"),
        ["rate_limited"] = (429, "Too many requests"),
        ["internal_error"] = (500, "Internal error"),
        ["unavailable"] = (503, "Temporarily unavailable"),
    };

    public static int StatusOf(string code) =>
        Table.TryGetValue(code, out var entry) ? entry.Status : throw new ArgumentOutOfRangeException(nameof(code), code, "Not a contract problem code.");

    /// <summary>The title; a code outside the table (a bare status page of the framework) reads "Request failed".</summary>
    public static string TitleOf(string code) => Table.TryGetValue(code, out var entry) ? entry.Title : "Request failed";
}
