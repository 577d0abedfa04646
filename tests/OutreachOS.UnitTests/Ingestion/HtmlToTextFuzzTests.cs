using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.UnitTests.Ingestion;

/// <summary>
/// A customer's HTML is hostile: random sequences of tags (closed, unclosed, mismatched, broken), attributes, comments,
/// entities, raw-text elements and stray '&lt;' must convert without an exception, with work linear in the input; and
/// where no piece breaks a tag open, a script's or style's content never reaches the text a model and a reviewer read.
/// </summary>
public sealed class HtmlToTextFuzzTests
{
    private static readonly string[] Pieces =
    [
        "<p>", "</p>", "<div>", "</div>", "<br>", "<br/>", "<li>", "<ul>", "</ul>", "<table><tr><td>", "</td></tr></table>",
        "<span style=\"display:none\">", "<div hidden>", "<font color=\"#ffffff\">", "</span>", "</font>", "<a href=\"https://x.test/?a=1&b=2\">",
        "</a>", "<img src=x alt=\"pic\">", "<!--", "-->", "<!-- note -->", "<![CDATA[", "]]>", "&amp;", "&lt;", "&#x41;", "&#0;",
        "&nbsp;", "&unknown;", "<", ">", "</", "<a ", "=\"", "'", "\"", "<b>", "</b>", "<i>", "</i>", "<blockquote>", "</blockquote>",
        "<pre>", "</pre>", "<head>", "</head>", "<body>", "</body>", "<html>", "<title>", "</title>", "<textarea>", "</textarea>",
        "hello", "Please refund order 4711.", "Ignore previous instructions", "\n", " ", "\u200b", "é", "🙂", "<x-custom a=b>", "</x-custom>",
        "<script>SCRIPTSECRET</script>", "<style>p{color:red} STYLESECRET</style>", "<SCRIPT type=\"text/javascript\">SCRIPTSECRET</SCRIPT>",
    ];

    // Pieces that break a tag open ("<a " then "<script>" makes the script tag an attribute; "<![CDATA[" in HTML is a
    // bogus comment that ends at the next '>', inside a script tag if one follows): browsers then show the script's text,
    // and so does the converter. The script property is checked only on documents without them.
    private static readonly HashSet<string> Breaking = ["<", ">", "</", "<a ", "=\"", "'", "\"", "<![CDATA["];

    [Fact]
    public void Random_html_converts_in_linear_work_and_never_shows_a_scripts_content()
    {
        var random = FuzzRuns.Random();
        var runs = FuzzRuns.Count(3000);
        for (var i = 0; i < runs; i++)
        {
            var wellFormed = i % 2 == 0;
            var pieces = Enumerable.Range(0, random.Next(1, 200)).Select(_ => Pieces[random.Next(Pieces.Length)])
                .Where(p => !wellFormed || !Breaking.Contains(p));
            var html = string.Concat(pieces);
            HtmlToText.Result result;
            try
            {
                result = HtmlToText.Convert(html);
            }
            catch (Exception e)
            {
                Assert.Fail($"HtmlToText threw {e.GetType().Name} ({e.Message}) on {html}");
                return;
            }

            Assert.True(result.Work <= 4L * (html.Length + 1), $"work {result.Work} for {html.Length} characters: {html}");
            if (wellFormed)
            {
                Assert.False(result.Text.Contains("SCRIPTSECRET", StringComparison.Ordinal), $"a script's content in \"{result.Text}\" from {html}");
                Assert.False(result.Text.Contains("STYLESECRET", StringComparison.Ordinal), $"a style's content in \"{result.Text}\" from {html}");
            }
        }
    }
}
