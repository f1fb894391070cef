using Marten.Exceptions;
using Npgsql;

namespace Ledger.Api.Hosting;

/// <summary>
/// What a failure means, whichever layer raised it: Marten wraps the database's errors in
/// <see cref="MartenCommandException"/>, so every check looks at the error underneath.
/// </summary>
public static class DatabaseFaults
{
    /// <summary>The database failed or could not be reached (not a bug of ours): retry later, answer 503.</summary>
    public static bool IsDatabase(Exception e) => Unwrap(e) is NpgsqlException or TimeoutException;

    /// <summary>A failure that a retry can cure: a lost connection, a timeout, a transient server state.</summary>
    public static bool IsTransient(Exception e) => Unwrap(e) switch
    {
        TimeoutException => true,
        NpgsqlException { IsTransient: true } => true,
        PostgresException => false,
        NpgsqlException => true,
        _ => false,
    };

    /// <summary>The statement broke the unique index or constraint of this name.</summary>
    public static bool IsUniqueViolation(Exception e, string constraint) =>
        Unwrap(e) is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg && pg.ConstraintName == constraint;

    private static Exception Unwrap(Exception e) =>
        e is MartenCommandException or MartenSchemaException && e.InnerException is { } inner ? Unwrap(inner) : e;
}
