using Microsoft.Extensions.Logging;

namespace Ledger.EventStore.Daemon;

/// <summary>Source-generated log messages of the daemon; event ids 7100-7199 belong to it.</summary>
internal static partial class DaemonLog
{
    [LoggerMessage(7100, LogLevel.Information, "Projection {Projection} is led by this process from checkpoint {Position}")]
    public static partial void LeadershipTaken(this ILogger logger, string projection, LogPosition position);

    [LoggerMessage(7101, LogLevel.Information, "Projection {Projection} released its leadership: {Reason}")]
    public static partial void LeadershipReleased(this ILogger logger, string projection, string reason);

    [LoggerMessage(7102, LogLevel.Debug, "Projection {Projection} applied {Count} events up to {Position}")]
    public static partial void BatchApplied(this ILogger logger, string projection, int count, LogPosition position);

    [LoggerMessage(7103, LogLevel.Warning, "Projection {Projection} hit a transient failure (attempt {Attempt} of {Max}); retrying in {Delay}")]
    public static partial void TransientFailure(this ILogger logger, string projection, int attempt, int max, TimeSpan delay, Exception exception);

    [LoggerMessage(7104, LogLevel.Warning, "Projection {Projection} failed on a batch of {Count} events after {Position}; retrying one event at a time to find the failing one")]
    public static partial void IsolatingFailure(this ILogger logger, string projection, int count, LogPosition position, Exception exception);

    [LoggerMessage(7105, LogLevel.Error, "Projection {Projection} is faulted at event {Position} and stops in this process; restart to retry")]
    public static partial void ProjectionFaulted(this ILogger logger, string projection, LogPosition? position, Exception exception);

    [LoggerMessage(7106, LogLevel.Warning, "Projection {Projection} was faulted by another process since this one started; not retrying it here")]
    public static partial void FaultedElsewhere(this ILogger logger, string projection);

    [LoggerMessage(7107, LogLevel.Warning, "Projection {Projection}'s checkpoint was moved by someone else; rolled back and gave up leadership")]
    public static partial void CheckpointMovedElsewhere(this ILogger logger, string projection);

    [LoggerMessage(7108, LogLevel.Warning, "Projection {Projection} could not check for leadership; retrying")]
    public static partial void StandbyFailed(this ILogger logger, string projection, Exception exception);

    [LoggerMessage(7109, LogLevel.Warning, "LISTEN on {Channel} failed ({Failures} in a row); reconnecting in {Delay}, polling meanwhile")]
    public static partial void ListenerFailed(this ILogger logger, string channel, int failures, TimeSpan delay, Exception exception);

    [LoggerMessage(7110, LogLevel.Error, "Projection {Projection} could not record its state")]
    public static partial void StateNotRecorded(this ILogger logger, string projection, Exception exception);

    [LoggerMessage(7111, LogLevel.Error, "Projection {Projection}'s runner failed unexpectedly")]
    public static partial void RunnerCrashed(this ILogger logger, string projection, Exception exception);
}
