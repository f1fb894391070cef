using System.Net;
using Ledger.Projections.Store;
using Ledger.Tests.Infrastructure;

namespace Ledger.Tests.ReadSide;

/// <summary>
/// Two API processes on one schema (two hosts, two write pipelines, two daemons) writing in parallel:
/// the audit head lock must make them take turns, leaving one unbroken chain, and the log they leave
/// must be one the daemons can follow: every stream's events in version order.
/// </summary>
public sealed class ConcurrentProcessesTests(ConcurrentProcessesTests.TwoProcessesApi api) : IClassFixture<ConcurrentProcessesTests.TwoProcessesApi>
{
    public const int WorkersPerProcess = 4;
    public const int TransfersPerWorker = 100;

    /// <summary>What the parallel writes did; accounts are opened two per process before they start.</summary>
    public sealed record Storm(long SequenceBefore, IReadOnlyList<Guid> Accounts, IReadOnlyList<HttpStatusCode> Statuses)
    {
        public int Written => Accounts.Count + Statuses.Count;
    }

    /// <summary>
    /// The first process, and a second one on its schema whose keys carry other names, so the trail shows
    /// which process wrote each entry. Every write commits in a transaction of its own (BatchSizeMax = 1):
    /// many short transactions, many hand-overs of the audit head lock between the processes.
    /// </summary>
    public sealed class TwoProcessesApi : TwoInstancesApi
    {
        public const string SecondActor = "second-client";
        private Task<Storm>? _storm;

        public TwoProcessesApi() => Settings["Ledger:Writes:BatchSizeMax"] = "1";

        protected override string SecondApiKeys =>
            $"{OperatorKey}:operator:second-operator,{ClientKey}:client:{SecondActor},{AuditorKey}:auditor:second-auditor";

        public IEnumerable<(LedgerApiFactory Host, string Actor)> Processes => [(this, "test-client"), (Second, SecondActor)];

        // Tests of one class never run at the same time, so a plain lazy field is enough.
        public Task<Storm> StormAsync() => _storm ??= RunAsync();

        private async Task<Storm> RunAsync()
        {
            var before = await ScalarAsync<long>("SELECT coalesce(max(sequence), 0) FROM {schema}.audit_entries");
            var accounts = new List<Guid>();
            foreach (var (host, _) in Processes)
                for (var i = 0; i < 2; i++) accounts.Add(await host.Client().OpenAccountAsync("USD", initialBalance: 100_000));

            var perWorker = await Task.WhenAll(Processes.SelectMany((p, process) => Enumerable.Range(0, WorkersPerProcess).Select(worker => Task.Run(async () =>
            {
                var random = new Random(process * 100 + worker);
                var client = p.Host.Client();
                var statuses = new List<HttpStatusCode>();
                for (var n = 0; n < TransfersPerWorker; n++)
                {
                    var from = accounts[random.Next(accounts.Count)];
                    var to = accounts.Where(a => a != from).ElementAt(random.Next(accounts.Count - 1));
                    // Each worker's first transfer is far beyond any balance: rejected writes belong in the chain too.
                    var amount = n == 0 ? 1_000_000_000 : random.Next(1, 900);
                    var (status, _) = await client.PostJsonAsync("/transfers", new { fromAccountId = from, toAccountId = to, amount, currency = "USD" });
                    statuses.Add(status);
                }
                return statuses;
            }))));
            return new Storm(before, accounts, perWorker.SelectMany(s => s).ToList());
        }
    }

    [Fact]
    public async Task two_processes_writing_in_parallel_on_one_schema_leave_one_gapless_audit_chain_that_verifies_in_both()
    {
        var storm = await api.StormAsync();

        storm.Statuses.ShouldAllBe(s => s == HttpStatusCode.Created || s == HttpStatusCode.UnprocessableEntity);
        storm.Statuses.Count(s => s == HttpStatusCode.UnprocessableEntity).ShouldBe(2 * WorkersPerProcess);
        // One entry per write, numbered on from before with no gap and no repeat, written by both processes.
        var entries = await api.QueryAsync($"SELECT sequence, actor FROM {{schema}}.audit_entries WHERE sequence > {storm.SequenceBefore} ORDER BY sequence",
            r => (Sequence: r.GetInt64(0), Actor: r.GetString(1)));
        entries.Select(e => e.Sequence).ShouldBe(Enumerable.Range(1, storm.Written).Select(n => storm.SequenceBefore + n));
        foreach (var (_, actor) in api.Processes)
            entries.Count(e => e.Actor == actor).ShouldBe(2 + WorkersPerProcess * TransfersPerWorker, $"entries written through {actor}'s process");
        // Each entry names its predecessor's hash, and the head names the last entry.
        (await api.ScalarAsync<long>("""
            SELECT count(*) FROM {schema}.audit_entries e
            LEFT JOIN {schema}.audit_entries p ON p.sequence = e.sequence - 1
            WHERE e.previous_hash <> coalesce(p.hash, repeat('0', 64))
            """)).ShouldBe(0);
        (await api.ScalarAsync<long>("SELECT sequence FROM {schema}.audit_head")).ShouldBe(storm.SequenceBefore + storm.Written);
        (await api.ScalarAsync<string>("SELECT hash FROM {schema}.audit_head"))
            .ShouldBe(await api.ScalarAsync<string>("SELECT hash FROM {schema}.audit_entries ORDER BY sequence DESC LIMIT 1"));

        foreach (var (host, _) in api.Processes)
        {
            var (valid, entriesChecked, firstInvalid) = await host.Auditor().VerifyAuditAsync();
            valid.ShouldBeTrue();
            firstInvalid.ShouldBeNull();
            entriesChecked.ShouldBe(storm.SequenceBefore + storm.Written);
        }
    }

    [Fact]
    public async Task two_processes_writing_in_parallel_leave_a_log_that_orders_every_stream_by_version()
    {
        await api.StormAsync();

        // The daemon reads the log in (transaction id, sequence) order and folds each stream version by
        // version; that is only possible if transaction order agrees with commit order for every stream.
        var outOfOrder = await api.QueryAsync("""
            SELECT stream_id, version, previous, 0::bigint, seq_id FROM (
                SELECT stream_id, version, seq_id, lag(version) OVER (PARTITION BY stream_id ORDER BY seq_id) AS previous
                FROM {schema}.mt_events) e
            WHERE version <> coalesce(previous, 0) + 1
            ORDER BY seq_id
            """, r => $"stream {r.GetGuid(0)}: v{r.GetInt64(1)} follows v{(r.IsDBNull(2) ? 0 : r.GetInt64(2))} in the log at {r.GetInt64(3)}-{r.GetInt64(4)}");

        outOfOrder.ShouldBeEmpty();
    }

    [Fact]
    public async Task whichever_process_leads_them_the_projections_converge_on_the_write_side()
    {
        await api.StormAsync();
        var waiter = api.Service<ProjectionProgress>();
        var head = await waiter.HeadAsync(CancellationToken.None);

        foreach (var name in new[] { "balances", "transactions" })
        {
            // A faulted projection will never get there: stop waiting as soon as it says so.
            using var done = new CancellationTokenSource();
            var reached = waiter.WaitForAsync(name, head, TimeSpan.FromSeconds(30), done.Token);
            var faulted = api.WaitForStatusAsync(name, ProjectionProgress.Faulted, TimeSpan.FromSeconds(30), done.Token);
            var first = await Task.WhenAny(reached, faulted);
            var ok = first == reached && await reached;
            await done.CancelAsync();
            await Task.WhenAll(reached, faulted).ContinueWith(_ => { }, TaskScheduler.Default); // observe the cancelled one
            ok.ShouldBeTrue($"{name} did not reach {head}: {(await api.Auditor().ProjectionAsync(name)).ToJsonString()}");
        }

        (await api.ScalarAsync<long>("SELECT count(*) FROM (SELECT * FROM {schema}.balances EXCEPT SELECT * FROM {schema}.account_snapshots) d")).ShouldBe(0);
        (await api.ScalarAsync<long>("SELECT count(*) FROM (SELECT * FROM {schema}.account_snapshots EXCEPT SELECT * FROM {schema}.balances) d")).ShouldBe(0);
        (await api.ScalarAsync<long>("SELECT coalesce(sum(balance), 0)::bigint FROM {schema}.balances WHERE currency = 'USD'")).ShouldBe(0);
        (await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.transactions"))
            .ShouldBe(await api.ScalarAsync<long>("SELECT count(*) FROM {schema}.mt_events WHERE type IN ('account.credited.v1', 'account.debited.v1')"));
        foreach (var (host, _) in api.Processes)
            foreach (var name in new[] { "balances", "transactions" })
            {
                var status = await host.Auditor().ProjectionAsync(name);
                status["status"]!.GetValue<string>().ShouldBe("running");
                status["lagEvents"]!.GetValue<long>().ShouldBe(0);
            }
    }
}
