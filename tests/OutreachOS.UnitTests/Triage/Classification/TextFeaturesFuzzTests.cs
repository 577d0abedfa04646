using OutreachOS.Triage.Classification;

namespace OutreachOS.UnitTests.Triage.Classification;

/// <summary>
/// What the classifier and the opt-out flag read of a customer's body (<see cref="TextFeatures.NewText"/>: quoted history
/// and signature cut) must come out of any body in linear work and without an exception — bodies of blank lines, of
/// '&gt;' lines, of "On … wrote:" headers or of sign-offs, up to the ingestion cap — and a top-posted reply's first line
/// of new text is always kept, whatever history, signature and line endings follow it. (Text after an "On … wrote:"
/// line is documented as history and dropped, so the property is about top-posted replies.)
/// </summary>
public sealed class TextFeaturesFuzzTests
{
    private static readonly string[] Content =
    [
        "Can we move our call to Friday?", "The export button does nothing since the update.", "Please send me the invoice for March again.",
        "Ich habe die Rechnung nicht erhalten.", "Wir brauchen 40 Lizenzen ab Januar.", "Is the API rate limit per key or per organization?",
        "Thanks, the fix worked but the export still fails.", "Order #4711 arrived damaged 🙁", "¿Pueden enviarme la factura?",
        "Merci de me rappeler demain matin.", "Please remove me from your list.", "ok", "Yes — Tuesday 10:00 CET works for us.",
        "Our IT team (it@customer.example) will set up SSO.",
    ];

    private static readonly string[] History =
    [
        "On Mon, 3 Nov 2026 at 10:02, Dana <dana@acme.test> wrote:\n> Happy to offer a discount on pricing\n> Best, Dana",
        "-----Original Message-----\nFrom: Dana Weber\nSent: Monday, 3 November 2026 10:02\nTo: Sam\nSubject: Pricing\n\nOur offer stands.",
        "From: Dana Weber <dana@acme.test>\nSent: Monday, 3 November 2026 10:02\nSubject: RE: Pricing\nOur offer stands.",
        "> > nested old text\n> older text", "Am 03.11.2026 um 10:02 schrieb Dana:\n> Angebot anbei",
        "On Mon, Dana wrote:\n\n> unsubscribe here: https://acme.test/u",
    ];

    private static readonly string[] Signatures =
    [
        "-- \nJo Smith\nHead of Partnerships", "Sent from my iPhone", "Best,\nAnna Weber\nBilling Manager | Invoice Solutions Ltd\n+49 30 1234567",
        "Kind regards\nSam", "Thanks!\nPat", "Mit freundlichen Grüßen\nJörg Müller", "--\nAcme GmbH · Köln",
    ];

    // Hostile pieces: long runs are what made the quote-header search and the sign-off scan quadratic.
    private static readonly string[] Noise =
    [
        "\n", "\r\n", " ", "\t", "\n \n", "\n\n\n", ">", "> ", "On ", "wrote:", "On x wrote:", "From: ", "Sent: ", "-----", "--", "-- ",
        "Original Message", "Thanks", "Best,", "Regards", "Sent from my ", "\u0000", "\u200b", "\u00a0", "é", "🙂", "'", "’", "n't", "can't",
        "\v", "\f", "\u2028", "x", "Please",
    ];

    [Fact]
    public void A_top_posted_replys_new_text_is_kept_whatever_follows_it()
    {
        var random = FuzzRuns.Random();
        var runs = FuzzRuns.Count(3000);
        for (var i = 0; i < runs; i++)
        {
            var first = Content[random.Next(Content.Length)];
            var lines = new List<string> { random.Next(4) == 0 ? "  " + first : first };
            for (var n = random.Next(4); n > 0; n--)
            {
                lines.Add(random.Next(3) == 0 ? "" : Content[random.Next(Content.Length)]);
            }
            if (random.Next(2) == 0)
            {
                lines.Add("");
                lines.Add(Signatures[random.Next(Signatures.Length)]);
            }
            if (random.Next(3) > 0)
            {
                lines.Add(random.Next(2) == 0 ? "" : "\n");
                lines.Add(History[random.Next(History.Length)]);
            }
            var newline = random.Next(3) == 0 ? "\r\n" : "\n";
            var text = string.Join(newline, lines).Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", newline, StringComparison.Ordinal);

            var kept = FuzzRuns.Finishes(() => TextFeatures.NewText(text), text);
            Assert.True(kept.Contains(first, StringComparison.Ordinal),
                $"seed {FuzzRuns.Seed}, run {i}: new text \"{FuzzRuns.Shown(kept)}\" lost \"{first}\" of {FuzzRuns.Shown(text)}");
        }
    }

    [Fact]
    public void Any_body_is_read_in_linear_work_without_an_exception()
    {
        var random = FuzzRuns.Random();
        var runs = FuzzRuns.Count(300);
        for (var i = 0; i < runs; i++)
        {
            var text = Body(random, maxChars: random.Next(4) == 0 ? 100_000 : 2_000);
            FuzzRuns.Finishes(() =>
            {
                var features = TextFeatures.Stems(TextFeatures.NewText(text));
                var flags = PolicyFlags.Detect(Mail.Received(Mail.Email(text.Length > 200 ? text[..200] : text, text)), vip: false, null);
                return (features, flags, TextFeatures.IsReplySubject(text));
            }, text);

            // Counted, not timed: the signature scan allocates per line it looks at, so a body four times as long
            // allocates about four times as much, not sixteen.
            var piece = Body(random, maxChars: 5_000);
            var once = Allocated(() => TextFeatures.StripSignature(piece));
            var four = Allocated(() => TextFeatures.StripSignature(string.Concat(Enumerable.Repeat(piece, 4))));
            Assert.True(four <= 8 * once + 200_000,
                $"seed {FuzzRuns.Seed}, run {i}: {four} bytes for 4x against {once} for 1x on {FuzzRuns.Shown(piece)}");
        }
    }

    /// <summary>Bodies that took a hanging time before: long runs of blank lines (the quote-header and role-marker searches
    /// tried each line break and scanned all the white space after it), of sign-off lines (each one scanned every line
    /// after it), and "ignore" before a run of spaces (the injection pattern split the run two ways).</summary>
    [Theory]
    [InlineData("", "\n", 200_000)]
    [InlineData("", " \n", 100_000)]
    [InlineData("", "\r\n", 100_000)]
    [InlineData("", "\n\t", 100_000)]
    [InlineData("", "Thanks\n", 60_000)]
    [InlineData("", "Best,\n\n", 50_000)]
    [InlineData("ignore", " ", 200_000)]
    [InlineData("Disregard all the", "\n", 200_000)]
    public void Long_runs_of_blank_or_sign_off_lines_are_read_in_linear_work(string head, string run, int times)
    {
        var text = "Please call me.\n" + head + string.Concat(Enumerable.Repeat(run, times));
        var kept = FuzzRuns.Finishes(() => TextFeatures.NewText(text), text, seconds: 10);
        Assert.StartsWith("Please call me.", kept, StringComparison.Ordinal);
        FuzzRuns.Finishes(() => PolicyFlags.Detect(Mail.Received(Mail.Email("Question", text)), vip: false, null), text, seconds: 10);
    }

    private static string Body(Random random, int maxChars)
    {
        var sb = new System.Text.StringBuilder();
        var target = random.Next(1, maxChars);
        while (sb.Length < target)
        {
            var piece = random.Next(5) switch
            {
                0 => Content[random.Next(Content.Length)],
                1 => History[random.Next(History.Length)],
                2 => Signatures[random.Next(Signatures.Length)],
                _ => Noise[random.Next(Noise.Length)],
            };
            // A long run of one piece, sometimes: the inputs that make a scan per line quadratic.
            var repeat = random.Next(20) == 0 ? random.Next(1, Math.Max(2, (target - sb.Length) / Math.Max(1, piece.Length))) : 1;
            for (var r = 0; r < repeat && sb.Length < target; r++)
            {
                sb.Append(piece);
                if (random.Next(3) == 0)
                {
                    sb.Append('\n');
                }
            }
        }
        var text = sb.ToString();
        // Mutations: a cut anywhere (half a surrogate pair included), or a piece of the text duplicated.
        return random.Next(6) switch
        {
            0 when text.Length > 1 => text[..random.Next(1, text.Length)],
            1 when text.Length > 1 && random.Next(text.Length) is var at => text[..at] + text[at..] + text[at..Math.Min(text.Length, at + 500)],
            _ => text,
        };
    }

    private static long Allocated(Func<string> work)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(work());
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
