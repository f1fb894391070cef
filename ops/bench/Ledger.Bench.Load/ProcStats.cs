using System.Globalization;

namespace Ledger.Bench.Load;

/// <summary>CPU time and memory of other processes, read from Linux's /proc.</summary>
internal static class ProcStats
{
    /// <summary>utime + stime (+ cutime + cstime) of one process, in clock ticks; null when it is gone.</summary>
    public static long? Ticks(int pid, bool withReapedChildren)
    {
        var fields = StatFields(pid);
        if (fields is null)
        {
            return null;
        }

        // Fields after "(comm)": [0]=state [1]=ppid ... [11]=utime [12]=stime [13]=cutime [14]=cstime.
        var ticks = Parse(fields[11]) + Parse(fields[12]);
        return withReapedChildren ? ticks + Parse(fields[13]) + Parse(fields[14]) : ticks;
    }

    /// <summary>
    /// CPU ticks of a PostgreSQL cluster: the postmaster (with the time of children it has reaped, so a
    /// backend that exits mid-window still counts) plus every live child: backends, walwriter,
    /// checkpointer, autovacuum... Any other cluster on the machine is not counted.
    /// </summary>
    public static long PostgresTicks(int postmasterPid)
    {
        long total = Ticks(postmasterPid, withReapedChildren: true) ?? 0;
        foreach (var (_, fields) in Children(postmasterPid))
        {
            total += Parse(fields[11]) + Parse(fields[12]) + Parse(fields[13]) + Parse(fields[14]);
        }

        return total;
    }

    /// <summary>A line of /proc/&lt;pid&gt;/status in KiB (VmHWM = peak resident set, VmRSS = now).</summary>
    public static long? StatusKb(int pid, string key)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(key + ":", StringComparison.Ordinal))
                {
                    var parts = line[(key.Length + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>
    /// The machine's CPU ticks from the first line of /proc/stat: all of them, and those stolen by the
    /// hypervisor (time our vCPUs were runnable but another guest ran).
    /// </summary>
    public static (long Total, long Steal) MachineTicks()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // cpu user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
        var total = fields.Skip(1).Take(8).Sum(Parse);
        return (total, Parse(fields[8]));
    }

    /// <summary>
    /// Nanoseconds each thread of these processes has spent runnable but not running so far (the second
    /// field of its <c>/proc/&lt;pid&gt;/task/&lt;tid&gt;/schedstat</c>), by thread id.
    /// </summary>
    public static Dictionary<int, long> RunQueueWaitNs(IEnumerable<int> pids)
    {
        var waits = new Dictionary<int, long>();
        foreach (var pid in pids)
        {
            try
            {
                foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                {
                    var fields = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ');
                    waits[int.Parse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture)] = Parse(fields[1]);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process or thread ended between listing and reading.
            }
        }

        return waits;
    }

    /// <summary>
    /// The wait added between two readings by the threads present in both. A sum over whichever threads
    /// exist at each reading went negative when a thread that had waited long ended in the window (a
    /// hot-64 run of a5c3ec3 reported -0.04), so threads that ended, or started, in the window are left out.
    /// </summary>
    public static long RunQueueWaitDeltaNs(Dictionary<int, long> start, Dictionary<int, long> end) =>
        end.Where(t => start.ContainsKey(t.Key)).Sum(t => t.Value - start[t.Key]);

    /// <summary>The postmaster and every live child of it.</summary>
    public static List<int> ClusterPids(int postmasterPid) => [postmasterPid, .. Children(postmasterPid).Select(c => c.Pid)];

    private static IEnumerable<(int Pid, string[] Fields)> Children(int parentPid)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (name.Length > 0 && char.IsAsciiDigit(name[0]) && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && StatFields(pid) is { } fields && Parse(fields[1]) == parentPid)
            {
                yield return (pid, fields);
            }
        }
    }

    public static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}") && StatFields(pid) is { } f && f[0] != "Z";

    private static string[]? StatFields(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name may hold spaces and parentheses; it ends at the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ');
        return fields.Length > 14 ? fields : null;
    }

    private static long Parse(string s) => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);
}

/// <summary>CPU use of the API, the PostgreSQL cluster and this process over one measurement window.</summary>
internal sealed class CpuWindow
{
    private readonly int? _apiPid;
    private readonly int? _pgPid;
    private readonly int _clkTck;
    private long _startTimestamp;
    private long? _apiStart;
    private long? _pgStart;
    private TimeSpan _selfStart;
    private (long Total, long Steal) _machineStart;
    private Dictionary<int, long> _apiWaitStart = [];
    private Dictionary<int, long> _pgWaitStart = [];
    private List<int> _pgPids = [];

    public CpuWindow(int? apiPid, int? pgPid, int clkTck)
    {
        _apiPid = apiPid;
        _pgPid = pgPid;
        _clkTck = clkTck;
    }

    public double? ApiShare { get; private set; }

    public double? PgShare { get; private set; }

    public double? SelfShare { get; private set; }

    /// <summary>Of the machine's CPU time in the window, the share the hypervisor gave to other guests.</summary>
    public double? StealShare { get; private set; }

    /// <summary>
    /// Threads of the API, and processes of the cluster, that were runnable but waiting for a core, on
    /// average over the window: what CPU shares hide when the load comes in bursts.
    /// </summary>
    public double? ApiRunQueue { get; private set; }

    public double? PgRunQueue { get; private set; }

    public void Start()
    {
        _startTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        _apiStart = _apiPid is { } a ? ProcStats.Ticks(a, withReapedChildren: false) : null;
        _pgStart = _pgPid is { } p ? ProcStats.PostgresTicks(p) : null;
        _selfStart = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        _machineStart = ProcStats.MachineTicks();
        _apiWaitStart = _apiPid is { } api ? ProcStats.RunQueueWaitNs([api]) : [];
        // Backends started during the window are left out: the pools are open before it starts.
        _pgPids = _pgPid is { } pm ? ProcStats.ClusterPids(pm) : [];
        _pgWaitStart = ProcStats.RunQueueWaitNs(_pgPids);
    }

    public void Stop()
    {
        var wall = System.Diagnostics.Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds;
        var capacity = wall * Environment.ProcessorCount;
        if (capacity <= 0)
        {
            return;
        }

        if (_apiPid is { } a && _apiStart is { } a0 && ProcStats.Ticks(a, withReapedChildren: false) is { } a1)
        {
            ApiShare = (a1 - a0) / (double)_clkTck / capacity;
        }

        if (_pgPid is { } p && _pgStart is { } p0)
        {
            PgShare = (ProcStats.PostgresTicks(p) - p0) / (double)_clkTck / capacity;
        }

        SelfShare = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - _selfStart).TotalSeconds / capacity;
        var machine = ProcStats.MachineTicks();
        if (machine.Total > _machineStart.Total)
        {
            StealShare = (machine.Steal - _machineStart.Steal) / (double)(machine.Total - _machineStart.Total);
        }

        ApiRunQueue = _apiPid is { } api ? ProcStats.RunQueueWaitDeltaNs(_apiWaitStart, ProcStats.RunQueueWaitNs([api])) / 1e9 / wall : null;
        PgRunQueue = _pgPids.Count > 0 ? ProcStats.RunQueueWaitDeltaNs(_pgWaitStart, ProcStats.RunQueueWaitNs(_pgPids)) / 1e9 / wall : null;
    }
}
