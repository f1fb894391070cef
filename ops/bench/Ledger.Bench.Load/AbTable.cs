using System.Text;
using static Ledger.Bench.Load.Report;

namespace Ledger.Bench.Load;

/// <summary>
/// The table of an interleaved A/B (ops/bench/ab.sh): every run of each build per scenario, in the order
/// run, their means and the ratio. On the project's VM one build's figure moves ±15-20 % within an hour, so
/// only the ratio of runs interleaved in the same hour says anything, and only over several pairs.
/// </summary>
internal static class AbTable
{
    public static string Render(IReadOnlyList<ScenarioResult> baseRows, IReadOnlyList<ScenarioResult> candidateRows, string baseName, string candidateName)
    {
        var labels = baseRows.Select(r => r.Label).Concat(candidateRows.Select(r => r.Label)).Distinct().ToList();
        var text = new StringBuilder();
        text.Append($"| scenario | {baseName}: transfers/s | mean | {candidateName}: transfers/s | mean | {candidateName} / {baseName} |\n");
        text.Append("|:--|--:|--:|--:|--:|--:|\n");
        var disturbed = new List<string>();
        foreach (var label in labels)
        {
            var before = baseRows.Where(r => r.Label == label).ToList();
            var after = candidateRows.Where(r => r.Label == label).ToList();
            text.Append($"| {label} | {Runs(before)} | {Mean(before)} | {Runs(after)} | {Mean(after)} | {Ratio(before, after)} |\n");
            var calm = (Before: before.Where(Calm).ToList(), After: after.Where(Calm).ToList());
            if (calm.Before.Count < before.Count || calm.After.Count < after.Count)
            {
                disturbed.Add($"- {label} without the runs marked *: {Mean(calm.Before)} against {Mean(calm.After)}, {Ratio(calm.Before, calm.After)}");
            }
        }

        if (disturbed.Count > 0)
        {
            text.Append($"\n\\* the hypervisor stole more than {F(StealWorthNoting * 100, "0")} % of the machine's CPU time in that window.\n");
            text.Append(string.Join('\n', disturbed)).Append('\n');
        }

        return text.ToString();
    }

    private static bool Calm(ScenarioResult r) => !(r.StealCpu > StealWorthNoting);

    private static string Runs(List<ScenarioResult> runs) =>
        runs.Count == 0 ? "-" : string.Join("; ", runs.Select(r => F(r.TransfersPerSec, "#,0") + (Calm(r) ? "" : "*")));

    private static string Mean(List<ScenarioResult> runs) => runs.Count == 0 ? "-" : F(runs.Average(r => r.TransfersPerSec), "#,0");

    private static string Ratio(List<ScenarioResult> before, List<ScenarioResult> after) =>
        before.Count == 0 || after.Count == 0 || before.Average(r => r.TransfersPerSec) <= 0
            ? "-"
            : F(after.Average(r => r.TransfersPerSec) / before.Average(r => r.TransfersPerSec), "0.00") + "×";
}
