using System.Globalization;
using System.Runtime;

namespace OutreachOS.Benchmarks;

/// <summary>
/// Runs a load step until the JIT has settled: tiered compilation re-compiles thousands of hot methods in the background,
/// and on a 2-core machine that work competes with the measured load for tens of seconds. Measuring before it ends
/// reports warm-up, not the service. The step repeats until it compiles fewer than <c>settled</c> methods (or the
/// step limit), and each step prints its count.
/// </summary>
internal static class WarmUp
{
    public static async Task<int> UntilJitSettlesAsync(string suite, Func<Task> step, int maxSteps, int settled = 25)
    {
        for (var i = 1; i <= maxSteps; i++)
        {
            var before = JitInfo.GetCompiledMethodCount();
            var started = JitInfo.GetCompilationTime();
            await step();
            var compiled = JitInfo.GetCompiledMethodCount() - before;
            var jitTime = JitInfo.GetCompilationTime() - started;
            Progress.Line(string.Create(CultureInfo.InvariantCulture,
                $"{suite}: warm-up step {i}: {compiled:N0} methods compiled ({jitTime.TotalMilliseconds:N0} ms of JIT)"));
            if (compiled < settled)
            {
                return i;
            }
        }
        Progress.Line($"{suite}: the JIT had not settled after {maxSteps} warm-up steps; measuring anyway");
        return maxSteps;
    }
}
