using System.Diagnostics;
using System.Globalization;

namespace OutreachOS.Benchmarks;

/// <summary>Timestamped progress lines, so a long run shows where it is.</summary>
internal static class Progress
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public static void Line(string message) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{Clock.Elapsed.TotalSeconds,7:F1}s] {message}"));
}

/// <summary>Figures, ratios against the in-run baseline, and targets; printed as one table at the end.</summary>
internal sealed class Report
{
    private readonly List<(string Suite, string Name, string Value, string Note)> _rows = [];
    private readonly List<(string Target, bool Met, string Measured)> _targets = [];
    private readonly List<string> _notes = [];

    public void Figure(string suite, string name, double value, string unit, string note = "")
    {
        _rows.Add((suite, name, string.Create(CultureInfo.InvariantCulture, $"{value:N2} {unit}"), note));
        Progress.Line(string.Create(CultureInfo.InvariantCulture, $"  {suite} | {name}: {value:N2} {unit} {note}"));
    }

    public void Ratio(string suite, string name, double ratio, string note = "") =>
        Figure(suite, name, ratio, "x", note);

    public void Target(string target, bool met, string measured)
    {
        _targets.Add((target, met, measured));
        Progress.Line($"  target {(met ? "MET" : "MISSED")}: {target} (measured {measured})");
    }

    public void Note(string note)
    {
        _notes.Add(note);
        Progress.Line("  note: " + note);
    }

    public void Print(string environment)
    {
        var w = Console.Out;
        w.WriteLine();
        w.WriteLine("================ results ================");
        w.WriteLine(environment);
        w.WriteLine();
        var nameWidth = Math.Max(20, _rows.Select(r => r.Suite.Length + r.Name.Length + 3).DefaultIfEmpty(0).Max());
        var valueWidth = Math.Max(12, _rows.Select(r => r.Value.Length).DefaultIfEmpty(0).Max());
        w.WriteLine($"| {"figure".PadRight(nameWidth)} | {"value".PadLeft(valueWidth)} | note");
        w.WriteLine($"|{new string('-', nameWidth + 2)}|{new string('-', valueWidth + 2)}|------");
        foreach (var r in _rows)
        {
            w.WriteLine($"| {(r.Suite + " | " + r.Name).PadRight(nameWidth)} | {r.Value.PadLeft(valueWidth)} | {r.Note}");
        }
        w.WriteLine();
        foreach (var t in _targets)
        {
            w.WriteLine($"target {(t.Met ? "MET   " : "MISSED")} {t.Target}: {t.Measured}");
        }
        foreach (var n in _notes)
        {
            w.WriteLine("note: " + n);
        }
        w.WriteLine();
        w.WriteLine(PeakMemory.Describe());
    }
}

internal static class PeakMemory
{
    public static string Describe()
    {
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var vmHwm = "n/a";
        try
        {
            vmHwm = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))?["VmHWM:".Length..].Trim() ?? "n/a";
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"peak memory of the benchmark host: Process.PeakWorkingSet64 = {self.PeakWorkingSet64 / (1024.0 * 1024.0):F1} MiB, /proc/self/status VmHWM = {vmHwm}, GC total allocated = {GC.GetTotalAllocatedBytes() / (1024.0 * 1024.0):F0} MiB");
    }
}

internal static class Stats
{
    public static double Median(IReadOnlyList<double> values) => Percentile(values, 50);

    /// <summary>Nearest-rank percentile.</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
