using System.Globalization;

namespace OutreachOS.UnitTests;

/// <summary>
/// The randomised tests' inputs: a fixed seed and count in the suite, or <c>OOS_FUZZ_SEED</c> and <c>OOS_FUZZ_N</c> to run
/// other or more inputs locally.
/// </summary>
internal static class FuzzRuns
{
    /// <summary>The seed in use, for failure messages (a failing input is re-run with <c>OOS_FUZZ_SEED</c>).</summary>
    public static int Seed =>
        int.Parse(Environment.GetEnvironmentVariable("OOS_FUZZ_SEED") ?? "20261203", CultureInfo.InvariantCulture);

    public static Random Random() => new(Seed);

    public static int Count(int inSuite) =>
        int.Parse(Environment.GetEnvironmentVariable("OOS_FUZZ_N") ?? inSuite.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>
    /// A guard against a hang, not a timing: <paramref name="work"/> runs on another thread and the test fails when it has
    /// not finished after <paramref name="seconds"/> (generous: linear work on the inputs used takes milliseconds). Regex
    /// scans allocate nothing to count, so this is how their work is bounded.
    /// </summary>
    public static T Finishes<T>(Func<T> work, string input, int seconds = 20)
    {
        var task = Task.Run(work);
        try
        {
            if (!task.Wait(TimeSpan.FromSeconds(seconds)))
            {
                Assert.Fail($"seed {Seed}: no result after {seconds} s (super-linear work?) on {Shown(input)}");
            }
        }
        catch (AggregateException e)
        {
            Assert.Fail($"seed {Seed}: threw {e.InnerException!.GetType().Name} ({e.InnerException.Message}) on {Shown(input)}");
        }
        return task.Result;
    }

    /// <summary>An input as a failure message shows it: escaped, and its start and end when it is long.</summary>
    public static string Shown(string input)
    {
        var escaped = string.Concat(input.Select(c => c switch
        {
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '"' => "\\\"",
            '\\' => "\\\\",
            < ' ' or (>= '\u007f' and <= '\u009f') or (>= '\u200b' and <= '\u200f') or '\u2060' or '\ufeff' => $"\\u{(int)c:x4}",
            _ => c.ToString(),
        }));
        return escaped.Length <= 4000
            ? $"\"{escaped}\" ({input.Length} chars)"
            : $"\"{escaped[..2000]}…{escaped[^2000..]}\" ({input.Length} chars)";
    }
}
