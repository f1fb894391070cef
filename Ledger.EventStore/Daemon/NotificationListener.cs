using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ledger.EventStore.Daemon;

/// <summary>
/// One dedicated LISTEN connection that hands each notification's payload to a callback. A broken
/// connection is reopened with backoff; every (re)connect also calls <c>onListening</c>, because anything
/// announced while nobody listened is lost, so whoever relies on notifications must look once more.
/// </summary>
internal sealed class NotificationListener(
    NpgsqlDataSource dataSource, string channel, Action<string> onNotification, Action onListening, ILogger logger)
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(5);

    /// <summary>Listens until cancelled; never throws anything but cancellation.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(ct);
                connection.Notification += (_, e) => onNotification(e.Payload);
                // The channel is built from a validated schema identifier, so it can be spliced in; LISTEN takes no parameters.
                await using (var listen = new NpgsqlCommand($"LISTEN {channel}", connection))
                    await listen.ExecuteNonQueryAsync(ct);
                failures = 0;
                onListening();
                while (true) await connection.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                var delay = TimeSpan.FromTicks(Math.Min(LastRetry.Ticks, FirstRetry.Ticks << Math.Min(failures - 1, 10)));
                logger.ListenerFailed(channel, failures, delay, e);
                try
                {
                    await Task.Delay(delay, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
