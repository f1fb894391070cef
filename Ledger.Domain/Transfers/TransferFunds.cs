namespace Ledger.Domain.Transfers;

public sealed record TransferFunds(
    Guid TransferId,
    Guid FromAccountId,
    Guid ToAccountId,
    long AmountMinor,
    string Currency,
    string? Reference,
    DateTimeOffset Now);
