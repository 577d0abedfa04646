using OutreachOS.Ingestion.Contacts;

namespace OutreachOS.UnitTests.Ingestion;

/// <summary>
/// An imported contact file is whatever a spreadsheet or a person produced: random fields (quoted, with commas, line
/// breaks and doubled quotes, unterminated, empty, too long, invalid) and line endings must parse without an exception,
/// each line either kept as a row or reported with its line number (never both), in file order.
/// </summary>
public sealed class ContactCsvFuzzTests
{
    private static readonly string[] Fields =
    [
        "ana@x.test", "Bo@X.Test", "not-an-address", "", "\"Ruiz, Ana\"", "\"Say \"\"hi\"\"\"", "\"multi\nline\"", "\"unterminated", "true", "perhaps",
        "no", "\"a;b|c\"", new string('n', 300), "=cmd|' /C calc'!A0", "é", "🙂", "\u0000", " spaced@x.test ", "\"\"", "x,y",
    ];

    private static readonly string[] Ends = ["\n", "\r\n", "\r", "\n\n"];

    [Fact]
    public void Random_files_parse_and_every_line_is_a_row_or_an_error()
    {
        var random = FuzzRuns.Random();
        var runs = FuzzRuns.Count(3000);
        for (var i = 0; i < runs; i++)
        {
            var header = random.Next(5) == 0 ? Fields[random.Next(Fields.Length)] : "email,name,company,vip,tags";
            var lines = Enumerable.Range(0, random.Next(0, 30)).Select(_ =>
                string.Join(',', Enumerable.Range(0, random.Next(1, 7)).Select(_ => Fields[random.Next(Fields.Length)])));
            var csv = header + Ends[random.Next(Ends.Length)] + string.Join(Ends[random.Next(Ends.Length)], lines);
            ContactCsvResult result;
            try
            {
                result = ContactCsv.Parse(csv);
            }
            catch (Exception e)
            {
                Assert.Fail($"ContactCsv threw {e.GetType().Name} ({e.Message}) on {csv.Replace("\n", "\\n").Replace("\r", "\\r")}");
                return;
            }

            if (result.HeaderError is not null)
            {
                Assert.Empty(result.Rows);
                continue;
            }

            var rowLines = result.Rows.Select(r => r.Line).ToList();
            Assert.True(rowLines.SequenceEqual(rowLines.Order()), $"rows out of file order: {string.Join(",", rowLines)}");
            Assert.All(result.Rows, r => Assert.Contains('@', r.Email));
            var errorLines = result.Errors.Select(e => e.Line).ToHashSet();
            Assert.True(!rowLines.Any(errorLines.Contains), $"a line both kept and refused in {csv.Replace("\n", "\\n").Replace("\r", "\\r")}");
            Assert.All(result.Errors, e => Assert.True(e.Line >= 2 && e.Field.Length > 0 && e.Reason.Length > 0, $"error {e}"));
        }
    }
}
