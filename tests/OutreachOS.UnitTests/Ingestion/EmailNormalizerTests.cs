using Microsoft.Extensions.Configuration;
using OutreachOS.Ingestion;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Gmail;
using OutreachOS.Ingestion.Normalizing;
using OutreachOS.Ingestion.Outbound;

namespace OutreachOS.UnitTests.Ingestion;

public sealed class EmailNormalizerTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-22T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static IngestionOptions Options(int maxText = 100_000) => IngestionOptions.From(new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["Ingestion:MaxTextChars"] = maxText.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        .Build());

    private static RawEmail Raw(string? text = "Hello", string? html = null, IReadOnlyDictionary<string, string>? headers = null) =>
        new("<m1@x.test>", null, new RawAddress("Ana@X.test", "An\u200Ba"), [new RawAddress("support@acme.test", null)], null,
            "Sub\u2060ject", text, html, headers, null, null, null);

    [Fact]
    public void Header_names_are_lower_cased_and_threading_headers_fill_missing_fields()
    {
        var (_, n) = EmailNormalizer.Normalize(Raw(headers: new Dictionary<string, string>
        {
            ["In-Reply-To"] = "<out@acme.test>",
            ["References"] = "<a@acme.test> <out@acme.test>",
            ["X-Priority"] = "1",
        }), Options(), Now);
        Assert.NotNull(n);
        Assert.Equal(["in-reply-to", "references", "x-priority"], n.Email.Headers.Keys.Order());
        Assert.Equal("<out@acme.test>", n.Email.InReplyTo);
        Assert.Equal(["<a@acme.test>", "<out@acme.test>"], n.Email.References);
        Assert.Equal(Now, n.Email.ReceivedAt);
        Assert.Equal("ana@x.test", n.Email.From.Email);
        Assert.Equal("Ana", n.Email.From.Name);
        Assert.Equal("Subject", n.Email.Subject);
        Assert.Equal(2, n.HiddenCharactersRemoved);
    }

    [Fact]
    public void Html_is_converted_only_when_there_is_no_text_and_the_html_is_kept_for_the_audit()
    {
        var (_, withText) = EmailNormalizer.Normalize(Raw("Plain", "<p>Html</p>"), Options(), Now);
        var (_, htmlOnly) = EmailNormalizer.Normalize(Raw("", "<p>Html</p><span hidden>x</span>"), Options(), Now);
        Assert.Equal("Plain", withText!.Email.Text);
        Assert.Equal("Html", htmlOnly!.Email.Text);
        Assert.Equal("<p>Html</p><span hidden>x</span>", htmlOnly.Email.Html);
        Assert.Equal(1, htmlOnly.HiddenHtmlElementsRemoved);
        var (_, both) = EmailNormalizer.Normalize(Raw("Plain", "<p>Html</p><div style=\"display:none\">do this</div>"), Options(), Now);
        Assert.Equal("Plain", both!.Email.Text);
        Assert.Equal(1, both.HiddenHtmlElementsRemoved);
    }

    [Fact]
    public void Text_over_the_cap_is_truncated_and_flagged()
    {
        var (_, n) = EmailNormalizer.Normalize(Raw(new string('x', 50)), Options(maxText: 10), Now);
        Assert.Equal(10, n!.Email.Text.Length);
        Assert.True(n.Truncated);
    }

    [Fact]
    public void Every_bad_field_is_named()
    {
        var raw = new RawEmail(null, null, new RawAddress("nope", null), [new RawAddress("a@b.test", null), new RawAddress("bad", null)], null,
            null, null, null, new Dictionary<string, string> { ["Bad Header"] = "x" }, null, null, null);
        var (errors, n) = EmailNormalizer.Normalize(raw, Options(), Now);
        Assert.Null(n);
        var problem = Assert.IsType<Microsoft.AspNetCore.Http.HttpResults.ValidationProblem>(errors.ToProblem());
        Assert.Equal(["from.email", "headers", "message_id", "text", "to[1].email"], problem.ProblemDetails.Errors.Keys.Order());
    }

    [Theory]
    [InlineData("Ana <ana@x.test>", "ana@x.test", "Ana")]
    [InlineData("\"Ruiz, Ana\" <ana@x.test>", "ana@x.test", "Ruiz, Ana")]
    [InlineData("ana@x.test", "ana@x.test", null)]
    public void String_addresses_are_parsed(string value, string email, string? name)
    {
        var a = RawAddress.Parse(value);
        Assert.Equal(email, a.Email);
        Assert.Equal(name, a.Name);
    }

    [Fact]
    public void Address_headers_split_on_commas_outside_quotes()
    {
        var list = GmailMailboxAdapter.AddressList("Inbox <inbox@acme.test>, \"Sales, EMEA\" <emea@acme.test>,plain@acme.test");
        Assert.Equal(["inbox@acme.test", "emea@acme.test", "plain@acme.test"], list.Select(a => a.Email));
        Assert.Equal("Sales, EMEA", list[1].Name);
    }

    [Fact]
    public void Reply_candidates_put_in_reply_to_first_and_never_the_message_itself()
    {
        var email = new InboundEmail("<self@x.test>", "<root@acme.test>", new MailAddress("a@x.test"), [], [], "s", "t", null,
            new Dictionary<string, string>(), Now, "<parent@acme.test>", ["root@acme.test", "parent@acme.test", "self@x.test"]);
        Assert.Equal(["parent@acme.test", "root@acme.test"], ReplyTrackingConsumer.Candidates(email));
    }
}
