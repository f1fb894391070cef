using Ledger.EventStore.Appending;
using Ledger.Tests.EventStore;

namespace Ledger.Tests.Daemon;

/// <summary>
/// Writers that make the log hard to follow: some hold their transaction open after inserting, so events
/// with lower sequence numbers commit after higher ones; some roll back, leaving holes for good.
/// </summary>
internal static class ConcurrentWriters
{
    public sealed record Outcome(int Committed, int RolledBack, int Slow);

    public static async Task<Outcome> RunAsync(DaemonFixture fixture, int writers, int appendsEach, int seed)
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(seed * 1000 + w);
            var slow = w % 4 == 0;
            int committed = 0, rolledBack = 0;
            for (var i = 0; i < appendsEach; i++)
            {
                var id = Guid.NewGuid();
                var events = Enumerable.Range(1, random.Next(1, 4)).Select(n => (object)new ThingHappened(id, n)).ToArray();
                StreamAppend[] append = [StreamAppend.Of(id, "thing", ExpectedVersion.NoStream, events)];
                var rollBack = random.Next(6) == 0;
                if (!slow && !rollBack)
                {
                    await fixture.Store.AppendAsync(append, DaemonFixture.Context());
                    committed++;
                    continue;
                }
                await using var connection = await fixture.Database.DataSource.OpenConnectionAsync();
                await using var tx = await connection.BeginTransactionAsync();
                await fixture.Store.AppendAsync(connection, tx, append, DaemonFixture.Context());
                // Holding the transaction, not waiting for a projection: later writers commit meanwhile.
                if (slow) await Task.Delay(random.Next(5, 101));
                if (rollBack)
                {
                    await tx.RollbackAsync();
                    rolledBack++;
                }
                else
                {
                    await tx.CommitAsync();
                    committed++;
                }
            }
            return new Outcome(committed, rolledBack, slow ? appendsEach : 0);
        })));
        return new Outcome(outcomes.Sum(o => o.Committed), outcomes.Sum(o => o.RolledBack), outcomes.Sum(o => o.Slow));
    }
}
