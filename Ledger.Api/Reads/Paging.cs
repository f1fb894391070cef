using System.Globalization;
using Ledger.Api.Hosting;
using Ledger.Api.Http;

namespace Ledger.Api.Reads;

/// <summary>Validates <c>limit</c> (1..PageSizeMax, default PageSizeDefault) for every paged endpoint.</summary>
public static class Paging
{
    public static bool TryLimit(string? text, LedgerOptions options, out int limit, out IResult? problem)
    {
        limit = options.Reads.PageSizeDefault;
        problem = null;
        if (string.IsNullOrEmpty(text)) return true;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit >= 1 && limit <= options.Reads.PageSizeMax)
            return true;
        problem = Problems.Validation("limit", $"limit must be a whole number from 1 to {options.Reads.PageSizeMax}.");
        return false;
    }
}
