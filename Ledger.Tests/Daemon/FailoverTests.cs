using Ledger.EventStore.Daemon;
using Npgsql;
using Xunit.Abstractions;

namespace Ledger.Tests.Daemon;

/// <summary>Two daemons on one schema, each with a data source of its own, stand in for two processes.</summary>
public sealed class FailoverTests(DaemonFixture fixture, ITestOutputHelper output) : IClassFixture<DaemonFixture>
{
    private static readonly ProjectionDaemonOptions Options = new()
    {
        LeadershipRetryInterval = TimeSpan.FromMilliseconds(100),
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
    };

    [Fact]
    public async Task a_standby_takes_over_from_the_checkpoint_when_the_leader_stops()
    {
        var first = await RecordingProjection.CreateAsync(fixture, "failover_a");
        var second = await RecordingProjection.CreateAsync(fixture, "failover_b");
        await using var process1 = new Process(fixture, "p1", output, first, second);
        await using var process2 = new Process(fixture, "p2", output, first, second);
        await process1.Daemon.StartAsync(CancellationToken.None);
        await process2.Daemon.StartAsync(CancellationToken.None);

        await fixture.AppendAsync(5);
        await fixture.WaitForHeadAsync(first.Name);
        await fixture.WaitForHeadAsync(second.Name);
        foreach (var name in new[] { first.Name, second.Name })
            (process1.Leads(name) ^ process2.Leads(name)).ShouldBeTrue($"exactly one daemon must lead {name}");

        var leader = process1.Leads(first.Name) ? process1 : process2;
        var standby = leader == process1 ? process2 : process1;
        await leader.Daemon.StopAsync(CancellationToken.None);
        await fixture.AppendAsync(5);

        await fixture.WaitForHeadAsync(first.Name);
        await fixture.WaitForHeadAsync(second.Name);
        standby.Daemon.LedProjections.ShouldBe([first.Name, second.Name], ignoreOrder: true);
        var events = await fixture.EventIdsAsync();
        (await fixture.ViewIdsAsync(first.Table)).ShouldBe(events);
        (await fixture.ViewIdsAsync(second.Table)).ShouldBe(events);
    }

    [Fact]
    public async Task when_the_leaders_session_dies_the_projection_goes_on_and_no_event_is_applied_twice()
    {
        var projection = await RecordingProjection.CreateAsync(fixture, "failover_kill");
        await using var process1 = new Process(fixture, "p1", output, projection);
        await using var process2 = new Process(fixture, "p2", output, projection);
        await process1.Daemon.StartAsync(CancellationToken.None);
        await process2.Daemon.StartAsync(CancellationToken.None);
        await fixture.AppendAsync(3);
        await fixture.WaitForHeadAsync(projection.Name);
        var leader = process1.Leads(projection.Name) ? process1 : process2;

        // What PostgreSQL sees when a process dies: its sessions end and their advisory locks are freed.
        (await leader.KillSessionsAsync()).ShouldBeGreaterThan(0);
        for (var i = 0; i < 5; i++) await fixture.AppendAsync(2);

        await fixture.WaitForHeadAsync(projection.Name);
        (await fixture.ViewIdsAsync(projection.Table)).ShouldBe(await fixture.EventIdsAsync());
        // The killed process may still believe it leads until its next statement fails, so only ask that someone does.
        (process1.Leads(projection.Name) || process2.Leads(projection.Name)).ShouldBeTrue();
    }

    /// <summary>A daemon on a data source of its own, named so its sessions can be found and killed.</summary>
    private sealed class Process : IAsyncDisposable
    {
        private readonly NpgsqlDataSource _dataSource;
        private readonly NpgsqlDataSource _admin;
        private readonly string _applicationName;

        public Process(DaemonFixture fixture, string name, ITestOutputHelper output, params IAsyncProjection[] projections)
        {
            _admin = fixture.Database.DataSource;
            _applicationName = $"{name}_{fixture.Schema}";
            _dataSource = NpgsqlDataSource.Create(
                new NpgsqlConnectionStringBuilder(fixture.Database.ConnectionString) { ApplicationName = _applicationName }.ConnectionString);
            Daemon = new ProjectionDaemon(fixture.StoreOn(_dataSource), projections, Options, new TestOutputLogger<ProjectionDaemon>(output));
        }

        public ProjectionDaemon Daemon { get; }

        public bool Leads(string projection) => Daemon.LedProjections.Contains(projection);

        public async Task<int> KillSessionsAsync()
        {
            await using var kill = _admin.CreateCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1");
            kill.Parameters.Add(new NpgsqlParameter { Value = _applicationName });
            return (int)(long)(await kill.ExecuteScalarAsync())!;
        }

        public async ValueTask DisposeAsync()
        {
            await Daemon.DisposeAsync();
            await _dataSource.DisposeAsync();
        }
    }
}
