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

        return @event switch
        {
            AccountOpened opened => Open(state, opened),
            AccountCredited credited => Credit(Existing(state, credited), credited),
            AccountDebited debited => Debit(Existing(state, debited), debited),
            AccountFrozen frozen => Next(Existing(state, frozen)) with { Status = AccountStatus.Frozen },
            AccountUnfrozen unfrozen => Next(Existing(state, unfrozen)) with { Status = AccountStatus.Active },
            AccountClosed closed => Next(Existing(state, closed)) with { Status = AccountStatus.Closed },
            _ => throw new InvalidOperationException(
                $"Unknown account event type {@event.GetType().FullName}: {@event}."),
        };
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
            throw new InvalidOperationException($"{@event} overflows the balance of {state}.", overflow);
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
