namespace Ledger.Domain.Accounts;

public static class AccountEvolution
{
    public static AccountState? Replay(IEnumerable<IAccountEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);

        AccountState? state = null;
        foreach (var @event in events)
        {
            state = Evolve(state, @event);
        }

        return state;
    }

    // Events are facts already decided; one that does not fit the state is a bug
    // upstream, so we throw instead of repairing the state.
    public static AccountState Evolve(AccountState? state, IAccountEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);

        var next = @event switch
        {
            AccountOpened opened => Open(state, opened),
            AccountCredited credited => Credit(Existing(state, credited), credited),
            AccountDebited debited => Debit(Existing(state, debited), debited),
            AccountDebitHeld held => PendingDebits(Existing(state, held), held.AmountMinor, held.PendingDebitsAfterMinor, held),
            AccountCreditHeld held => PendingCredits(Existing(state, held), held.AmountMinor, held.PendingCreditsAfterMinor, held),
            AccountDebitHoldReleased released =>
                PendingDebits(Existing(state, released), -released.AmountMinor, released.PendingDebitsAfterMinor, released),
            AccountCreditHoldReleased released =>
                PendingCredits(Existing(state, released), -released.AmountMinor, released.PendingCreditsAfterMinor, released),
            AccountFrozen frozen => Next(Existing(state, frozen)) with { Status = AccountStatus.Frozen },
            AccountUnfrozen unfrozen => Next(Existing(state, unfrozen)) with { Status = AccountStatus.Active },
            AccountClosed closed => Close(Existing(state, closed), closed),
            _ => throw new InvalidOperationException(
                $"Unknown account event type {@event.GetType().FullName}: {@event}."),
        };
        return RequireInvariants(next, @event);
    }

    private static AccountState Open(AccountState? state, AccountOpened opened)
    {
        if (state is not null)
        {
            throw new InvalidOperationException($"{opened} cannot apply to an already opened account: {state}.");
        }

        return new AccountState(
            Id: opened.AccountId,
            Currency: opened.Currency,
            Name: opened.Name,
            Status: AccountStatus.Active,
            AllowNegative: opened.AllowNegative,
            IsSettlement: opened.IsSettlement,
            BalanceMinor: 0,
            Version: 1,
            OpenedAt: opened.OpenedAt,
            DebitDay: DateOnly.MinValue,
            DebitedOnDayMinor: 0);
    }

    private static AccountState Credit(AccountState state, AccountCredited credited)
    {
        var expected = AddOrThrow(state.BalanceMinor, credited.AmountMinor, credited, state);
        RequireBalanceAfter(expected, credited.BalanceAfterMinor, credited, state);
        return Next(state) with { BalanceMinor = expected };
    }

    private static AccountState Debit(AccountState state, AccountDebited debited)
    {
        var expected = AddOrThrow(state.BalanceMinor, -debited.AmountMinor, debited, state);
        RequireBalanceAfter(expected, debited.BalanceAfterMinor, debited, state);

        var day = DateOnly.FromDateTime(debited.DebitedAt.UtcDateTime);
        var debitedOnDay = day == state.DebitDay
            ? SaturatingAdd(state.DebitedOnDayMinor, debited.AmountMinor)
            : debited.AmountMinor;

        return Next(state) with
        {
            BalanceMinor = expected,
            DebitDay = day,
            DebitedOnDayMinor = debitedOnDay,
        };
    }

    private static AccountState Close(AccountState state, AccountClosed closed)
    {
        if (state.PendingDebitsMinor != 0 || state.PendingCreditsMinor != 0)
        {
            throw new InvalidOperationException($"{closed} cannot apply to an account with open holds: {state}.");
        }

        return Next(state) with { Status = AccountStatus.Closed };
    }

    // The pair of the deciders' checks, asserted after reading: a state outside them was never decided.
    private static AccountState RequireInvariants(AccountState state, IAccountEvent @event)
    {
        if (!AccountBounds.Fit(state))
        {
            throw new InvalidOperationException($"{@event} leaves the account's amounts out of range: {state}.");
        }

        if (!state.AllowNegative && state.AvailableBalanceMinor < 0)
        {
            throw new InvalidOperationException(
                $"{@event} leaves {state.AvailableBalanceMinor} available on an account that may not go below zero: {state}.");
        }

        return state;
    }

    private static AccountState PendingDebits(AccountState state, long delta, long recordedAfter, IAccountEvent @event) =>
        Next(state) with { PendingDebitsMinor = PendingAfter(state.PendingDebitsMinor, delta, recordedAfter, @event, state) };

    private static AccountState PendingCredits(AccountState state, long delta, long recordedAfter, IAccountEvent @event) =>
        Next(state) with { PendingCreditsMinor = PendingAfter(state.PendingCreditsMinor, delta, recordedAfter, @event, state) };

    private static long PendingAfter(long pending, long delta, long recorded, IAccountEvent @event, AccountState state)
    {
        var expected = AddOrThrow(pending, delta, @event, state);
        if (expected < 0)
        {
            throw new InvalidOperationException($"{@event} releases more than {state} holds.");
        }

        if (expected != recorded)
        {
            throw new InvalidOperationException(
                $"{@event} records a pending total of {recorded} after it but applying it to {state} gives {expected}.");
        }

        return expected;
    }

    private static AccountState Existing(AccountState? state, IAccountEvent @event)
    {
        if (state is null)
        {
            throw new InvalidOperationException($"{@event} cannot apply before the account is opened.");
        }

        if (state.Id != @event.AccountId)
        {
            throw new InvalidOperationException($"{@event} belongs to another account than {state}.");
        }

        return state;
    }

    private static AccountState Next(AccountState state) =>
        state with { Version = checked(state.Version + 1) };

    private static long AddOrThrow(long balance, long delta, IAccountEvent @event, AccountState state)
    {
        try
        {
            return checked(balance + delta);
        }
        catch (OverflowException overflow)
        {
            throw new InvalidOperationException($"{@event} overflows an amount of {state}.", overflow);
        }
    }

    private static void RequireBalanceAfter(long expected, long recorded, IAccountEvent @event, AccountState state)
    {
        if (expected != recorded)
        {
            throw new InvalidOperationException(
                $"{@event} records balance after {recorded} but applying it to {state} gives {expected}.");
        }
    }

    // The daily total is only compared against a limit; a saturated total is still over any
    // limit, whereas throwing would make a legitimate high-volume stream unreplayable.
    private static long SaturatingAdd(long total, long amount)
    {
        var sum = (Int128)total + amount;
        return sum > long.MaxValue ? long.MaxValue : (long)sum;
    }
}
