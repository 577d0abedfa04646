using OutreachOS.Triage.Slack;

namespace OutreachOS.UnitTests.Responses;

/// <summary>What the sender wrote goes into Slack mrkdwn as text: escaped, bounded, and unable to leave its code block.</summary>
public sealed class SlackNotifierTests
{
    [Fact]
    public void Only_ampersand_and_angle_brackets_are_escaped()
    {
        Assert.Equal("&lt;!channel&gt; &lt;https://evil.example|Open&gt; a &amp;amp; b *bold* _it_ \"q\" 'a'",
            SlackNotifier.Escape("<!channel> <https://evil.example|Open> a &amp; b *bold* _it_ \"q\" 'a'", 1000));
        Assert.Equal("", SlackNotifier.Escape(null, 10));
    }

    [Theory]
    [InlineData("Hi```\n<!channel> outside the block\n```")]
    [InlineData("`starts and ends with a backtick`")]
    [InlineData("``double`` and ````four````")]
    public void Backticks_in_a_code_block_cannot_close_it(string text)
    {
        var block = "```" + SlackNotifier.Escape(text, 1000, codeBlock: true) + "```";
        Assert.Equal(2, block.Split("``").Length - 1); // the two fences are the only adjacent backticks
        Assert.StartsWith("```", block, StringComparison.Ordinal);
        Assert.DoesNotContain("<", block, StringComparison.Ordinal);
        Assert.Equal(text.Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal),
            SlackNotifier.Escape(text, 1000, codeBlock: true).Replace("\u200B", "", StringComparison.Ordinal));
    }

    [Fact]
    public void The_limit_counts_the_escaped_text_and_never_cuts_an_entity_or_a_character()
    {
        var escaped = SlackNotifier.Escape(new string('<', 1000), 100);
        Assert.True(escaped.Length <= 100, $"{escaped.Length} characters");
        Assert.EndsWith("…", escaped, StringComparison.Ordinal);
        Assert.Equal("", escaped[..^1].Replace("&lt;", "", StringComparison.Ordinal));

        var emoji = SlackNotifier.Escape("ab" + string.Concat(Enumerable.Repeat("😀", 10)), 6);
        Assert.Equal("ab😀…", emoji); // "ab😀😀" is 6 chars: with "…" only one emoji fits, whole
        Assert.Equal("short", SlackNotifier.Escape("short", 5));
    }
}
