using System.Text;
using System.Text.Json;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Gmail;
using OutreachOS.Ingestion.Graph;
using OutreachOS.Ingestion.Mailbox;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.UnitTests.Ingestion;

public sealed class MailboxMappingTests
{
    [Fact]
    public void A_graph_message_maps_html_body_recipients_and_threading_headers()
    {
        using var doc = JsonDocument.Parse("""
            {"internetMessageId":"<m@o.test>","conversationId":"c1","subject":"S",
             "body":{"contentType":"html","content":"<p>x</p>"},
             "from":{"emailAddress":{"name":"Lee","address":"lee@c.test"}},
             "toRecipients":[{"emailAddress":{"address":"a@acme.test"}},{"emailAddress":{"address":"b@acme.test"}}],
             "receivedDateTime":"2026-11-20T09:00:00Z",
             "internetMessageHeaders":[{"name":"In-Reply-To","value":"<p@acme.test>"},{"name":"References","value":"<r1@acme.test> <p@acme.test>"}]}
            """);
        var raw = GraphMailboxAdapter.Map(doc.RootElement, "users/u/messages/1");
        Assert.Equal("<m@o.test>", raw.MessageId);
        Assert.Equal("<p>x</p>", raw.Html);
        Assert.Null(raw.Text);
        Assert.Equal(["a@acme.test", "b@acme.test"], raw.To!.Select(t => t.Email));
        Assert.Equal("<p@acme.test>", raw.InReplyTo);
        Assert.Equal(["<r1@acme.test>", "<p@acme.test>"], raw.References);
    }

    [Fact]
    public void A_graph_message_without_an_internet_message_id_gets_a_stable_one_from_its_resource()
    {
        using var doc = JsonDocument.Parse("""{"subject":"S","body":{"contentType":"text","content":"hi"}}""");
        Assert.Equal("graph:users/u/messages/1", GraphMailboxAdapter.Map(doc.RootElement, "users/u/messages/1").MessageId);
    }

    [Theory]
    [InlineData("<>")]
    [InlineData("< >")]
    [InlineData("  ")]
    public void An_empty_message_id_is_replaced_by_a_stable_one_from_the_provider_id(string messageId)
    {
        using var graph = JsonDocument.Parse(JsonSerializer.Serialize(new { internetMessageId = messageId, subject = "S" }));
        Assert.Equal("graph:users/u/messages/1", GraphMailboxAdapter.Map(graph.RootElement, "users/u/messages/1").MessageId);
        using var gmail = JsonDocument.Parse(JsonSerializer.Serialize(new
        {
            id = "g1",
            payload = new { headers = new[] { new { name = "Message-ID", value = messageId }, new { name = "Subject", value = "S" } } },
        }));
        Assert.Equal("gmail:g1", GmailMailboxAdapter.Map(gmail.RootElement).MessageId);
    }

    [Fact]
    public void A_gmail_message_takes_the_first_text_and_html_parts_and_skips_attachments()
    {
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var json = """
            {"id":"g1","threadId":"t1","internalDate":"1763716435000","payload":{"mimeType":"multipart/mixed",
             "headers":[{"name":"Message-ID","value":"<g@x.test>"},{"name":"From","value":"Ana <ana@x.test>"},{"name":"Subject","value":"Hi"}],
             "parts":[{"mimeType":"text/plain","filename":"notes.txt","body":{"data":"ATTACHMENT"}},
                      {"mimeType":"multipart/alternative","parts":[
                         {"mimeType":"text/plain","body":{"data":"PLAIN"}},
                         {"mimeType":"text/html","body":{"data":"HTML"}}]}]}}
            """.Replace("ATTACHMENT", B64("attachment"), StringComparison.Ordinal)
            .Replace("PLAIN", B64("plain ü"), StringComparison.Ordinal)
            .Replace("HTML", B64("<b>html</b>"), StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json);
        var raw = GmailMailboxAdapter.Map(doc.RootElement);
        Assert.Equal("plain ü", raw.Text);
        Assert.Equal("<b>html</b>", raw.Html);
        Assert.Equal("t1", raw.ThreadId);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1763716435000), raw.ReceivedAt);
        Assert.Equal("ana@x.test", raw.From!.Email);
    }

    [Fact]
    public async Task The_in_memory_gmail_mailbox_lists_only_messages_added_after_the_cursor()
    {
        var mailbox = new InMemoryMailboxAdapter(InboundSource.Gmail);
        var m = new RawEmail("<a@x>", null, new RawAddress("a@x.test", null), null, null, "s", "t", null, null, null, null, null);
        mailbox.Add("inbox@acme.test", "1", m);
        mailbox.Add("inbox@acme.test", "2", m);

        var first = await mailbox.ChangesAsync("inbox@acme.test", "100", null, null, CancellationToken.None);
        mailbox.Add("inbox@acme.test", "3", m);
        var second = await mailbox.ChangesAsync("inbox@acme.test", "101", first.Cursor, null, CancellationToken.None);

        Assert.Equal(["1", "2"], first.ResourceIds);
        Assert.Equal(["3"], second.ResourceIds);
        Assert.Same(m, await mailbox.FetchAsync("INBOX@acme.test", "3", CancellationToken.None));
        Assert.Null(await mailbox.FetchAsync("inbox@acme.test", "9", CancellationToken.None));
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string B64(string s) => B64(Encoding.UTF8.GetBytes(s));

    private static RawEmail MapGmail(string payload)
    {
        using var doc = JsonDocument.Parse($$$"""{"id":"g1","payload":{{{payload}}}}""");
        return GmailMailboxAdapter.Map(doc.RootElement);
    }

    [Fact]
    public void A_gmail_message_never_takes_its_body_from_an_attached_message_or_attachment()
    {
        // HTML only, with a forwarded .eml attached (whose own text part Gmail lists inside it) and a text attachment
        // marked by its Content-Disposition alone.
        var raw = MapGmail($$$"""
            {"mimeType":"multipart/mixed","headers":[{"name":"From","value":"ana@x.test"}],"parts":[
              {"mimeType":"text/html","filename":"","body":{"data":"{{{B64("<p>See the attached thread.</p>")}}}"}},
              {"mimeType":"message/rfc822","filename":"","body":{"attachmentId":"a1"},"parts":[
                {"mimeType":"text/plain","filename":"","body":{"data":"{{{B64("Text of the attached message.")}}}"}}]},
              {"mimeType":"text/plain","filename":"","headers":[{"name":"Content-Disposition","value":"attachment"}],
               "body":{"data":"{{{B64("an attached note")}}}"}}]}
            """);
        Assert.Null(raw.Text);
        Assert.Equal("<p>See the attached thread.</p>", raw.Html);
    }

    [Fact]
    public void A_gmail_message_takes_text_and_html_from_one_body_not_from_a_later_inline_part()
    {
        // multipart/mixed: the body (HTML only, inside multipart/related with an image), then a list footer in text/plain.
        var raw = MapGmail($$$"""
            {"mimeType":"multipart/mixed","parts":[
              {"mimeType":"multipart/related","parts":[
                {"mimeType":"multipart/alternative","parts":[{"mimeType":"text/html","body":{"data":"{{{B64("<p>Body</p>")}}}"}}]},
                {"mimeType":"image/png","body":{"attachmentId":"i1"}}]},
              {"mimeType":"text/plain","body":{"data":"{{{B64("-- list footer")}}}"}}]}
            """);
        Assert.Null(raw.Text);
        Assert.Equal("<p>Body</p>", raw.Html);

        var both = MapGmail($$$"""
            {"mimeType":"multipart/alternative","parts":[
              {"mimeType":"text/plain","body":{"data":"{{{B64("plain")}}}"}},
              {"mimeType":"multipart/related","parts":[{"mimeType":"text/html","body":{"data":"{{{B64("<b>html</b>")}}}"}}]}]}
            """);
        Assert.Equal(("plain", "<b>html</b>"), (both.Text, both.Html));
    }

    [Theory]
    [InlineData("text/plain; charset=ISO-8859-1", "iso-8859-1", "Café crème, señor")]
    [InlineData("text/plain; charset=\"iso-8859-1\"; format=flowed", "iso-8859-1", "Café crème, señor")]
    [InlineData("text/plain;charset=windows-1252", "windows-1252", "“Quoted” – €5")]
    [InlineData("text/plain; charset=latin1", "windows-1252", "“Latin-1” labels are read as windows-1252")]
    [InlineData("text/plain; charset=koi8-r", "koi8-r", "Привет")]
    [InlineData("text/plain; charset=utf-8", "utf-8", "Grüße 😀")]
    [InlineData("text/plain; charset=us-ascii", "utf-8", "8-bit UTF-8 labelled ASCII: Grüße")]
    [InlineData("text/plain; charset=x-unknown", "utf-8", "Unknown charset: Grüße")]
    [InlineData("text/plain", "utf-8", "No charset: Grüße")]
    public void A_gmail_part_is_decoded_by_the_charset_of_its_content_type(string contentType, string writtenIn, string text)
    {
        var bytes = System.Text.CodePagesEncodingProvider.Instance.GetEncoding(writtenIn)?.GetBytes(text) ?? Encoding.GetEncoding(writtenIn).GetBytes(text);
        var raw = MapGmail($$$"""
            {"mimeType":"text/plain","headers":[{"name":"Content-Type","value":{{{JsonSerializer.Serialize(contentType)}}}}],"body":{"data":"{{{B64(bytes)}}}"}}
            """);
        Assert.Equal(text, raw.Text);
    }
}
