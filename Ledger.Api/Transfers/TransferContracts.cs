using FluentValidation;
using Ledger.Api.Hosting;
using Ledger.Api.Writes;
using Ledger.Domain.Accounts;

namespace Ledger.Api.Transfers;

public sealed record TransferRequest(
    Guid? Id, Guid? FromAccountId, Guid? ToAccountId, long? Amount, string? Currency, string? Reference, Dictionary<string, string>? Metadata,
    bool? Pending = null, int? TimeoutSeconds = null);

/// <summary>The body of <c>POST /transfers/{id}/post</c>: how much of the hold to post (default: all of it).</summary>
public sealed record PostHoldRequest(long? Amount);

public sealed class PostHoldValidator : AbstractValidator<PostHoldRequest>
{
    public PostHoldValidator() =>
        RuleFor(r => r.Amount).GreaterThan(0).When(r => r.Amount is not null).WithMessage("amount must be a positive number of minor units.");
}

/// <summary>The body of <c>POST /transfers/{id}/void</c>: none, or an empty object.</summary>
public sealed record VoidHoldRequest;

/// <summary>A deposit or a withdrawal: one customer account, the other side is the currency's settlement account.</summary>
public sealed record MovementRequest(Guid? Id, Guid? AccountId, long? Amount, string? Currency, string? Reference);

public sealed record TransferResponse(
    Guid Id, Guid FromAccountId, Guid ToAccountId, long Amount, string Currency, string? Reference,
    IReadOnlyDictionary<string, string>? Metadata, string Status, DateTimeOffset Timestamp, string Position,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] long? PendingAmount = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] long? PostedAmount = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ExpiresAt = null)
{
    public static TransferResponse From(TransferResult t) => new(
        t.Id, t.FromAccountId, t.ToAccountId, t.Amount, t.Currency, t.Reference, t.Metadata, t.Status, t.Timestamp, t.Position,
        t.PendingAmount, t.PostedAmount, t.ExpiresAt);
}

public sealed record BatchItemResult(
    Guid Id,
    string Status,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Code,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Position);

public sealed record BatchResponse(IReadOnlyList<BatchItemResult> Results)
{
    public static BatchResponse From(BatchResult batch) => new(batch.Items.Select(item => item.Outcome switch
    {
        Committed { Result: TransferResult t } => new BatchItemResult(item.Id, t.Status, null, t.Position),
        Refused r => new BatchItemResult(item.Id, "rejected", r.Code, null),
        var other => throw new InvalidOperationException($"A batch item cannot end as {other.GetType().Name}."),
    }).ToList());
}

/// <summary>Limits on the free-text parts of a transfer, shared by every endpoint that moves money.</summary>
public static class TransferLimits
{
    public const int ReferenceLengthMax = 256;
    public const int MetadataEntriesMax = 16;
    public const int MetadataKeyLengthMax = 64;
    public const int MetadataValueLengthMax = 256;
}

public sealed class TransferValidator : AbstractValidator<TransferRequest>
{
    public TransferValidator(LedgerOptions options)
    {
        RuleFor(r => r.Id).NotEqual(Guid.Empty).When(r => r.Id is not null).WithMessage("id must not be the empty UUID.");
        RuleFor(r => r.FromAccountId).NotNull().WithMessage("fromAccountId is required.");
        RuleFor(r => r.ToAccountId).NotNull().WithMessage("toAccountId is required.")
            .NotEqual(r => r.FromAccountId).When(r => r.FromAccountId is not null, ApplyConditionTo.CurrentValidator)
            .WithMessage("toAccountId must differ from fromAccountId.");
        RuleFor(r => r.Amount).NotNull().WithMessage("amount is required.")
            .GreaterThan(0).WithMessage("amount must be a positive number of minor units.");
        RuleFor(r => r.Currency).SupportedCurrency(options);
        RuleFor(r => r.Reference).MaximumLength(TransferLimits.ReferenceLengthMax).StoredText();
        RuleFor(r => r.Metadata)
            .Must(m => m!.Count <= TransferLimits.MetadataEntriesMax).WithMessage($"metadata holds at most {TransferLimits.MetadataEntriesMax} values.")
            .Must(m => m!.All(kv => kv.Key.Length is > 0 and <= TransferLimits.MetadataKeyLengthMax && kv.Value is not null && kv.Value.Length <= TransferLimits.MetadataValueLengthMax))
            .WithMessage($"metadata keys are 1..{TransferLimits.MetadataKeyLengthMax} characters and values are strings of at most {TransferLimits.MetadataValueLengthMax}.")
            .Must(m => m!.All(kv => TextRules.IsStorable(kv.Key) && TextRules.IsStorable(kv.Value)))
            .WithMessage(TextRules.Message)
            .When(r => r.Metadata is not null);
        RuleFor(r => r.TimeoutSeconds)
            .Must((r, _) => r.Pending == true).WithMessage("timeoutSeconds is allowed only with pending: true.")
            .InclusiveBetween(1, Domain.Holds.PlaceHold.TimeoutSecondsMax).WithMessage($"timeoutSeconds must be 1 to {Domain.Holds.PlaceHold.TimeoutSecondsMax}.")
            .When(r => r.TimeoutSeconds is not null);
    }
}

public sealed class MovementValidator : AbstractValidator<MovementRequest>
{
    public MovementValidator(LedgerOptions options)
    {
        RuleFor(r => r.Id).NotEqual(Guid.Empty).When(r => r.Id is not null).WithMessage("id must not be the empty UUID.");
        RuleFor(r => r.AccountId).NotNull().WithMessage("accountId is required.")
            // The other side is the settlement account: naming it here would move money from an account to itself.
            .Must((r, id) => r.Currency is null || id != SettlementAccounts.IdFor(r.Currency))
            .WithMessage("accountId must be a customer account, not the currency's settlement account.");
        RuleFor(r => r.Amount).NotNull().WithMessage("amount is required.")
            .GreaterThan(0).WithMessage("amount must be a positive number of minor units.");
        RuleFor(r => r.Currency).SupportedCurrency(options);
        RuleFor(r => r.Reference).MaximumLength(TransferLimits.ReferenceLengthMax).StoredText();
    }
}

/// <summary>
/// Free text is stored in PostgreSQL text and jsonb, which hold neither U+0000 nor unpaired surrogates: such text
/// is a 400 at the edge, not a failed commit that takes the other writes of its batch down with it.
/// </summary>
public static class TextRules
{
    public const string Message = "Text must not contain NUL (U+0000) characters or unpaired surrogates.";

    public static bool IsStorable(string? text)
    {
        if (text is null) return true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0') return false;
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])) return false;
                i++;
            }
            else if (char.IsLowSurrogate(c)) return false;
        }
        return true;
    }

    public static IRuleBuilderOptions<T, string?> StoredText<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(IsStorable).WithMessage(Message);
}

internal static class CurrencyRules
{
    public static IRuleBuilderOptions<T, string?> SupportedCurrency<T>(this IRuleBuilder<T, string?> rule, LedgerOptions options) =>
        rule.NotNull().WithMessage("currency is required.")
            .Must(c => c is null || options.Currencies.Contains(c, StringComparer.Ordinal))
            .WithMessage($"currency must be one of {string.Join(", ", options.Currencies)}.");
}
