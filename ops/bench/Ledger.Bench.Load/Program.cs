using Ledger.Bench.Load;

// Load generator of ops/bench/run.sh. Each scenario command appends one JSON line to --results;
// `report` prints the table. API keys come from the environment (BENCH_CLIENT_KEY, BENCH_AUDITOR_KEY),
// never from the command line, where any user could read them in ps.
const string Usage = """
    usage: Ledger.Bench.Load <command> [--option value ...]
      wait-ready  --base-url URL [--api-pid N] [--timeout S]
      seed        --base-url URL --out FILE [--count 10000] [--connections 64] [--initial-balance N]
      uniform     --base-url URL --accounts-file FILE --results FILE [--connections 64] [--warmup 3] [--duration 20]
                  [--label L] [--subject ledger] [--max-tries 1] [--sample-lag] [--api-pid N] [--pg-pid N] [--clk-tck 100]
      hot         (as uniform: 80 % of transfers touch one of the first 10 accounts)
      holds       (as uniform: each transfer is a pending one, then its post of all of it)
      batch       (as uniform) --size 1000 [--connections 4]
      fixed-rate  (as uniform) [--rate 5000] [--connections 256] [--max-in-flight 50000]
      wrk         --script FILE --base-url URL --accounts-file FILE --results FILE [--wrk PATH] [--mix uniform|hot]
                  [--connections 64] [--threads N] [--warmup 3] [--duration 20] [--label L] [--subject ledger]
                  [--api-pid N] [--pg-pid N] [--clk-tck 100]
      pgbench     --label L --script FILE --port N --db NAME --log-dir DIR --results FILE [--clients 64] [--duration 20]
                  [--max-tries 10] [--subject S --mix uniform|hot]
      report      --results FILE
      ab-report   --base FILE --candidate FILE [--base-name A] [--candidate-name B]

    A single-transfer try answered 409 concurrency_conflict is sent again, up to --max-tries tries.
    """;

var cli = (Cli?)null;
try
{
    cli = new Cli(args);
    switch (cli.Command)
    {
        case "wait-ready":
            return await Scenarios.WaitReadyAsync(cli);
        case "seed":
            return await Scenarios.SeedAsync(cli);
        case "uniform" or "hot" or "batch" or "fixed-rate" or "holds":
            return await RunApiScenarioAsync(cli);
        case "pgbench" or "wrk":
            {
                var result = cli.Command == "wrk" ? await Wrk.RunAsync(cli) : await Pgbench.RunAsync(cli);
                result.Append(cli.Str("results"));
                Print(result);
                return 0;
            }

        case "report":
            {
                var rows = ScenarioResult.ReadAll(cli.Str("results"));
                Console.Write(Report.Render(rows));
                Console.Write(PeersTable.Render(rows));
                return 0;
            }

        case "ab-report":
            Console.Write(AbTable.Render(ScenarioResult.ReadAll(cli.Str("base")), ScenarioResult.ReadAll(cli.Str("candidate")),
                cli.Str("base-name", "base"), cli.Str("candidate-name", "candidate")));
            return 0;

        default:
            throw new UsageException(cli.Command.Length == 0 ? "no command" : $"unknown command '{cli.Command}'");
    }
}
catch (UsageException e)
{
    Console.Error.WriteLine($"Ledger.Bench.Load: {e.Message}");
    Console.Error.WriteLine(Usage);
    return 2;
}

static async Task<int> RunApiScenarioAsync(Cli cli)
{
    var kind = cli.Command;
    var workload = new Workload(cli.Str("accounts-file"), hot: kind == "hot", cli.Int("max-amount", 100), cli.Str("currency", "USD"));
    ScenarioResult result;
    switch (kind)
    {
        case "batch":
            {
                var size = Math.Clamp(cli.Int("size", 1000), 1, 100_000);
                var s = ApiSettings.From(cli, $"batch-{size}", 4);
                result = await Scenarios.BatchAsync(s, workload, size);
                break;
            }

        case "fixed-rate":
            {
                var rate = Math.Max(1, cli.Double("rate", 5000));
                var s = ApiSettings.From(cli, $"fixed-rate-{rate:0}", 256);
                result = await Scenarios.FixedRateAsync(s, workload, rate, Math.Max(1, cli.Int("max-in-flight", 50_000)));
                break;
            }

        case "holds":
            {
                var s = ApiSettings.From(cli, $"holds-{cli.Int("connections", 64)}", 64);
                result = await Scenarios.HoldsAsync(s, workload, "uniform");
                break;
            }

        default:
            {
                var s = ApiSettings.From(cli, $"{kind}-{cli.Int("connections", 64)}", 64);
                result = await Scenarios.SingleTransfersAsync(s, workload, kind);
                break;
            }
    }

    result.Append(cli.Str("results"));
    Print(result);
    return 0;
}

static void Print(ScenarioResult r) =>
    Console.WriteLine(
        $"{r.Label}: {r.TransfersPerSec:#,0} transfers/s over {r.DurationS:0} s, p50 {r.P50Ms:0.00} p99 {r.P99Ms:0.00} p99.9 {r.P999Ms:0.00} max {r.MaxMs:0.00} ms, " +
        $"errors {(r.Errors.Count == 0 ? "none" : string.Join(' ', r.Errors.Select(e => $"{e.Key}:{e.Value}")))}" +
        (r.Note is null ? "" : $" ({r.Note})"));
