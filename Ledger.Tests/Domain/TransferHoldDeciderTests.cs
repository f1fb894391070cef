using Ledger.Domain;
using Ledger.Domain.Accounts;
using Ledger.Domain.Holds;
using static Ledger.Tests.Domain.DomainSpec;

namespace Ledger.Tests.Domain;

// The contract's state table, row by row: post, void and expire on a hold that is pending, posted, voided or
// expired, or on a transfer without a hold.
public class TransferHoldDeciderTests
{
    [Fact]
    public void posting_a_pending_hold_without_an_amount_releases_it_and_moves_all_of_it() =>
        GivenPendingHold(200)
            .When(new PostHold(TransferId, AmountMinor: null, Now))
            .ShouldEmit(
                new HoldPosted(TransferId, RequestedAmountMinor: null, PostedAmountMinor: 200, Now),
                new AccountDebitHoldReleased(Alice, TransferId, 200, PendingDebitsAfterMinor: 0, HoldRelease.Posted, Now),
                new AccountDebited(Alice, TransferId, 200, Bob, BalanceAfterMinor: 300, "rent", Now),
                new AccountCreditHoldReleased(Bob, TransferId, 200, PendingCreditsAfterMinor: 0, HoldRelease.Posted, Now),
                new AccountCredited(Bob, TransferId, 200, Alice, BalanceAfterMinor: 200, "rent", Now));

    [Fact]
    public void posting_part_of_a_pending_hold_releases_all_of_it_and_moves_only_the_posted_amount() =>
        GivenPendingHold(200)
            .When(new PostHold(TransferId, 150, Now))
            .ShouldEmit(
                new HoldPosted(TransferId, RequestedAmountMinor: 150, PostedAmountMinor: 150, Now),
                new AccountDebitHoldReleased(Alice, TransferId, 200, PendingDebitsAfterMinor: 0, HoldRelease.Posted, Now),
                new AccountDebited(Alice, TransferId, 150, Bob, BalanceAfterMinor: 350, "rent", Now),
                new AccountCreditHoldReleased(Bob, TransferId, 200, PendingCreditsAfterMinor: 0, HoldRelease.Posted, Now),
                new AccountCredited(Bob, TransferId, 150, Alice, BalanceAfterMinor: 150, "rent", Now));

    [Fact]
    public void posting_exactly_the_held_amount_is_accepted() =>
        GivenPendingHold(200).When(new PostHold(TransferId, 200, Now)).ShouldBeOfType<HoldAccepted>();

    [Fact]
    public void posting_more_than_is_held_is_rejected_as_amount_exceeds_pending() =>
        GivenPendingHold(200).When(new PostHold(TransferId, 201, Now))
            .ShouldReject(RejectionCode.AmountExceedsPending).Detail.ShouldContain("200");

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void posting_a_non_positive_amount_is_a_bug_whatever_the_hold(long amount)
    {
        Should.Throw<ArgumentException>(() => GivenPendingHold(200).When(new PostHold(TransferId, amount, Now)));
        Should.Throw<ArgumentException>(() => GivenPostedHold(requested: null).When(new PostHold(TransferId, amount, Now)));
    }

    [Fact]
    public void posting_needs_no_funds_beyond_the_hold_and_checks_no_limit_again() =>
        GivenPendingHold(200, expiresAt: null, Debited(Alice, 300, balanceAfter: 200, Now.AddMinutes(-1)))
            .When(new PostHold(TransferId, AmountMinor: null, Now))
            .ShouldBeOfType<HoldAccepted>().AccountEvents.OfType<AccountDebited>().Single().BalanceAfterMinor.ShouldBe(0);

    [Fact]
    public void posting_when_the_debited_account_is_frozen_is_rejected_as_account_frozen() =>
        GivenPendingHold(200, expiresAt: null, new AccountFrozen(Alice, Now.AddMinutes(-1)))
            .When(new PostHold(TransferId, AmountMinor: null, Now))
            .ShouldReject(RejectionCode.AccountFrozen).Detail.ShouldContain(Alice.ToString());

    [Fact]
    public void posting_when_the_credited_account_is_frozen_is_rejected_as_account_frozen() =>
        GivenPendingHold(200, expiresAt: null, new AccountFrozen(Bob, Now.AddMinutes(-1)))
            .When(new PostHold(TransferId, AmountMinor: null, Now))
            .ShouldReject(RejectionCode.AccountFrozen).Detail.ShouldContain(Bob.ToString());

    [Fact]
    public void posting_a_hold_that_is_due_is_rejected_as_transfer_expired_before_the_expiry_is_written() =>
        GivenPendingHold(200, DueYesterday).When(new PostHold(TransferId, AmountMinor: null, Now))
            .ShouldReject(RejectionCode.TransferExpired);

    [Fact]
    public void posting_a_hold_at_the_instant_it_is_due_is_rejected_as_transfer_expired() =>
        GivenPendingHold(200, Now).When(new PostHold(TransferId, AmountMinor: null, Now))
            .ShouldReject(RejectionCode.TransferExpired);

    [Fact]
    public void posting_a_hold_before_it_is_due_is_accepted() =>
        GivenPendingHold(200, DueLater).When(new PostHold(TransferId, AmountMinor: null, Now)).ShouldBeOfType<HoldAccepted>();

    [Fact]
    public void voiding_a_pending_hold_releases_both_sides_and_moves_nothing() =>
        GivenPendingHold(200)
            .When(new VoidHold(TransferId, Now))
            .ShouldEmit(
                new HoldVoided(TransferId, Now),
                new AccountDebitHoldReleased(Alice, TransferId, 200, PendingDebitsAfterMinor: 0, HoldRelease.Voided, Now),
                new AccountCreditHoldReleased(Bob, TransferId, 200, PendingCreditsAfterMinor: 0, HoldRelease.Voided, Now));

    [Fact]
    public void voiding_a_pending_hold_on_a_frozen_account_is_accepted() =>
        GivenPendingHold(200, expiresAt: null, new AccountFrozen(Alice, Now.AddMinutes(-1)))
            .When(new VoidHold(TransferId, Now)).ShouldBeOfType<HoldAccepted>();

    [Fact]
    public void voiding_a_hold_that_is_due_is_rejected_as_transfer_expired() =>
        GivenPendingHold(200, DueYesterday).When(new VoidHold(TransferId, Now)).ShouldReject(RejectionCode.TransferExpired);

    [Fact]
    public void expiring_a_due_pending_hold_releases_both_sides() =>
        GivenPendingHold(200, DueYesterday)
            .When(new ExpireHold(TransferId, Now))
            .ShouldEmit(
                new HoldExpired(TransferId, Now),
                new AccountDebitHoldReleased(Alice, TransferId, 200, PendingDebitsAfterMinor: 0, HoldRelease.Expired, Now),
                new AccountCreditHoldReleased(Bob, TransferId, 200, PendingCreditsAfterMinor: 0, HoldRelease.Expired, Now));

    [Fact]
    public void expiring_a_hold_before_it_is_due_is_a_bug() =>
        Should.Throw<ArgumentException>(() => GivenPendingHold(200, DueLater).When(new ExpireHold(TransferId, Now)));

    [Fact]
    public void expiring_a_hold_without_a_timeout_is_a_bug() =>
        Should.Throw<ArgumentException>(() => GivenPendingHold(200).When(new ExpireHold(TransferId, Now)));

    [Fact]
    public void posting_a_posted_hold_again_with_the_same_amount_writes_nothing_and_answers_the_posted_hold() =>
        GivenPostedHold(requested: 150).When(new PostHold(TransferId, 150, Now))
            .ShouldLeaveUnchanged().ShouldSatisfyAllConditions(
                hold => hold.Status.ShouldBe(HoldStatus.Posted),
                hold => hold.PostedAmountMinor.ShouldBe(150));

    [Fact]
    public void posting_a_posted_hold_again_without_an_amount_both_times_writes_nothing() =>
        GivenPostedHold(requested: null).When(new PostHold(TransferId, AmountMinor: null, Now))
            .ShouldLeaveUnchanged().PostedAmountMinor.ShouldBe(200);

    [Fact]
    public void posting_a_posted_hold_with_another_amount_is_rejected_as_transfer_not_pending() =>
        GivenPostedHold(requested: 150).When(new PostHold(TransferId, 100, Now)).ShouldReject(RejectionCode.TransferNotPending);

    [Fact]
    public void posting_a_posted_hold_without_an_amount_after_a_post_with_one_is_rejected_as_transfer_not_pending() =>
        GivenPostedHold(requested: 150).When(new PostHold(TransferId, AmountMinor: null, Now))
            .ShouldReject(RejectionCode.TransferNotPending);

    [Fact]
    public void posting_a_posted_hold_with_the_held_amount_after_a_post_without_one_is_rejected_as_transfer_not_pending() =>
        GivenPostedHold(requested: null).When(new PostHold(TransferId, 200, Now)).ShouldReject(RejectionCode.TransferNotPending);

    [Fact]
    public void voiding_a_posted_hold_is_rejected_as_transfer_not_pending() =>
        GivenPostedHold(requested: null).When(new VoidHold(TransferId, Now))
            .ShouldReject(RejectionCode.TransferNotPending).Detail.ShouldContain("posted");

    [Fact]
    public void expiring_a_posted_hold_writes_nothing() =>
        GivenPostedHold(requested: null).When(new ExpireHold(TransferId, Now)).ShouldLeaveUnchanged().Status.ShouldBe(HoldStatus.Posted);

    [Fact]
    public void voiding_a_voided_hold_again_writes_nothing_and_answers_the_voided_hold() =>
        GivenVoidedHold().When(new VoidHold(TransferId, Now)).ShouldLeaveUnchanged().Status.ShouldBe(HoldStatus.Voided);

    [Fact]
    public void posting_a_voided_hold_is_rejected_as_transfer_not_pending() =>
        GivenVoidedHold().When(new PostHold(TransferId, AmountMinor: null, Now))
            .ShouldReject(RejectionCode.TransferNotPending).Detail.ShouldContain("voided");

    [Fact]
    public void expiring_a_voided_hold_writes_nothing() =>
        GivenVoidedHold().When(new ExpireHold(TransferId, Now)).ShouldLeaveUnchanged().Status.ShouldBe(HoldStatus.Voided);

    [Fact]
    public void posting_an_expired_hold_is_rejected_as_transfer_expired() =>
        GivenExpiredHold().When(new PostHold(TransferId, AmountMinor: null, Now)).ShouldReject(RejectionCode.TransferExpired);

    [Fact]
    public void voiding_an_expired_hold_is_rejected_as_transfer_expired() =>
        GivenExpiredHold().When(new VoidHold(TransferId, Now)).ShouldReject(RejectionCode.TransferExpired);

    [Fact]
    public void expiring_an_expired_hold_again_writes_nothing() =>
        GivenExpiredHold().When(new ExpireHold(TransferId, Now)).ShouldLeaveUnchanged().Status.ShouldBe(HoldStatus.Expired);

    [Fact]
    public void posting_a_transfer_without_a_hold_is_rejected_as_transfer_not_pending() =>
        Given(Opened(Alice), Opened(Bob)).When(new PostHold(TransferId, AmountMinor: null, Now))
            .ShouldReject(RejectionCode.TransferNotPending).Detail.ShouldContain("one-phase");

    [Fact]
    public void voiding_a_transfer_without_a_hold_is_rejected_as_transfer_not_pending() =>
        Given(Opened(Alice), Opened(Bob)).When(new VoidHold(TransferId, Now)).ShouldReject(RejectionCode.TransferNotPending);

    [Fact]
    public void expiring_a_transfer_without_a_hold_is_a_bug() =>
        Should.Throw<ArgumentException>(() => Given().When(new ExpireHold(TransferId, Now)));

    [Fact]
    public void deciding_without_the_accounts_of_the_hold_is_a_bug()
    {
        var history = GivenPendingHold(200);
        Should.Throw<ArgumentException>(() => TransferHoldDecider.Decide(
            new VoidHold(TransferId, Now), history.HoldOf(TransferId), history.StateOf(Bob), history.StateOf(Alice)));
    }

    [Fact]
    public void an_unknown_command_type_throws_naming_the_command_and_the_hold() =>
        Should.Throw<InvalidOperationException>(() => GivenPendingHold(200).When(new ExtendHold(TransferId, Now)))
            .Message.ShouldSatisfyAllConditions(
                message => message.ShouldContain(nameof(ExtendHold)),
                message => message.ShouldContain(nameof(TransferHold)));

    private sealed record ExtendHold(Guid TransferId, DateTimeOffset Now) : IHoldCommand;
}
