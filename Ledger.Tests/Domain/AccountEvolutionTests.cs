using Ledger.Domain.Accounts;
using static Ledger.Tests.Domain.DomainSpec;

namespace Ledger.Tests.Domain;

public class AccountEvolutionTests
{
    [Fact]
    public void an_opened_account_is_active_empty_at_version_one_with_no_debit_day() =>
        Given(new AccountOpened(Alice, "EUR", "Alice", AllowNegative: true, IsSettlement: false, Now)).StateOf(Alice)
            .ShouldBe(new AccountState(
                Alice, "EUR", "Alice", AccountStatus.Active, AllowNegative: true, IsSettlement: false,
                BalanceMinor: 0, Version: 1, OpenedAt: Now, DebitDay: DateOnly.MinValue, DebitedOnDayMinor: 0));

    [Fact]
    public void replaying_no_events_gives_no_account() =>
        Given().StateOf(Alice).ShouldBeNull();

    [Fact]
    public void every_applied_event_increments_the_version_by_one() =>
        Given(Opened(Alice), Funded(Alice, 100), new AccountFrozen(Alice, Now), new AccountUnfrozen(Alice, Now),
                Debited(Alice, 100, balanceAfter: 0, Now), new AccountClosed(Alice, Now))
            .StateOf(Alice)!.Version.ShouldBe(6);

    [Fact]
    public void credits_and_debits_move_the_balance() =>
        Given(Opened(Alice), Funded(Alice, 500), Debited(Alice, 200, balanceAfter: 300, Now))
            .StateOf(Alice)!.BalanceMinor.ShouldBe(300);

    [Fact]
    public void freeze_unfreeze_and_close_set_the_status()
    {
        var frozen = Given(Opened(Alice), new AccountFrozen(Alice, Now)).StateOf(Alice)!;
        frozen.Status.ShouldBe(AccountStatus.Frozen);
        AccountEvolution.Evolve(frozen, new AccountUnfrozen(Alice, Now)).Status.ShouldBe(AccountStatus.Active);
        AccountEvolution.Evolve(frozen, new AccountClosed(Alice, Now)).Status.ShouldBe(AccountStatus.Closed);
    }

    [Fact]
    public void a_credit_whose_balance_after_does_not_match_throws() =>
        Should.Throw<InvalidOperationException>(() =>
                Given(Opened(Alice), Funded(Alice, 500), Funded(Alice, 100)).StateOf(Alice))
            .Message.ShouldContain(nameof(AccountCredited));

    [Fact]
    public void a_debit_whose_balance_after_does_not_match_throws() =>
        Should.Throw<InvalidOperationException>(() =>
                Given(Opened(Alice), Funded(Alice, 500), Debited(Alice, 200, balanceAfter: 500, Now)).StateOf(Alice))
            .Message.ShouldContain(nameof(AccountDebited));

    [Fact]
    public void a_credit_that_overflows_the_balance_throws() =>
        Should.Throw<InvalidOperationException>(() =>
            Given(Opened(Alice), Funded(Alice, long.MaxValue), Funded(Alice, 1) with { BalanceAfterMinor = long.MinValue })
                .StateOf(Alice));

    [Fact]
    public void an_event_for_another_account_throws() =>
        Should.Throw<InvalidOperationException>(() =>
            AccountEvolution.Replay([Opened(Alice), new AccountFrozen(Bob, Now)]))
            .Message.ShouldContain(Bob.ToString());

    [Fact]
    public void an_event_before_the_account_is_opened_throws() =>
        Should.Throw<InvalidOperationException>(() => AccountEvolution.Evolve(null, new AccountFrozen(Alice, Now)));

    [Fact]
    public void opening_an_already_opened_account_throws() =>
        Should.Throw<InvalidOperationException>(() => AccountEvolution.Replay([Opened(Alice), Opened(Alice)]));

    [Fact]
    public void an_unknown_event_type_throws_naming_the_type() =>
        Should.Throw<InvalidOperationException>(() => AccountEvolution.Replay([Opened(Alice), new AccountRenamed(Alice)]))
            .Message.ShouldContain(nameof(AccountRenamed));

    [Fact]
    public void a_debit_records_its_utc_day_and_amount() =>
        Given(Opened(Alice, allowNegative: true), Debited(Alice, 70, balanceAfter: -70, Now))
            .StateOf(Alice)!.ShouldSatisfyAllConditions(
                state => state.DebitDay.ShouldBe(new DateOnly(2025, 3, 14)),
                state => state.DebitedOnDayMinor.ShouldBe(70));

    [Fact]
    public void debits_on_the_same_utc_day_accumulate() =>
        Given(Opened(Alice, allowNegative: true), Debited(Alice, 70, -70, Now), Debited(Alice, 30, -100, Now.AddHours(13)))
            .StateOf(Alice)!.DebitedOnDayMinor.ShouldBe(100);

    [Fact]
    public void a_debit_on_a_later_utc_day_resets_the_daily_total() =>
        Given(Opened(Alice, allowNegative: true), Debited(Alice, 70, -70, Yesterday), Debited(Alice, 30, -100, Now))
            .StateOf(Alice)!.ShouldSatisfyAllConditions(
                state => state.DebitDay.ShouldBe(DateOnly.FromDateTime(Now.UtcDateTime)),
                state => state.DebitedOnDayMinor.ShouldBe(30));

    [Fact]
    public void the_debit_day_is_the_utc_date_not_the_local_date()
    {
        // 23:30 at UTC-2 on the 14th is already the 15th in UTC.
        var lateEvening = new DateTimeOffset(2025, 3, 14, 23, 30, 0, TimeSpan.FromHours(-2));
        Given(Opened(Alice, allowNegative: true), Debited(Alice, 70, -70, Now), Debited(Alice, 30, -100, lateEvening))
            .StateOf(Alice)!.ShouldSatisfyAllConditions(
                state => state.DebitDay.ShouldBe(new DateOnly(2025, 3, 15)),
                state => state.DebitedOnDayMinor.ShouldBe(30));
    }

    private sealed record AccountRenamed(Guid AccountId) : IAccountEvent;
}
