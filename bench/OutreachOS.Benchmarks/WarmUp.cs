using System.Globalization;
using System.Runtime;

namespace OutreachOS.Benchmarks;

/// <summary>
/// Runs a load step until the JIT has settled: tiered compilation re-compiles thousands of hot methods in the background,
/// and on a 2-core machine that work competes with the measured load for tens of seconds. Measuring before it ends
/// reports warm-up, not the service. The step repeats until two steps in a row compile fewer than <c>settled</c> methods
/// with under 50 ms of JIT time (or the step limit), and each step prints its count.
/// </summary>
internal static class WarmUp
{
    public static async Task<int> UntilJitSettlesAsync(string suite, Func<Task> step, int maxSteps, int settled = 25)
    {
        var calm = 0;
        for (var i = 1; i <= maxSteps; i++)
        {
            var before = JitInfo.GetCompiledMethodCount();
            var started = JitInfo.GetCompilationTime();
            await step();
            var compiled = JitInfo.GetCompiledMethodCount() - before;
            var jitTime = JitInfo.GetCompilationTime() - started;
            Progress.Line(string.Create(CultureInfo.InvariantCulture,
                $"{suite}: warm-up step {i}: {compiled:N0} methods compiled ({jitTime.TotalMilliseconds:N0} ms of JIT)"));
            // Settled: few methods compiled and little JIT time, twice in a row. A step can compile few methods while the
            // tier-1 JIT is still busy for hundreds of milliseconds (16 methods, 411 ms), and measuring then doubled the host's
            // CPU per request.
            calm = compiled < settled && jitTime < TimeSpan.FromMilliseconds(50) ? calm + 1 : 0;
            if (calm == 2)
            {
                return i;
            }
        }
        Progress.Line($"{suite}: the JIT had not settled after {maxSteps} warm-up steps; measuring anyway");
        return maxSteps;
    }
}
