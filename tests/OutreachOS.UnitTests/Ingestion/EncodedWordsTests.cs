using System.Text.Json;
using OutreachOS.Ingestion.Gmail;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.UnitTests.Ingestion;

/// <summary>
/// RFC 2047 encoded words in subjects and display names (the Gmail API gives headers as the message carries them) are
/// decoded: B and Q encodings, any charset .NET knows (code pages included), adjacent words joined; what does not decode
/// stays as written.
/// </summary>
public sealed class EncodedWordsTests
{
    [Theory]
    [InlineData("=?UTF-8?B?SsO2cmcgTcO8bGxlcg==?=", "Jörg Müller")]
    [InlineData("=?utf-8?b?SsO2cmcgTcO8bGxlcg?=", "Jörg Müller")] // padding left out
    [InlineData("=?iso-8859-1?Q?J=F6rg_M=FCller?=", "Jörg Müller")]
    [InlineData("=?windows-1252?Q?=93Quoted=94?=", "\u201CQuoted\u201D")]
    [InlineData("=?utf-8?Q?Gr=C3=BC?= =?utf-8?Q?=C3=9Fe?= aus K=?utf-8?Q?=C3=B6?=ln", "Grüße aus Köln")]
    [InlineData("Re: =?utf-8*de?B?UHJlaXNlIGbDvHIgS8O2bG4g4oCUIOadseS6rA==?= (order 12)", "Re: Preise für Köln — 東京 (order 12)")]
    [InlineData("=?utf-8?Q?line=0D=0Abreak?=", "line  break")]
    [InlineData("=?x-unknown?B?SGk=?= and =?utf-8?B?not base64!?=", "=?x-unknown?B?SGk=?= and =?utf-8?B?not base64!?=")]
    [InlineData("=?utf-8?Q?bad=ZZ?= plain = ? text", "=?utf-8?Q?bad=ZZ?= plain = ? text")]
    [InlineData("no encoded words", "no encoded words")]
    public void Encoded_words_are_decoded(string value, string expected) => Assert.Equal(expected, EncodedWords.Decode(value));

    [Fact]
    public void A_gmail_message_gets_its_subject_and_names_decoded()
    {
        const string json = """
            {"id":"g1","threadId":"t1","payload":{"mimeType":"text/plain","body":{"data":"SGk"},
             "headers":[{"name":"Message-ID","value":"<g@x.test>"},
                        {"name":"From","value":"=?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <joerg@x.test>"},
                        {"name":"To","value":"\"=?iso-8859-1?Q?Ren=E9e?=\" <renee@x.test>, support@acme.test (=?utf-8?Q?S=C3=BCpport?=)"},
                        {"name":"Subject","value":"=?utf-8?Q?R=C3=BCckerstattung?= for order 12"}]}}
            """;
        using var doc = JsonDocument.Parse(json);
        var raw = GmailMailboxAdapter.Map(doc.RootElement);
        Assert.Equal("Rückerstattung for order 12", raw.Subject);
        Assert.Equal("Jörg Müller", raw.From!.Name);
        Assert.Equal(["Renée", "Süpport"], raw.To!.Select(a => a.Name));
        Assert.Equal("=?utf-8?Q?R=C3=BCckerstattung?= for order 12", raw.Headers!["Subject"]); // the audit keeps what came
    }
}
