using System.Globalization;

namespace Ledger.Api.Writes;

/// <summary>What an audit entry names and says about a write.</summary>
public static class AuditSubjects
{
    public static IReadOnlyList<Guid> Of(LedgerWrite write) => write switch
    {
        OpenAccountWrite o => [o.Command.AccountId],
        TransferWrite t => [t.Id, t.Command.FromAccountId, t.Command.ToAccountId],
        LifecycleWrite l => [l.Command.AccountId],
        _ => throw new ArgumentOutOfRangeException(nameof(write), write.GetType().Name, null),
    };

    public static string Describe(LedgerWrite write) => write switch
    {
        OpenAccountWrite o => string.Create(CultureInfo.InvariantCulture,
            $"Opened account {o.Command.AccountId} in {o.Command.Currency} with initial balance {o.InitialBalanceMinor}."),
        TransferWrite t => string.Create(CultureInfo.InvariantCulture,
            $"Moved {t.Command.AmountMinor} {t.Command.Currency} minor units from {t.Command.FromAccountId} to {t.Command.ToAccountId} ({t.Operation})."),
        LifecycleWrite l => $"{l.Operation} on account {l.Command.AccountId}.",
        _ => throw new ArgumentOutOfRangeException(nameof(write), write.GetType().Name, null),
    };
}
