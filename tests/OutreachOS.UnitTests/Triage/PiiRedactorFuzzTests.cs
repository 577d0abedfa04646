using OutreachOS.Triage.Pii;

namespace OutreachOS.UnitTests.Triage;

/// <summary>
/// What must hold for any customer e-mail before it reaches an external model: the planted e-mail addresses, phone numbers,
/// cards, IBANs, SSNs and postal addresses are gone from the redacted text, the map puts the text back exactly (as folded),
/// and nothing throws. Each planted value follows a word, as people write them; the noise after it may run into it. The noise around the planted values comes from words, digits, dates, order numbers, placeholders'
/// look-alikes and Unicode that folding changes, in a fixed pseudo-random order.
/// </summary>
public sealed class PiiRedactorFuzzTests
{
    private static readonly string[] Noise =
    [
        "Hello", "team", "order", "#4711", "invoice", "INV-2024-0042", "ref", "12", "2024-03-05", "03/05/2024", "10:30", "v2.1.3",
        "$1,200.00", "€45", "50%", "qty", "3", "x", "please", "refund", "thanks", "Best,", "Jane", "—", "-", "(", ")", ":", ";", ",", ".",
        "!", "?", "\n", "\n\n", "\t", "\u00a0", "\u2009", "\u200b", "\u00ad", "caf\u00e9", "e\u0301", "１２３", "٣", "🙂", "ß", "İ", "[",
        "]", "[note]", "EMAIL", "PHONE_", "at", "dot", "com", "www.acme.example", "https://acme.example/a?b=1", "SKU 88-1234-77",
        "tracking 1Z999AA10123456784", "zip 94105", "ext.", "id 123456",
    ];

    private static readonly string[] Lead = ["my", "is", "call", "card:", "to", "at", "mail", "or", "IBAN", "SSN", "Tel.", "number"];

    private static readonly string[] Emails =
    [
        "jane.doe@acme.example", "JOHN_SMITH+billing@mail.acme-logistics.com", "o'brien@example.ie", "ana@xn--bcher-kva.example",
        "jörg@bücher.example", "x@y.io",
    ];

    private static readonly string[] Phones =
    [
        "+1 (415) 555-0134", "+44 20 7946 0958", "(212) 555-0147", "415-555-0199", "+49 30 901820", "+1.415.555.0188", "+33 1 70 36 39 50",
    ];

    private static readonly string[] Cards = ["4111 1111 1111 1111", "5500-0000-0000-0004", "4012888888881881", "3782 822463 10005"];

    private static readonly string[] Ibans = ["DE89 3704 0044 0532 0130 00", "GB82 WEST 1234 5698 7654 32", "FR1420041010050500013M02606", "NL91ABNA0417164300"];

    private static readonly string[] Ssns = ["123-45-6789", "078-05-1121", "219-09-9999"];

    private static readonly string[] Addresses =
    [
        "221B Baker Street", "1600 Pennsylvania Ave NW, Washington, DC 20500", "350 5th Ave, Suite 3300", "Hauptstraße 5, 10115 Berlin",
        "12 rue de Rivoli, 75001 Paris", "Via Roma 12", "P.O. Box 1234", "Springfield, IL 62704", "10 Downing Street\nLondon SW1A 2AA",
    ];

    [Fact]
    public void Planted_personal_data_never_survives_and_the_map_restores_the_text()
    {
        var random = FuzzRuns.Random();
        var kinds = new[] { Emails, Phones, Cards, Ibans, Ssns, Addresses };
        var runs = FuzzRuns.Count(2000);
        for (var i = 0; i < runs; i++)
        {
            var planted = new List<string>();
            var parts = new List<string>();
            var length = random.Next(1, 60);
            for (var t = 0; t < length; t++)
            {
                if (random.Next(6) == 0)
                {
                    var values = kinds[random.Next(kinds.Length)];
                    var value = values[random.Next(values.Length)];
                    planted.Add(value);
                    // As people write them: after a word ("card 4111 …", "call +1 …"), then anything.
                    parts.Add(" " + Lead[random.Next(Lead.Length)] + " " + value + " ");
                }
                else
                {
                    parts.Add(Noise[random.Next(Noise.Length)]);
                }
            }

            var text = string.Join(random.Next(3) == 0 ? "" : " ", parts);
            Redaction r;
            try
            {
                r = PiiRedactor.RedactOne(text);
            }
            catch (Exception e)
            {
                Assert.Fail($"redaction threw {e.GetType().Name} ({e.Message}) on \"{text}\"");
                return;
            }

            foreach (var value in planted)
            {
                var folded = MatchText.FoldCharacters(value);
                Assert.False(r.Text.Contains(folded, StringComparison.OrdinalIgnoreCase), $"\"{value}\" survived in \"{r.Text}\" (from \"{text}\")");
            }

            Assert.Equal(MatchText.FoldCharacters(text), PiiRedactor.Restore(r.Text, r.Map));
        }
    }

    /// <summary>
    /// Long runs of what the lower-case street line, the introductions and the names-by-value pass read: each pass must
    /// finish in linear work (a guard against a hang, as in <see cref="FuzzRuns.Finishes{T}"/>), however many candidates
    /// start and fail, and however many names the text holds (only the first <see cref="PiiRedactor.MaxNamesByValue"/> are
    /// looked for by value).
    /// </summary>
    [Theory]
    [InlineData("1 a ", 60_000)]
    [InlineData("12 oak lane ", 30_000)]
    [InlineData("12 oak lane\n", 30_000)]
    [InlineData("a 12 main st ", 30_000)]
    [InlineData("Anna, meet ", 30_000)]
    [InlineData("Aa, ", 60_000)]
    [InlineData("cc'ing ", 40_000)]
    [InlineData("loop in ", 40_000)]
    [InlineData("ask for Tom ", 30_000)]
    [InlineData("Best,\nAa Bb\n", 20_000)]
    [InlineData("Aa Bb Cc ", 40_000)]
    public void Long_runs_of_street_and_name_pieces_are_redacted_in_linear_work(string run, int times)
    {
        var text = "Best,\nAa Bb\n" + string.Concat(Enumerable.Repeat(run, times));
        FuzzRuns.Finishes(() => PiiRedactor.RedactOne(text), text, seconds: 10);
    }

    [Fact]
    public void Thousands_of_names_and_one_very_long_name_are_redacted_in_linear_work()
    {
        var names = string.Concat(Enumerable.Range(0, 5_000).Select(i => $"Thanks,\nAb{(char)('a' + i / 676 % 26)}{(char)('a' + i / 26 % 26)}{(char)('a' + i % 26)} Cd\n"));
        var r = FuzzRuns.Finishes(() => PiiRedactor.RedactOne(names + names), names, seconds: 10);
        Assert.Equal(5_000, r.Counts.Name);

        // A name longer than a display name may be is not looked for by value.
        var longName = "Best,\nA" + new string('a', 2_000) + "\n" + string.Concat(Enumerable.Repeat("A" + new string('a', 500) + " ", 200));
        FuzzRuns.Finishes(() => PiiRedactor.RedactOne(longName), longName, seconds: 10);
    }

    /// <summary>
    /// One word as long as an inbound body may be (100,000 characters). The obfuscated-address pattern's look-behind ("a bare
    /// ' at ' after a local part holding a letter") rescanned the word at each position its local part gave back: 3.5 s at
    /// 40,000 letters, and about 20 s here.
    /// </summary>
    [Theory]
    [InlineData('a')]
    [InlineData('1')]
    [InlineData('.')]
    public void One_very_long_word_is_redacted_in_linear_work(char letter)
    {
        var text = "Hi,\n" + new string(letter, 100_000) + " at example dot com";
        FuzzRuns.Finishes(() => PiiRedactor.RedactOne(text), text, seconds: 10);
    }
}
