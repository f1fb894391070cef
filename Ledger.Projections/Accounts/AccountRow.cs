using Ledger.Domain.Accounts;
using Ledger.Projections.Store;

namespace Ledger.Projections.Accounts;

/// <summary>An account's state with the log positions of its first and last events.</summary>
public sealed record AccountRow(AccountState State, LogPosition OpenedAt, LogPosition LastAt)
{
    public static string StatusText(AccountStatus status) => status switch
    {
        AccountStatus.Active => "active",
        AccountStatus.Frozen => "frozen",
        AccountStatus.Closed => "closed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static AccountStatus ParseStatus(string text) => text switch
    {
        "active" => AccountStatus.Active,
        "frozen" => AccountStatus.Frozen,
        "closed" => AccountStatus.Closed,
        _ => throw new InvalidOperationException($"Stored account status '{text}' is unknown."),
    };
}
