namespace Ledger.EventStore.Daemon;

/// <summary>
/// An auto-reset wake-up: any number of <see cref="Set"/> calls while the owner is busy collapse into one
/// pending wake, so a notification that arrives during a batch is never lost and never queues up.
/// </summary>
internal sealed class WakeSignal
{
    // Not disposed on purpose: without AvailableWaitHandle a SemaphoreSlim holds no OS resource, and a late
    // Set from the listener thread must never hit a disposed object.
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake is already pending; one is enough.
        }
    }

    /// <summary>True when woken, false when the timeout passed first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _semaphore.WaitAsync(timeout, ct);
}
