using System.Globalization;

namespace OutreachOS.GraphQL.Tests;

/// <summary>
/// The randomised tests' inputs: a fixed seed and count in the suite, or <c>OOS_FUZZ_SEED</c> and <c>OOS_FUZZ_N</c> to run
/// other or more inputs locally (the same convention as the unit tests' fuzzers).
/// </summary>
internal static class FuzzRuns
{
    public static int Seed =>
        int.Parse(Environment.GetEnvironmentVariable("OOS_FUZZ_SEED") ?? "20261203", CultureInfo.InvariantCulture);

    public static int Count(int inSuite) =>
        int.Parse(Environment.GetEnvironmentVariable("OOS_FUZZ_N") ?? inSuite.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
