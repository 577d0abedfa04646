using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.IntegrationTests.Ingestion;
using OutreachOS.IntegrationTests.Messaging;
using OutreachOS.Llm;
using OutreachOS.Triage.Contracts;

namespace OutreachOS.IntegrationTests.Responses;

/// <summary>
/// The response host with paraphrasing on, a model double the test can hold mid-call, and the organization's own CRM
/// (a HubSpot stub): a reply is being composed for as long as the test wants.
/// </summary>
public sealed class HeldComposerFixture : ResponsesFixture
{
    public const string CrmToken = "test-hubspot-token-held-composer-0123456789";

    internal HeldParaphraseLlm Llm { get; } = new();

    internal ProviderStub HubSpot { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } =
        new Dictionary<string, string?> { ["Triage:Responses:Paraphrase:Enabled"] = "true" };

    protected override Action<IServiceCollection>? Services => s => s.AddSingleton<ILlmClient>(Llm);

    protected override async Task ConfigureAsync(Dictionary<string, string?> settings)
    {
        HubSpot = await ProviderStub.StartAsync();
        settings["Crm:HubSpot:AllowedHosts"] = "127.0.0.1";
        settings["Crm:HubSpot:AllowHttp"] = "true";
    }

    protected override async ValueTask DisposeStubsAsync()
    {
        if (HubSpot is not null)
        {
            await HubSpot.DisposeAsync();
        }
    }
}

/// <summary>Answers a paraphrase with the reply it was given; when armed, the next call waits until the test releases it.</summary>
internal sealed class HeldParaphraseLlm : ILlmClient
{
    private TaskCompletionSource? _entered;
    private TaskCompletionSource? _release;

    /// <summary>Holds the next call; the first task completes when it has started, the second releases it.</summary>
    public (Task Entered, TaskCompletionSource Release) HoldNext()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _release = release;
        _entered = entered;
        return (entered.Task, release);
    }

    public async Task<LlmCompletion> CompleteAsync(LlmPrompt prompt, CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _entered, null) is { } entered)
        {
            var release = _release!;
            entered.TrySetResult();
            await release.Task.WaitAsync(ct);
        }
        const string open = "<<<REPLY\n", close = "\nREPLY>>>";
        var start = prompt.User.IndexOf(open, StringComparison.Ordinal);
        var end = prompt.User.LastIndexOf(close, StringComparison.Ordinal);
        var text = start >= 0 && end > start ? prompt.User[(start + open.Length)..end] : prompt.User;
        return new LlmCompletion(text, "Held", "held-1", 10, 10, 0m, TimeSpan.FromMilliseconds(1), 1);
    }
}

/// <summary>
/// A message erased (ADR 0030) while its reply is being composed, here while the paraphrasing model is called: the
/// calls that cannot be undone — the automatic mail, the CRM note, the Slack post — are not made, and nothing is
/// recorded. Without the checks right before those calls, the mail went out and the CRM and Slack were told about an
/// address that had just been erased.
/// </summary>
public sealed class ErasedWhileComposingTests(HeldComposerFixture f) : IClassFixture<HeldComposerFixture>
{
    private const string Sarah = "sarah@customer.example"; // the sender of every message DecideAsync makes

    private async Task<(HttpClient Client, Guid Id)> OrganizationWithCrmAsync()
    {
        var (client, id) = await f.NewOrganizationAsync();
        f.HubSpot.HubSpotAccount(HeldComposerFixture.CrmToken)[Sarah] = ("hs-sarah", "Sarah", "Chen", "Customer");
        f.HubSpot.HubSpotAccount(HeldComposerFixture.CrmToken)["tom@customer.example"] = ("hs-tom", "Tom", "Tucker", "Customer");
        using var put = await client.PutAsJsonAsync("/settings/crm",
            new { provider = "HUBSPOT", access_token = HeldComposerFixture.CrmToken, base_url = new Uri(f.HubSpot.BaseUrl, "hubspot/").ToString() });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return (client, id);
    }

    private async Task EraseSarahWhileHeldAsync(HttpClient client, Task entered, TaskCompletionSource release)
    {
        await entered.WaitAsync(TimeSpan.FromSeconds(30));
        using (var erase = await client.PostAsJsonAsync("/privacy/erasures", new { email = Sarah, reason = "GDPR request" }))
        {
            Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        }
        release.SetResult();
    }

    /// <summary>Waits until the consumer has handled the held decision: its inbox row for the relayed message is there.</summary>
    private async Task WaitUntilHandledAsync(InboundDecided held, InboundDecided control, string controlEvent)
    {
        await f.WaitForEventAsync(control, controlEvent);
        var dataSource = f.App.Services.GetRequiredService<NpgsqlDataSource>();
        await Eventually.TrueAsync(async () =>
        {
            await using var cmd = dataSource.CreateCommand("""
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction' AND pid <> pg_backend_pid()
                """);
            return (long)(await cmd.ExecuteScalarAsync())! == 0;
        }, "no consumer transaction left open");
        await Task.Delay(500); // what the held consumer would still write (an append, a CRM note) lands well within this
        Assert.All(await f.Store.ReadStreamAsync(held.OrganizationId, OutreachOS.Ingestion.Contracts.InboundStreams.StreamId(held.InboundId)),
            e => Assert.Equal(EventErasure.ErasedType, e.EventType));
    }

    [Fact]
    public async Task An_automatic_reply_to_a_message_erased_while_it_was_composed_is_not_sent_nor_noted_in_the_crm()
    {
        var (client, org) = await OrganizationWithCrmAsync();
        var (entered, release) = f.Llm.HoldNext();
        var held = await f.DecideAsync(ResponsePath.AutoSend, "scheduling", "Could we meet next week to talk about onboarding?", organizationId: org,
            subject: "Onboarding call held");
        await EraseSarahWhileHeldAsync(client, entered, release);

        var control = await f.DecideAsync(ResponsePath.AutoSend, "scheduling", "Could we meet on Tuesday?", organizationId: org, subject: "Control call",
            from: new OutreachOS.Ingestion.Contracts.MailAddress("tom@customer.example", "Tom"));
        await WaitUntilHandledAsync(held, control, "inbound_reply_sent.v1");

        Assert.Empty(f.Sink.WithMessageId(f.MessageIdOf(held)));
        Assert.Single(f.Sink.WithMessageId(f.MessageIdOf(control)));
        Assert.DoesNotContain(f.HubSpot.Requests, r => r.Body.Contains("Onboarding call held", StringComparison.Ordinal));
        Assert.Contains(f.HubSpot.Requests, r => r.Body.Contains("Control call", StringComparison.Ordinal));
        var dataSource = f.App.Services.GetRequiredService<NpgsqlDataSource>();
        await using var claims = dataSource.CreateCommand("SELECT count(*) FROM oos.triage_sends WHERE decision_id = $1");
        claims.Parameters.Add(new NpgsqlParameter { Value = held.Decision.DecisionId });
        Assert.Equal(0L, await claims.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_draft_for_a_message_erased_while_it_was_composed_is_not_posted_to_slack_nor_noted_in_the_crm()
    {
        var (client, org) = await OrganizationWithCrmAsync();
        var (entered, release) = f.Llm.HoldNext();
        var held = await f.DecideAsync(ResponsePath.DraftForReview, "pricing", "What would the Team plan cost for 12 users?", organizationId: org,
            subject: "Pricing held");
        await EraseSarahWhileHeldAsync(client, entered, release);

        var control = await f.DecideAsync(ResponsePath.DraftForReview, "pricing", "And for 20 users?", organizationId: org, subject: "Pricing control",
            from: new OutreachOS.Ingestion.Contracts.MailAddress("tom@customer.example", "Tom"));
        await WaitUntilHandledAsync(held, control, "inbound_reply_drafted.v1");
        await Eventually.TrueAsync(() => Task.FromResult(f.Slack.Bodies.Any(b => b.Contains("Pricing control", StringComparison.Ordinal))),
            "the control draft is posted to Slack");

        Assert.DoesNotContain(f.Slack.Bodies, b => b.Contains("Pricing held", StringComparison.Ordinal) || b.Contains(Sarah, StringComparison.Ordinal));
        Assert.DoesNotContain(f.HubSpot.Requests, r => r.Body.Contains("Pricing held", StringComparison.Ordinal));
        Assert.Contains(f.HubSpot.Requests, r => r.Body.Contains("Pricing control", StringComparison.Ordinal));
    }
}
