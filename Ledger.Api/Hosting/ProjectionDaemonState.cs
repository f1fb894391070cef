using JasperFx.Events.Daemon;

namespace Ledger.Api.Hosting;

/// <summary>
/// Whether Marten's daemon runs in this process, leading or standing by (HotCold), for readiness. Marten's
/// coordinator does not say so itself, and its daemon's <c>IsRunning</c> is false on a standby, which is
/// healthy. Registered after Marten's coordinator, so it starts after it and stops before it; stopping it
/// pauses the coordinator, which is how an operator or a test takes the daemon down on its own.
/// </summary>
public sealed class ProjectionDaemonState(IProjectionCoordinator coordinator) : IHostedService
{
    private volatile bool _running;

    public bool IsRunning => _running;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _running = true;
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _running = false;
        await coordinator.PauseAsync();
    }
}
