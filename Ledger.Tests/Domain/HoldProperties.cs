using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Ledger.Tests.Domain;

// Random sequences of holds, posts (whole or in part), voids, expiries and one-phase transfers, decided and
// applied the way the writer will, against a plain model of what each outcome should move. A failure prints
// FsCheck's replay seed and the shortest sequence it could shrink to.
public partial class HoldProperties
{
    [Property(MaxTest = 200)]
    public Property any_sequence_keeps_the_books_balanced_and_no_account_spending_money_it_does_not_have() =>
        Prop.ForAll(Sequences, steps => new Books().Run(steps));

    private abstract record Step;

    private sealed record Move(int From, int To, long AmountMinor) : Step;

    private sealed record Reserve(int From, int To, long AmountMinor, int? TimeoutSeconds) : Step;

    // PercentOfHeld null posts all of it; above 100 asks for more than is held.
    private sealed record Post(int Hold, int? PercentOfHeld) : Step;

    private sealed record Void(int Hold) : Step;

    // As the scheduler does: at the hold's expiry instant, or now if that has passed.
    private sealed record Expire(int Hold) : Step;

    private sealed record Wait(int Seconds) : Step;

    // Mostly one of the last few holds placed, so that posts, voids and expiries meet holds in every state;
    // now and then a transfer that has no hold.
    private static readonly Gen<int> AnyHold = Gen.Frequency([(9, Gen.Choose(0, 4)), (1, Gen.Constant(Books.NoHold))]);

    // Two different accounts (the edge refuses a transfer to the same account before the domain sees it),
    // mostly in one currency.
    private static readonly Gen<(int Debited, int Credited)> AnyPair = Gen.Frequency(
    [
        (9, Gen.Elements(Books.Usd, Books.Eur).SelectMany(Gen.Shuffle).Select(accounts => (accounts[0], accounts[1]))),
        (1, Gen.Shuffle(Books.Usd.Concat(Books.Eur)).Select(accounts => (accounts[0], accounts[1]))),
    ]);

    private static readonly Gen<Step> AnyMove =
        from pair in AnyPair
        from amount in Gen.Choose(1, 1_500)
        select (Step)new Move(pair.Debited, pair.Credited, amount);

    private static readonly Gen<Step> AnyReserve =
        from pair in AnyPair
        from amount in Gen.Choose(1, 1_500)
        from timeout in Sometimes(Gen.Choose(1, 120))
        select (Step)new Reserve(pair.Debited, pair.Credited, amount, timeout);

    private static readonly Gen<Step> AnyPost =
        from hold in AnyHold
        from percent in Sometimes(Gen.Choose(1, 110))
        select (Step)new Post(hold, percent);

    private static readonly Gen<Step> AnyStep = Gen.Frequency(
    [
        (2, AnyMove),
        (3, AnyReserve),
        (3, AnyPost),
        (2, AnyHold.Select(h => (Step)new Void(h))),
        (1, AnyHold.Select(h => (Step)new Expire(h))),
        (1, Gen.Choose(1, 90).Select(s => (Step)new Wait(s))),
    ]);

    private static Gen<int?> Sometimes(Gen<int> value) =>
        Gen.Frequency([(1, Gen.Constant((int?)null)), (2, value.Select(v => (int?)v))]);

    private static readonly Arbitrary<Step[]> Sequences = Arb.From(
        AnyStep.ArrayOf(),
        steps => Enumerable.Range(0, steps.Length).Select(i => steps.Where((_, j) => j != i).ToArray()));
}
