using System.Reflection;
using System.Text.RegularExpressions;

namespace OutreachOS.UnitTests.Text;

/// <summary>
/// Every source-generated regex of the product must answer what the regex interpreter answers for the same pattern. The
/// generator of this SDK was caught throwing, running a minute past its timeout and matching what a pattern does not allow
/// when a pattern had lazy quantifiers (ADR 0013 addendum); this holds all of them to the reference on runs of their own
/// words, figures and punctuation, in a fixed pseudo-random order. It is a net, not a proof: with this generic vocabulary
/// it did not hit the lazy testimonial pattern's fault, which the targeted comparison in <c>TestimonialTests</c> finds.
/// </summary>
public sealed partial class GeneratedRegexTests
{
    private static readonly string[] ProductAssemblies =
    [
        "OutreachOS.BuildingBlocks", "OutreachOS.GraphQL", "OutreachOS.Llm", "OutreachOS.Generation", "OutreachOS.Guardrails",
        "OutreachOS.Ingestion", "OutreachOS.Triage", "OutreachOS.Credits", "OutreachOS.Analytics", "OutreachOS.Host",
    ];

    public static TheoryData<string> Patterns()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in GeneratedRegexes())
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void The_product_has_generated_regexes_to_check() => Assert.True(GeneratedRegexes().Count() > 50);

    [Theory]
    [MemberData(nameof(Patterns))]
    public void A_generated_regex_agrees_with_the_interpreter(string name)
    {
        var generated = GeneratedRegexes().Single(r => r.Name == name).Regex;
        var reference = new Regex(generated.ToString(), generated.Options, TimeSpan.FromSeconds(10));
        var vocabulary = VocabularyOf(generated.ToString());
        var random = new Random(name.GetHashCode(StringComparison.Ordinal) ^ 20261203);
        for (var i = 0; i < 3000; i++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 24)).Select(_ =>
                vocabulary[random.Next(vocabulary.Length)] + Separators[random.Next(Separators.Length)]));
            var expected = reference.Matches(text).Select(m => (m.Index, m.Value)).ToList();
            var actual = generated.Matches(text).Select(m => (m.Index, m.Value)).ToList();
            Assert.True(expected.SequenceEqual(actual),
                $"{name} on \"{text}\": interpreter [{string.Join(" | ", expected)}], generated [{string.Join(" | ", actual)}]");
        }
    }

    private static readonly string[] Separators = [" ", " ", " ", " ", " ", " ", ", ", ". ", "\n", "", "-", ": "];

    /// <summary>The pattern's own words in both cases, plus figures, dates and symbols the product's texts carry.</summary>
    private static string[] VocabularyOf(string pattern)
    {
        var words = PatternWords().Matches(pattern).Select(m => m.Value).Where(w => w.Length > 1 && w is not ("p" or "L" or "N" or "Lu"))
            .Distinct(StringComparer.Ordinal).Take(120).ToList();
        var cased = words.Select(w => char.ToUpperInvariant(w[0]) + w[1..]);
        return [.. words, .. cased, "40%", "$1.2M", "2024", "3x", "Q3", "12", "10:30", "@", "a@b.co", "Acme", "Jane", "\"", "“", "”", "'s", "(", ")", "/"];
    }

    private static IEnumerable<(string Name, Regex Regex)> GeneratedRegexes()
    {
        foreach (var assembly in ProductAssemblies.Select(Assembly.Load))
        {
            foreach (var type in assembly.GetTypes())
            {
                foreach (var method in type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (method.ReturnType == typeof(Regex) && method.GetParameters().Length == 0
                        && method.GetCustomAttributes(typeof(GeneratedRegexAttribute), false).Length > 0)
                    {
                        yield return ($"{type.FullName}.{method.Name}", (Regex)method.Invoke(null, null)!);
                    }
                }
            }
        }
    }

    [GeneratedRegex(@"[A-Za-z][A-Za-z'-]*")]
    private static partial Regex PatternWords();
}
