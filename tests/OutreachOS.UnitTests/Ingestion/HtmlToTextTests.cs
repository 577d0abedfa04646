using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.UnitTests.Ingestion;

public sealed class HtmlToTextTests
{
    [Fact]
    public void Block_elements_become_lines_and_entities_are_decoded()
    {
        var r = HtmlToText.Convert("<div>Hi Sam,</div><p>Price: 5&nbsp;&euro; &amp; more<br>Thanks</p>");
        Assert.Equal("Hi Sam,\n\nPrice: 5 € & more\nThanks", r.Text);
        Assert.Equal(0, r.HiddenElementsRemoved);
    }

    [Fact]
    public void Scripts_styles_comments_and_the_head_are_dropped()
    {
        var r = HtmlToText.Convert("<html><head><title>T</title></head><body><!-- secret --><style>.a{}</style><script>alert(1)</script>Visible</body></html>");
        Assert.Equal("Visible", r.Text);
    }

    [Theory]
    [InlineData("<span style=\"display:none\">X</span>")]
    [InlineData("<span style='DISPLAY: NONE !important'>X</span>")]
    [InlineData("<div style=\"visibility:hidden\">X</div>")]
    [InlineData("<span style=\"font-size:0px\">X</span>")]
    [InlineData("<span style=\"font-size: 0\">X</span>")]
    [InlineData("<div style=\"width:0;height:0;overflow:hidden\">X</div>")]
    [InlineData("<span style=\"opacity:0\">X</span>")]
    [InlineData("<font style=\"color:#ffffff\">X</font>")]
    [InlineData("<span style=\"color: white\">X</span>")]
    [InlineData("<span style=\"color:rgb(255, 255, 255)\">X</span>")]
    [InlineData("<p hidden>X</p>")]
    public void Hidden_content_is_removed_and_counted(string hidden)
    {
        var r = HtmlToText.Convert($"<p>Before</p>{hidden}<p>After</p>");
        Assert.DoesNotContain("X", r.Text, StringComparison.Ordinal);
        Assert.Contains("Before", r.Text, StringComparison.Ordinal);
        Assert.Contains("After", r.Text, StringComparison.Ordinal);
        Assert.Equal(1, r.HiddenElementsRemoved);
    }

    [Theory]
    [InlineData("<span style=\"font-size:12px\">X</span>")]
    [InlineData("<span style=\"background-color:#ffffff\">X</span>")]
    [InlineData("<span style=\"color:#333\">X</span>")]
    [InlineData("<div style=\"width:100px\">X</div>")]
    [InlineData("<span data-hidden=\"no\">X</span>")]
    public void Visible_styles_are_kept(string visible)
    {
        var r = HtmlToText.Convert(visible);
        Assert.Equal("X", r.Text);
        Assert.Equal(0, r.HiddenElementsRemoved);
    }

    [Fact]
    public void Nested_hidden_content_ends_with_its_element()
    {
        var r = HtmlToText.Convert("<div style=\"display:none\"><p>one <b>two</b></p><span>three</span></div>shown");
        Assert.Equal("shown", r.Text);
        Assert.Equal(1, r.HiddenElementsRemoved);
    }

    [Theory]
    [InlineData("<html><head><title>T</title><body><p>Hello</p></body></html>")] // </head> is optional
    [InlineData("<html><head><meta charset=\"utf-8\"><style>p{}</style><BODY class=x><p>Hello</p>")]
    [InlineData("<head><title>T</title></head><p>Hello</p>")]
    public void A_head_ends_at_the_body_even_without_its_end_tag(string html) =>
        Assert.Equal("Hello", HtmlToText.Convert(html).Text);

    [Fact]
    public void A_header_element_is_not_the_end_of_the_head()
    {
        Assert.Equal("Top\n\nHello", HtmlToText.Convert("<html><head><meta charset=utf-8><body><header>Top</header><p>Hello</p>").Text);
        Assert.Equal("kept", HtmlToText.Convert("<style>x{}</styles>y{}</style><p>kept</p>").Text);
    }

    [Fact]
    public void Unmatched_end_tags_cost_a_bounded_amount_of_work_per_tag()
    {
        // 80k open elements, then 60k end tags matching none: scanning the open elements for each is 4.8 billion steps.
        var html = string.Concat(Enumerable.Repeat("<i>", 80_000)) + "x" + string.Concat(Enumerable.Repeat("</b>", 60_000)) + "</i>y";
        var r = HtmlToText.Convert(html);
        Assert.Equal("xy", r.Text);
        Assert.True(r.Work <= 4L * (80_000 + 60_000 + 1), $"work {r.Work}");
    }

    [Theory]
    [InlineData("<img alt=\"hidden gem\" src=\"a.png\"><span title='not hidden at all'>X</span>")]
    [InlineData("<span data-hidden>X</span>")]
    [InlineData("<span class=\"hidden-xs\">X</span>")]
    [InlineData("<span title=\"style='display:none'\">X</span>")]
    [InlineData("<span data-style=\"display:none\">X</span>")]
    [InlineData("<td style=\"color:#ffffff;background-color:#0073e6\">X</td>")]
    [InlineData("<td bgcolor=\"#0073e6\" style=\"color: #FFF\">X</td>")]
    [InlineData("<a style=\"color:white; background:url(btn.png) #c00\">X</a>")]
    public void Visible_content_that_merely_mentions_hidden_or_is_white_on_a_background_is_kept(string visible)
    {
        var r = HtmlToText.Convert(visible);
        Assert.Equal("X", r.Text);
        Assert.Equal(0, r.HiddenElementsRemoved);
    }

    [Theory]
    [InlineData("<p hidden=\"\">X</p>")]
    [InlineData("<p HIDDEN=hidden>X</p>")]
    [InlineData("<p class=\"a\" hidden>X</p>")]
    [InlineData("<p title=\"a\"hidden>X</p>")]
    [InlineData("<span style=\"color:#fff;background-color:#FFFFFF\">X</span>")]
    [InlineData("<span style=\"color:white;background:transparent\">X</span>")]
    public void The_hidden_attribute_and_white_on_white_are_still_hidden(string hidden)
    {
        var r = HtmlToText.Convert($"<p>Before</p>{hidden}<p>After</p>");
        Assert.DoesNotContain("X", r.Text, StringComparison.Ordinal);
        Assert.Equal(1, r.HiddenElementsRemoved);
    }

    [Fact]
    public void Broken_markup_does_not_lose_text()
    {
        var r = HtmlToText.Convert("a < b and <b>bold</i> text <");
        Assert.Equal("a < b and bold text <", r.Text);
    }

    [Fact]
    public void Numeric_references_in_the_c1_range_are_read_as_windows_1252_as_browsers_do()
    {
        // Word-made HTML: en dash, curly quotes, euro. Left as C1 controls they would be stripped and counted as hidden.
        var r = HtmlToText.Convert("<p>2020&#150;2024: &#147;it&#146;s &#128;5&#148; &#x96; &#0129;</p>");
        Assert.Equal("2020\u20132024: \u201Cit\u2019s \u20AC5\u201D \u2013 \u0081", r.Text);
    }
}
