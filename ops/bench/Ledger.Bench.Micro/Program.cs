using BenchmarkDotNet.Running;

// dotnet run -c Release --project ops/bench/Ledger.Bench.Micro -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Ledger.Bench.Micro.TransferPathBenchmarks).Assembly).Run(args);
