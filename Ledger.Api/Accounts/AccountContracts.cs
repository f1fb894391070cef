using FluentValidation;
using Ledger.Api.Hosting;
using Ledger.Api.Transfers;
using Ledger.Api.Writes;
using Ledger.Domain.Accounts;
using Ledger.Projections.Accounts;

namespace Ledger.Api.Accounts;

public sealed record OpenAccountRequest(Guid? Id, string? Currency, string? Name, bool? AllowNegative, long? InitialBalance);

/// <summary>An account; <c>balance</c> counts posted money, <c>availableBalance = balance - pendingDebits</c>.</summary>
public sealed record AccountResponse(
    Guid Id, string Currency, string? Name, string Status, bool AllowNegative, long Balance, long Version, DateTimeOffset OpenedAt, string Position,
    long AvailableBalance, long PendingDebits, long PendingCredits)
{
    public static AccountResponse From(AccountRow row) => From(row.State, row.LastAt.ToString());

    public static AccountResponse From(AccountState s, string position) => new(
        s.Id, s.Currency, s.Name, AccountRow.StatusText(s.Status), s.AllowNegative, s.BalanceMinor, s.Version, s.OpenedAt, position,
        s.AvailableBalanceMinor, s.PendingDebitsMinor, s.PendingCreditsMinor);

    public static AccountResponse From(AccountResult a) => new(
        a.Id, a.Currency, a.Name, a.Status, a.AllowNegative, a.Balance, a.Version, a.OpenedAt, a.Position,
        a.Balance - a.PendingDebits, a.PendingDebits, a.PendingCredits);
}

public sealed class OpenAccountValidator : AbstractValidator<OpenAccountRequest>
{
    public const int NameLengthMax = 256;

    public OpenAccountValidator(LedgerOptions options)
    {
        // Settlement accounts are opened on first use under ids derived from their currency: a client must not take one first.
        var reserved = options.Currencies.Select(SettlementAccounts.IdFor).ToHashSet();
        RuleFor(r => r.Id).NotEqual(Guid.Empty).When(r => r.Id is not null).WithMessage("id must not be the empty UUID.")
            .Must(id => id is null || !reserved.Contains(id.Value)).WithMessage("id is reserved for a settlement account of the ledger.");
        RuleFor(r => r.Currency).SupportedCurrency(options);
        RuleFor(r => r.Name).MaximumLength(NameLengthMax).StoredText();
        RuleFor(r => r.InitialBalance).GreaterThan(0).When(r => r.InitialBalance is not null)
            .WithMessage("initialBalance must be a positive number of minor units.");
    }
}
