using Ledger.Domain.Holds;
using static Ledger.Tests.Domain.DomainSpec;

namespace Ledger.Tests.Domain;

public class TransferHoldEvolutionTests
{
    [Fact]
    public void a_placed_hold_is_pending_at_version_one() =>
        GivenPendingHold(200, DueLater).HoldOf(TransferId).ShouldBe(new TransferHold(
            TransferId, Alice, Bob, 200, "USD", "rent", DueLater, Yesterday, HoldStatus.Pending,
            RequestedPostAmountMinor: null, PostedAmountMinor: null, Version: 1));

    [Fact]
    public void a_posted_hold_remembers_what_was_asked_and_what_moved() =>
        GivenPostedHold(requested: 150).HoldOf(TransferId)!.ShouldSatisfyAllConditions(
            hold => hold.Status.ShouldBe(HoldStatus.Posted),
            hold => hold.RequestedPostAmountMinor.ShouldBe(150),
            hold => hold.PostedAmountMinor.ShouldBe(150),
            hold => hold.Version.ShouldBe(2));

    [Fact]
    public void voided_and_expired_holds_say_so() =>
        (GivenVoidedHold().HoldOf(TransferId)!.Status, GivenExpiredHold().HoldOf(TransferId)!.Status)
            .ShouldBe((HoldStatus.Voided, HoldStatus.Expired));

    [Fact]
    public void no_events_give_no_hold() =>
        Given().HoldOf(TransferId).ShouldBeNull();

    [Fact]
    public void a_hold_that_left_pending_cannot_leave_it_again() =>
        Should.Throw<InvalidOperationException>(() =>
                TransferHoldEvolution.Replay([Placed(200), new HoldPosted(TransferId, null, 200, Now), new HoldVoided(TransferId, Now)]))
            .Message.ShouldContain(nameof(HoldStatus.Posted));

    [Fact]
    public void an_event_before_the_hold_is_placed_throws() =>
        Should.Throw<InvalidOperationException>(() => TransferHoldEvolution.Evolve(null, new HoldVoided(TransferId, Now)));

    [Fact]
    public void placing_a_placed_hold_again_throws() =>
        Should.Throw<InvalidOperationException>(() => TransferHoldEvolution.Replay([Placed(200), Placed(200)]));

    [Fact]
    public void an_event_of_another_transfer_throws() =>
        Should.Throw<InvalidOperationException>(() =>
                TransferHoldEvolution.Replay([Placed(200), new HoldVoided(EarlierTransferId, Now)]))
            .Message.ShouldContain(EarlierTransferId.ToString());

    [Theory]
    [InlineData(null, 150)]
    [InlineData(150L, 100)]
    [InlineData(300L, 300)]
    [InlineData(0L, 0)]
    public void a_post_of_an_amount_the_hold_does_not_hold_throws(long? requested, long posted) =>
        Should.Throw<InvalidOperationException>(() =>
            TransferHoldEvolution.Replay([Placed(200), new HoldPosted(TransferId, requested, posted, Now)]));

    [Fact]
    public void an_expiry_before_the_hold_is_due_throws() =>
        Should.Throw<InvalidOperationException>(() =>
            TransferHoldEvolution.Replay([Placed(200, DueLater), new HoldExpired(TransferId, Now)]));

    [Fact]
    public void an_expiry_of_a_hold_without_a_timeout_throws() =>
        Should.Throw<InvalidOperationException>(() => TransferHoldEvolution.Replay([Placed(200), new HoldExpired(TransferId, Now)]));

    [Fact]
    public void a_hold_that_expires_before_it_is_placed_throws() =>
        Should.Throw<InvalidOperationException>(() => TransferHoldEvolution.Replay([Placed(200, Yesterday)]));
}
