using System.Text;
using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.UnitTests.Ingestion;

/// <summary>
/// A From/To/Cc header is whatever the sender's software wrote. A list of mailboxes in any RFC 5322 spelling (bare,
/// angle, quoted names with escapes and separators, comments before and after, groups, empty groups, folded white space)
/// parses to exactly those addresses and names, in order; any header — the same pieces cut, duplicated, mixed with
/// garbage and control characters — parses without an exception, in work linear in its length (allocation counted for
/// n and 4n), to usable addresses that the input spells (quotes and escapes aside); and a parsed address written back as
/// <c>"name" &lt;email&gt;</c> parses to itself. Encoded words (RFC 2047) are not decoded by the parser and are not
/// generated here.
/// </summary>
public sealed class AddressHeaderFuzzTests
{
    private static readonly string[] Emails =
    [
        "ana@x.test", "JOHN_SMITH+billing@mail.acme-logistics.com", "o'brien@example.ie", "ana@xn--bcher-kva.example", "jörg@bücher.example",
        "a.b-c@sub.domain.co.uk", "x@y.io", "first.last@[192.0.2.1].test", "user%relay@x.test", "1234@numbers.test",
    ];

    private static readonly string[] Names =
    [
        "Ana", "Ana Ruiz", "Ruiz, Ana", "Dr. Jörg Müller", "Sales: EMEA; North", "O'Brien (work)", "a \"b\" c", "back\\slash", "<not@an.address>",
        "李小龍", "Ana 🙂", "=?utf-8?B?QW5h?=",
    ];

    private static readonly string[] Garbage =
    [
        "\"", "\\", "(", ")", "<", ">", ",", ";", ":", "@", ".", " ", "\t", "\r\n ", "\u0000", "\u0085", "\u200b", "é", "🙂", "\uD83D",
        "undisclosed-recipients:;", "=?iso-8859-1?Q?J=F6rg?=", "mailto:", "[", "]", "<>", "()", "\"\"",
    ];

    [Fact]
    public void A_list_in_any_spelling_parses_to_its_addresses_and_names()
    {
        var random = FuzzRuns.Random();
        var runs = FuzzRuns.Count(5000);
        for (var i = 0; i < runs; i++)
        {
            var expected = new List<(string Email, string? Name)>();
            var header = new StringBuilder();
            for (var n = random.Next(1, 8); n > 0; n--)
            {
                if (header.Length > 0)
                {
                    header.Append(random.Next(4) == 0 ? ";" : ",").Append(Space(random));
                }
                if (random.Next(6) == 0)
                {
                    // A group: its name is not an address; an empty group is legal.
                    header.Append(random.Next(2) == 0 ? "undisclosed-recipients" : "\"Team, A\"").Append(':').Append(Space(random));
                    for (var m = random.Next(0, 3); m > 0; m--)
                    {
                        Mailbox(random, header, expected);
                        header.Append(m > 1 ? ", " : "");
                    }
                    header.Append(';');
                    continue;
                }
                Mailbox(random, header, expected);
            }
            var text = header.ToString();
            var parsed = Parse(text);
            var got = parsed.Select(a => (Email: a.Email ?? "", a.Name)).ToList();
            // Display names come back with their RFC 2047 encoded words decoded ("=?utf-8?B?QW5h?=" is Ana).
            expected = [.. expected.Select(e => (e.Email, EncodedWords.Decode(e.Name)))];
            Assert.True(expected.SequenceEqual(got),
                $"seed {FuzzRuns.Seed}, run {i}: {string.Join(" | ", got)} instead of {string.Join(" | ", expected)} from {FuzzRuns.Shown(text)}");
        }
    }

    [Fact]
    public void Any_header_parses_in_linear_work_to_addresses_it_spells_which_round_trip()
    {
        var random = FuzzRuns.Random();
        var runs = FuzzRuns.Count(3000);
        for (var i = 0; i < runs; i++)
        {
            var text = Mutated(random);
            var parsed = Parse(text);
            var plain = Unquoted(text);
            foreach (var a in parsed.Where(a => EmailAddresses.IsValid(a.Email)))
            {
                Assert.True(plain.Contains(Unquoted(a.Email!), StringComparison.Ordinal),
                    $"seed {FuzzRuns.Seed}, run {i}: {FuzzRuns.Shown(a.Email!)} is not spelt in {FuzzRuns.Shown(text)}");
                var written = a.Name is null ? $"<{a.Email}>" : $"\"{a.Name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\" <{a.Email}>";
                var again = Parse(written);
                Assert.True(again.Count == 1 && again[0] == a,
                    $"seed {FuzzRuns.Seed}, run {i}: {FuzzRuns.Shown(written)} parsed to {string.Join(" | ", again)} instead of {a}");
            }

            if (i % 10 == 0)
            {
                var piece = text.Length < 1000 ? string.Concat(Enumerable.Repeat(text, 1000 / Math.Max(1, text.Length) + 1)) : text;
                var once = Allocated(piece);
                var four = Allocated(string.Concat(piece, piece, piece, piece));
                Assert.True(four <= 8 * once + 100_000, $"seed {FuzzRuns.Seed}, run {i}: {four} bytes for 4x against {once} for 1x on {FuzzRuns.Shown(piece)}");
            }
        }
    }

    [Theory]
    [InlineData("(", 100_000)]
    [InlineData("\"", 100_000)]
    [InlineData("<", 100_000)]
    [InlineData("a@x.test (", 20_000)]
    [InlineData("Team: ", 20_000)]
    [InlineData("\\", 100_000)]
    public void Long_runs_of_one_piece_parse_in_linear_work(string piece, int times)
    {
        var text = string.Concat(Enumerable.Repeat(piece, times));
        var half = string.Concat(Enumerable.Repeat(piece, times / 4));
        Assert.True(Allocated(text) <= 8 * Allocated(half) + 100_000, $"allocation grows faster than the header: {FuzzRuns.Shown(half)}");
    }

    private static void Mailbox(Random random, StringBuilder header, List<(string Email, string? Name)> expected)
    {
        var email = Emails[random.Next(Emails.Length)];
        var name = Names[random.Next(Names.Length)];
        var comment = random.Next(4) == 0 ? "(" + Comment(random) + ")" : "";
        switch (random.Next(5))
        {
            case 0:
                header.Append(email);
                expected.Add((email, null));
                break;
            case 1:
                header.Append(email).Append(' ').Append('(').Append(name.Replace("(", "\\(", StringComparison.Ordinal).Replace(")", "\\)", StringComparison.Ordinal)).Append(')');
                expected.Add((email, Collapsed(name.Replace("\\", "", StringComparison.Ordinal))));
                comment = "";
                break;
            case 2:
                header.Append(comment).Append('<').Append(email).Append('>');
                expected.Add((email, comment.Length > 0 ? Collapsed(comment[1..^1]) : null));
                comment = "";
                break;
            case 3:
                header.Append('"').Append(name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"')
                    .Append(Space(random)).Append(comment).Append('<').Append(email).Append('>');
                expected.Add((email, Collapsed(name)));
                break;
            default:
                var words = "Ana Ruiz";
                header.Append(words).Append(Space(random)).Append('<').Append(email).Append('>').Append(comment);
                expected.Add((email, words));
                break;
        }
        header.Append(Space(random));
    }

    private static string Comment(Random random) => random.Next(3) switch
    {
        0 => "work",
        1 => "nested (comment) here",
        _ => "a, b; c: <d>",
    };

    private static string Space(Random random) => random.Next(5) switch
    {
        0 => "",
        1 => "\r\n\t",
        2 => "  ",
        _ => " ",
    };

    private static string Mutated(Random random)
    {
        var sb = new StringBuilder();
        for (var n = random.Next(1, 40); n > 0; n--)
        {
            sb.Append(random.Next(3) switch
            {
                0 => Emails[random.Next(Emails.Length)],
                1 => Names[random.Next(Names.Length)],
                _ => Garbage[random.Next(Garbage.Length)],
            });
        }
        var text = sb.ToString();
        return random.Next(5) switch
        {
            0 when text.Length > 1 => text[..random.Next(1, text.Length)],
            1 when text.Length > 1 => text[random.Next(text.Length)..],
            2 => text + text,
            _ => text,
        };
    }

    private static List<RawAddress> Parse(string header)
    {
        try
        {
            return AddressHeader.Parse(header);
        }
        catch (Exception e)
        {
            Assert.Fail($"seed {FuzzRuns.Seed}: threw {e.GetType().Name} ({e.Message}) on {FuzzRuns.Shown(header)}");
            throw;
        }
    }

    private static string Collapsed(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string Unquoted(string s) => s.Replace("\"", "", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal);

    private static long Allocated(string header)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        GC.KeepAlive(AddressHeader.Parse(header));
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
