using BenchmarkDotNet.Attributes;
using Ledger.Domain;
using Ledger.Domain.Accounts;
using Ledger.Domain.Risk;
using Ledger.Domain.Transfers;

using Ledger.Projections.Audit;
using Marten;
using Weasel.Core;

namespace Ledger.Bench.Micro;

/// <summary>
/// What the committer does per transfer besides talking to PostgreSQL: decide, evolve both accounts,
/// serialize the two events (with Marten's serializer, configured as the ledger configures it), hash the audit entry. Numbers are per transfer unless the name says batch.
/// </summary>
[MemoryDiagnoser]
public class TransferPathBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 15, 30, TimeSpan.Zero);

    private AccountState _from = null!;
    private AccountState _to = null!;
    private TransferFunds _command = null!;
    private AccountDebited _debited = null!;
    private AccountCredited _credited = null!;
    private Marten.ISerializer _serializer = null!;
    private AuditEntry _audit = null!;
    private IAccountEvent[] _batch = null!;

    [GlobalSetup]
    public void Setup()
    {
        var fromId = Guid.CreateVersion7();
        var toId = Guid.CreateVersion7();
        _from = Open(fromId, 1_000_000_000);
        _to = Open(toId, 5_000);
        _command = new TransferFunds(Guid.CreateVersion7(), fromId, toId, 1_234, "USD", "invoice 42", Now);
        var events = ((Accepted)TransferDecider.Decide(_command, _from, _to, RiskLimits.None)).Events;
        _debited = (AccountDebited)events[0];
        _credited = (AccountCredited)events[1];
        var options = new StoreOptions();
        options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
        _serializer = options.Serializer();
        var head = new AuditHead(41, new string('a', 64));
        var draft = new AuditDraft("bench-client", "transfer", [fromId, toId], Accepted: true, Code: null,
            $"Transfer {_command.TransferId}: 1234 USD from {fromId} to {toId}.");
        _audit = AuditChain.Link(head, draft, Now);

        // A full committer batch of 1,000 transfers: 2,000 events.
        _batch = new IAccountEvent[2_000];
        for (var i = 0; i < _batch.Length; i += 2)
        {
            _batch[i] = _debited with { TransferId = Guid.CreateVersion7() };
            _batch[i + 1] = _credited with { TransferId = ((AccountDebited)_batch[i]).TransferId };
        }
    }

    [Benchmark(Description = "Decide(transfer)")]
    public Decision Decide() => TransferDecider.Decide(_command, _from, _to, RiskLimits.None);

    [Benchmark(Description = "Evolve(debit) + Evolve(credit)")]
    public AccountState Evolve()
    {
        var from = AccountEvolution.Evolve(_from, _debited);
        var to = AccountEvolution.Evolve(_to, _credited);
        return from.Version > to.Version ? from : to;
    }

    [Benchmark(Description = "Decide + Evolve both accounts")]
    public AccountState DecideAndEvolve()
    {
        var events = ((Accepted)TransferDecider.Decide(_command, _from, _to, RiskLimits.None)).Events;
        var from = AccountEvolution.Evolve(_from, events[0]);
        var to = AccountEvolution.Evolve(_to, events[1]);
        return from.Version > to.Version ? from : to;
    }

    [Benchmark(Description = "Serialize(debited) + Serialize(credited)")]
    public int Serialize() => _serializer.ToJson(_debited).Length + _serializer.ToJson(_credited).Length;

    [Benchmark(Description = "Serialize 2,000 events (a 1,000-transfer batch)", OperationsPerInvoke = 1_000)]
    public long SerializeBatch()
    {
        long length = 0;
        foreach (var e in _batch)
        {
            length += _serializer.ToJson(e).Length;
        }

        return length;
    }

    [Benchmark(Description = "AuditChain.Compute (SHA-256 of one entry)")]
    public string AuditHash() => AuditChain.Compute(_audit);

    private static AccountState Open(Guid id, long balance) =>
        AccountEvolution.Evolve(null, new AccountOpened(id, "USD", "bench", AllowNegative: false, IsSettlement: false, Now)) with
        {
            BalanceMinor = balance,
        };
}
