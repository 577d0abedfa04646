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

    [Fact]
    public void Broken_markup_does_not_lose_text()
    {
        var r = HtmlToText.Convert("a < b and <b>bold</i> text <");
        Assert.Equal("a < b and bold text <", r.Text);
    }
}
