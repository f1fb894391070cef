using System.Globalization;

namespace Ledger.Api.Http;

/// <summary>The one way an ISO-8601 instant from a client (query, body-less verb) is read: UTC unless it says otherwise.</summary>
public static class Instants
{
    public static bool TryParse(string text, out DateTimeOffset instant) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant);
}
