using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Llm;
using OutreachOS.Triage.Contracts;

namespace OutreachOS.IntegrationTests.Responses;

/// <summary>The response host with paraphrasing on and a model double that records what it is sent.</summary>
public sealed class ParaphraseResponsesFixture : ResponsesFixture
{
    internal RecordingParaphraseLlm Llm { get; } = new();

    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } =
        new Dictionary<string, string?> { ["Triage:Responses:Paraphrase:Enabled"] = "true" };

    protected override Action<IServiceCollection>? Services => s => s.AddSingleton<ILlmClient>(Llm);
}

/// <summary>Answers a paraphrase with the reply it was given (between the markers), and keeps every prompt.</summary>
internal sealed class RecordingParaphraseLlm : ILlmClient
{
    public ConcurrentQueue<LlmPrompt> Prompts { get; } = new();

    public Task<LlmCompletion> CompleteAsync(LlmPrompt prompt, CancellationToken ct)
    {
        Prompts.Enqueue(prompt);
        const string open = "<<<REPLY\n", close = "\nREPLY>>>";
        var start = prompt.User.IndexOf(open, StringComparison.Ordinal);
        var end = prompt.User.LastIndexOf(close, StringComparison.Ordinal);
        var text = start >= 0 && end > start ? prompt.User[(start + open.Length)..end] : prompt.User;
        return Task.FromResult(new LlmCompletion(text, "Recording", "recording-1", 10, 10, 0m, TimeSpan.FromMilliseconds(1), 1));
    }
}

public sealed class ParaphraseRedactionTests(ParaphraseResponsesFixture f) : IClassFixture<ParaphraseResponsesFixture>
{
    private string[] ParaphrasePrompts() => [.. f.Llm.Prompts.Where(p => p.Task == "triage.paraphrase.v1").Select(p => p.User)];

    [Fact]
    public async Task The_paraphrase_model_sees_placeholders_unless_the_organization_turned_redaction_off()
    {
        var redacted = await f.DecideAsync(ResponsePath.DraftForReview, "support", "The export fails since Monday.", subject: "Export broken",
            from: new MailAddress("quentin.zebulon@customer.example", "Quentin Zebulon"));
        var drafted = await f.WaitForEventAsync(redacted, "inbound_reply_drafted.v1");
        Assert.True(drafted["paraphrased"]!.GetValue<bool>());
        Assert.StartsWith("Hi Quentin,", drafted["text"]!.GetValue<string>(), StringComparison.Ordinal); // restored at once
        Assert.DoesNotContain(ParaphrasePrompts(), p => p.Contains("Quentin", StringComparison.Ordinal));
        Assert.Contains(ParaphrasePrompts(), p => p.Contains("Hi [NAME_", StringComparison.Ordinal));

        var (client, orgId) = await f.NewOrganizationAsync();
        using (var put = await client.PutAsync("/policies",
            new StringContent("""{"policy":{"pii":{"redact_before_llm":false}}}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, put.StatusCode);
        }

        var clear = await f.DecideAsync(ResponsePath.DraftForReview, "support", "The export fails since Monday.", organizationId: orgId,
            subject: "Export broken", from: new MailAddress("ursula.yardley@customer.example", "Ursula Yardley"));
        await f.WaitForEventAsync(clear, "inbound_reply_drafted.v1");
        Assert.Contains(ParaphrasePrompts(), p => p.Contains("Hi Ursula,", StringComparison.Ordinal));
    }
}
