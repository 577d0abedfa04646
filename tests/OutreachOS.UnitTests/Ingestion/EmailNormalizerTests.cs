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
    [InlineData("<>")]
    [InlineData("< >")]
    [InlineData("<\t>")]
    public void An_empty_message_id_in_angle_brackets_is_named(string messageId)
    {
        var (errors, n) = EmailNormalizer.Normalize(Raw() with { MessageId = messageId }, Options(), Now);
        Assert.Null(n);
        var problem = Assert.IsType<Microsoft.AspNetCore.Http.HttpResults.ValidationProblem>(errors.ToProblem());
        Assert.Equal(["message_id"], problem.ProblemDetails.Errors.Keys);
    }

    [Fact]
    public void A_mailbox_message_keeps_its_valid_recipients_and_counts_the_rest_while_the_api_names_them()
    {
        var to = new List<RawAddress> { new("undisclosed-recipients:;", null), new("/O=EXCHANGELABS/OU=X/CN=RECIPIENTS/CN=LEE", null), new("ok@acme.test", "Ok"), null! };
        var cc = Enumerable.Range(0, 502).Select(i => new RawAddress($"cc{i}@acme.test", null)).ToList();
        var raw = Raw() with { To = to, Cc = cc };

        var (_, n) = EmailNormalizer.Normalize(raw, Options(), Now, fromMailbox: true);
        Assert.Equal(["ok@acme.test"], n!.Email.To.Select(t => t.Email));
        Assert.Equal(500, n.Email.Cc.Count);
        Assert.Equal(3 + 2, n.RecipientsDropped);

        var (errors, refused) = EmailNormalizer.Normalize(raw, Options(), Now);
        Assert.Null(refused);
        var problem = Assert.IsType<Microsoft.AspNetCore.Http.HttpResults.ValidationProblem>(errors.ToProblem());
        Assert.Equal(["cc", "to[0].email", "to[1].email", "to[3].email"], problem.ProblemDetails.Errors.Keys.Order());
    }

    /// <summary>
    /// The caps hold for what is stored, not only for what was sent: one references entry (or the header) holding many ids
    /// is capped after splitting, and a header sent twice in different case is folded within the header cap.
    /// </summary>
    [Fact]
    public void Caps_hold_after_splitting_references_and_folding_repeated_headers()
    {
        var packed = string.Join(" ", Enumerable.Range(0, 3000).Select(i => $"<r{i}@x.test>"));
        var (_, fromMailbox) = EmailNormalizer.Normalize(Raw() with { References = [packed] }, Options(), Now, fromMailbox: true);
        Assert.NotNull(fromMailbox);
        Assert.Equal(EmailNormalizer.MaxReferences, fromMailbox.Email.References.Count);
        Assert.Equal("<r2999@x.test>", fromMailbox.Email.References[^1]);
        Assert.True(fromMailbox.Truncated);

        var (errors, refused) = EmailNormalizer.Normalize(Raw() with { References = [packed] }, Options(), Now);
        Assert.Null(refused);
        var problem = Assert.IsType<Microsoft.AspNetCore.Http.HttpResults.ValidationProblem>(errors.ToProblem());
        Assert.Contains("references", problem.ProblemDetails.Errors.Keys);

        var (_, folded) = EmailNormalizer.Normalize(Raw(headers: new Dictionary<string, string>
        {
            ["X-Note"] = new string('a', 7_000),
            ["x-note"] = new string('b', 7_000),
        }), Options(), Now);
        Assert.NotNull(folded);
        Assert.True(folded.Email.Headers["x-note"].Length <= 8_000);
        Assert.True(folded.Truncated);
    }

    [Fact]
    public void A_mailbox_message_is_trimmed_rather_than_refused_and_only_a_bad_sender_fails_it()
    {
        var headers = Enumerable.Range(0, 250).ToDictionary(i => $"X-H{i}", i => "v");
        headers["Bad Header"] = "x";
        var raw = Raw(text: null) with
        {
            Subject = null,
            Headers = headers,
            References = [.. Enumerable.Range(0, 600).Select(i => $"<r{i}@x.test>")],
            InReplyTo = "<" + new string('a', 5000) + ">",
        };

        var (_, n) = EmailNormalizer.Normalize(raw, Options(), Now, fromMailbox: true);
        Assert.NotNull(n);
        Assert.Equal(200, n.Email.Headers.Count);
        Assert.DoesNotContain("bad header", n.Email.Headers.Keys);
        Assert.Equal(500, n.Email.References.Count);
        Assert.Equal("<r599@x.test>", n.Email.References[^1]);
        Assert.Null(n.Email.InReplyTo);
        Assert.Equal("", n.Email.Text);
        Assert.True(n.Truncated);

        Assert.Null(EmailNormalizer.Normalize(raw with { From = new RawAddress("undisclosed-recipients:;", null) }, Options(), Now, fromMailbox: true).Email);
        Assert.Null(EmailNormalizer.Normalize(raw with { From = null }, Options(), Now, fromMailbox: true).Email);
    }

    [Theory]
    [InlineData("Ana <ana@x.test>", "ana@x.test", "Ana")]
    [InlineData("\"Ruiz, Ana\" <ana@x.test>", "ana@x.test", "Ruiz, Ana")]
    [InlineData("ana@x.test", "ana@x.test", null)]
    [InlineData("ana@x.test (Ana Ruiz)", "ana@x.test", "Ana Ruiz")]
    [InlineData("Ana (work) <ana@x.test>", "ana@x.test", "Ana")]
    [InlineData("\"Ana \\\"A\\\" Ruiz\" <ana@x.test>", "ana@x.test", "Ana \"A\" Ruiz")]
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

    [Theory]
    [InlineData("undisclosed-recipients:;", new string[0])]
    [InlineData("Team: a@x.test, \"Bee, B\" <b@x.test>;", new[] { "a@x.test", "b@x.test" })]
    [InlineData("Team: a@x.test;, c@x.test", new[] { "a@x.test", "c@x.test" })]
    [InlineData("jane@x.test (Jane Doe), (a comment, with a comma) joe@x.test", new[] { "jane@x.test", "joe@x.test" })]
    [InlineData("\"a;b:c\" <q@x.test>", new[] { "q@x.test" })]
    public void Address_headers_understand_groups_and_comments(string header, string[] emails) =>
        Assert.Equal(emails, GmailMailboxAdapter.AddressList(header).Select(a => a.Email));

    [Fact]
    public void Reply_candidates_put_in_reply_to_first_and_never_the_message_itself()
    {
        var email = new InboundEmail("<self@x.test>", "<root@acme.test>", new MailAddress("a@x.test"), [], [], "s", "t", null,
            new Dictionary<string, string>(), Now, "<parent@acme.test>", ["root@acme.test", "parent@acme.test", "self@x.test"]);
        Assert.Equal(["parent@acme.test", "root@acme.test"], ReplyTrackingConsumer.Candidates(email));
    }

    [Fact]
    public void Control_characters_are_stripped_from_every_stored_field_and_counted_where_a_model_reads_them()
    {
        var raw = new RawEmail("<m\0@x.test>", "t\0", new RawAddress("ana@x.test", "A\0na"), [new RawAddress("b@x.test", "B\u0085ob")], null,
            "Sub\0ject", "Te\u001Bxt\u0007 with\ttab\r\nand\fpage", "<p>H\0i</p>", new Dictionary<string, string> { ["X-Note"] = "v\0al" },
            null, "<p\0@x.test>", ["<r\0@x.test>"]);

        var (_, n) = EmailNormalizer.Normalize(raw, Options(), Now, fromMailbox: true);

        Assert.NotNull(n);
        var e = n.Email;
        Assert.Equal(("<m@x.test>", "t", "<p@x.test>"), (e.MessageId, e.ThreadId, e.InReplyTo));
        Assert.Equal(["<r@x.test>"], e.References);
        Assert.Equal(("Ana", "Bob"), (e.From.Name, e.To[0].Name));
        Assert.Equal("Subject", e.Subject);
        Assert.Equal("Text with\ttab\r\nand\npage", e.Text); // tab and line breaks kept; a form feed is a line break
        Assert.Equal("<p>Hi</p>", e.Html);
        Assert.Equal("val", e.Headers["x-note"]);
        Assert.Equal(1 + 1 + 2, n.HiddenCharactersRemoved); // subject, sender's name, text: what a model reads
    }

    [Fact]
    public void A_nul_entity_in_html_only_mail_is_removed_from_the_text_and_counted()
    {
        var (_, n) = EmailNormalizer.Normalize(Raw("", "<p>Hi&#0; there</p>"), Options(), Now);
        Assert.Equal("Hi there", n!.Email.Text);
        Assert.Equal(2 + 1, n.HiddenCharactersRemoved); // the Raw sender's and subject's invisible characters, and the NUL
    }

    [Fact]
    public void A_cap_never_splits_a_surrogate_pair()
    {
        var emoji = "\U0001F600";
        var o = IngestionOptions.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ingestion:MaxTextChars"] = "4", ["Ingestion:MaxSubjectChars"] = "4", ["Ingestion:MaxHtmlChars"] = "4", ["Ingestion:MaxHeaderValueChars"] = "4",
        }).Build());
        var raw = Raw("abc" + emoji, "<b>" + emoji, new Dictionary<string, string> { ["X-Mood"] = "abc" + emoji }) with { Subject = "abc" + emoji };

        var (_, n) = EmailNormalizer.Normalize(raw, o, Now);

        Assert.Equal(("abc", "abc", "<b>", "abc"), (n!.Email.Text, n.Email.Subject, n.Email.Html, n.Email.Headers["x-mood"]));
        Assert.True(n.Truncated);
        Assert.Equal("ab" + emoji, EmailNormalizer.Cut("ab" + emoji + "c", 4)); // a whole pair before the cap is kept
    }

    [Fact]
    public void A_numeric_reference_to_a_windows_1252_character_is_text_not_a_hidden_character()
    {
        var (_, n) = EmailNormalizer.Normalize(Raw("", "<p>It&#146;s 9&#150;5</p>"), Options(), Now);
        Assert.Equal("It\u2019s 9\u20135", n!.Email.Text);
        Assert.Equal(2, n.HiddenCharactersRemoved); // the Raw sender's and subject's invisible characters only
    }
}
