namespace Ledger.Tests.Infrastructure;

/// <summary>The API as operators run it: its own build output, for tests that start the real process.</summary>
public static class RealBinary
{
    /// <summary>Ledger.Api.dll beside this test assembly's configuration (Debug or Release).</summary>
    public static string ApiAssembly()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = dir.Parent!.Name;
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ledger.sln"))) dir = dir.Parent;
        var path = Path.Combine(dir!.FullName, "Ledger.Api", "bin", configuration, "net10.0", "Ledger.Api.dll");
        File.Exists(path).ShouldBeTrue($"expected the API build at {path}");
        return path;
    }
}
