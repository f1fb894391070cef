namespace Ledger.Domain.Accounts;

// Commands carry the instant they happen so deciding never reads a clock.
public interface IAccountCommand
{
    Guid AccountId { get; }

    DateTimeOffset Now { get; }
}

public sealed record OpenAccount(
    Guid AccountId,
    string Currency,
    string? Name,
    bool AllowNegative,
    bool IsSettlement,
    DateTimeOffset Now) : IAccountCommand;

public sealed record FreezeAccount(Guid AccountId, DateTimeOffset Now) : IAccountCommand;

public sealed record UnfreezeAccount(Guid AccountId, DateTimeOffset Now) : IAccountCommand;

public sealed record CloseAccount(Guid AccountId, DateTimeOffset Now) : IAccountCommand;
