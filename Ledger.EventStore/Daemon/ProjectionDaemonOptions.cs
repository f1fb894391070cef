using System.Data;
using System.Net.Sockets;
using Npgsql;

namespace Ledger.EventStore.Daemon;

/// <summary>Tuning of the <see cref="ProjectionDaemon"/>; the defaults suit a production process.</summary>
public sealed record ProjectionDaemonOptions
{
    /// <summary>Most events handed to a projection in one transaction.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>
    /// Fallback when no notification arrives (a missed NOTIFY, a broken LISTEN connection). Wake-ups
    /// normally come from the events channel, so this can be long.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// First recheck delay when committed events exist beyond the readable horizon (an older transaction
    /// is still open). It doubles while nothing new becomes readable, up to <see cref="PollInterval"/>.
    /// </summary>
    public TimeSpan BlockedRecheckInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How often a standby tries to take the leadership lock of a projection.</summary>
    public TimeSpan LeadershipRetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Consecutive transient failures retried before the projection is marked faulted.</summary>
    public int TransientRetriesMax { get; init; } = 5;

    /// <summary>Delay before the first transient retry; each further retry doubles it.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Decides whether a failure may succeed when retried; replace it to classify your own exceptions.</summary>
    public Func<Exception, bool> IsTransient { get; init; } = IsTransientByDefault;

    /// <summary>Npgsql's own classification, plus the ways a connection dies under us (server restart, kill).</summary>
    public static bool IsTransientByDefault(Exception exception) => exception switch
    {
        // 57P01 admin shutdown / terminated backend, 57P02 crash shutdown, 57P05 idle session timeout.
        PostgresException p => p.IsTransient || p.SqlState is "57P01" or "57P02" or "57P05",
        NpgsqlException n => n.IsTransient || n.InnerException is IOException or SocketException or TimeoutException,
        TimeoutException or IOException or SocketException => true,
        _ => false,
    };

    internal bool IsTransientOn(Exception exception, NpgsqlConnection connection) =>
        IsTransient(exception) || connection.FullState.HasFlag(ConnectionState.Broken) || connection.State == ConnectionState.Closed;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(TransientRetriesMax, 0, nameof(TransientRetriesMax));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero, nameof(PollInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(BlockedRecheckInterval, TimeSpan.Zero, nameof(BlockedRecheckInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(LeadershipRetryInterval, TimeSpan.Zero, nameof(LeadershipRetryInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryBaseDelay, TimeSpan.Zero, nameof(RetryBaseDelay));
    }

    /// <summary>RetryBaseDelay × 2^(attempt-1), capped so a large retry count cannot overflow.</summary>
    internal TimeSpan RetryDelay(int attempt) =>
        TimeSpan.FromTicks(RetryBaseDelay.Ticks * (1L << Math.Clamp(attempt - 1, 0, 16)));
}
