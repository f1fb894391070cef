namespace Ledger.Api.Jobs;

/// <summary>A job that cannot run now and must be delivered again later (see <c>LedgerMessaging</c>'s retry rule).</summary>
public sealed class JobDeferredException(string reason) : Exception(reason);
