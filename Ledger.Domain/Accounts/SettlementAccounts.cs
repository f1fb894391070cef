using System.Security.Cryptography;
using System.Text;

namespace Ledger.Domain.Accounts;

/// <summary>
/// Each currency has one settlement account standing for the outside world. Its id is derived from the
/// currency, so every process agrees on it without a lookup and it can be created on first use.
/// </summary>
public static class SettlementAccounts
{
    public static Guid IdFor(string currency)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("ledger.settlement:" + currency));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x80); // version 8: application-defined
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }

    public static string NameFor(string currency) => $"Settlement {currency}";

    public static OpenAccount Open(string currency, DateTimeOffset now) =>
        new(IdFor(currency), currency, NameFor(currency), AllowNegative: true, IsSettlement: true, now);
}
