using Ledger.Chaos.Storm;

// The chaos suite's one tool (see docs/reliability.md, "The storm and the verifier"):
//   wait-ready   wait until GET /health/ready answers 200 (bounded)
//   seed         open N accounts per currency with an initial balance, through the API
//   storm        W workers posting transfers with client ids for a duration; every 2xx id is appended to a file
//   verify       every acknowledged id committed, no half transfer, ledger sums to zero, projections converge
//   leaders      which session (application_name, pid) holds each projection's advisory lock
//   lock-key     the advisory lock key of a projection, as pg_locks shows it
// Exit codes: 0 pass, 1 fail, 2 usage error. The last line of every command is a verdict.

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("usage: Ledger.Chaos.Storm wait-ready|seed|storm|verify|leaders|lock-key [--option value ...]");
    return args.Length == 0 ? 2 : 0;
}

Args options;
try
{
    options = Args.Parse(args.Skip(1).ToArray());
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"storm: {e.Message}");
    return 2;
}

using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopping.Cancel();
};

try
{
    return args[0] switch
    {
        "wait-ready" => await Commands.WaitReadyAsync(options, stopping.Token),
        "seed" => await Seeder.RunAsync(options, stopping.Token),
        "storm" => await Storm.RunAsync(options, stopping.Token),
        "verify" => await Verifier.RunAsync(options, stopping.Token),
        "leaders" => await Commands.LeadersAsync(options, stopping.Token),
        "lock-key" => Commands.LockKey(options),
        _ => Usage($"unknown command '{args[0]}'"),
    };
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"storm: {e.Message}");
    return 2;
}

static int Usage(string message)
{
    Console.Error.WriteLine($"storm: {message}");
    return 2;
}
