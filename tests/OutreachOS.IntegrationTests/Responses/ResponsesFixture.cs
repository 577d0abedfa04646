using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.IntegrationTests.Api;
using OutreachOS.IntegrationTests.Messaging;
using OutreachOS.Triage.Contracts;

namespace OutreachOS.IntegrationTests.Responses;

/// <summary>
/// The real host on a fresh database with smtp-sink as its SMTP server, a Slack webhook stub, QA sampling of every
/// auto-send, and approved template values. Transport: in-memory unless a RabbitMQ virtual host is given.
/// </summary>
public class ResponsesFixture : IAsyncLifetime
{
    public const string SigningSecret = "slack-test-signing-secret";
    public const string FromAddress = "help@acme.example";
    /// <summary>The key organizations' Slack secrets are encrypted with in these tests: made per run, never a literal.</summary>
    public static readonly string SecretsKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    internal SmtpSink Sink { get; private set; } = null!;

    internal WebhookStub Slack { get; private set; } = null!;

    internal RabbitVhost? Rabbit { get; private set; }

    public OutreachApp App { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public Guid OrganizationId { get; private set; }

    internal IEventStore Store => App.Services.GetRequiredService<IEventStore>();

    protected virtual bool UseRabbitMq => false;

    /// <summary>Settings added to (or overriding) the fixture's own.</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?>();

    /// <summary>Registrations applied after the host's own (test doubles).</summary>
    protected virtual Action<IServiceCollection>? Services => null;

    public async Task InitializeAsync()
    {
        Sink = await SmtpSink.StartAsync();
        Slack = await WebhookStub.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Mail:Smtp:Host"] = "127.0.0.1",
            ["Mail:Smtp:Port"] = Sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mail:Smtp:From"] = $"Acme Support <{FromAddress}>",
            ["Slack:WebhookUrl"] = Slack.Url.ToString(),
            ["Slack:SigningSecret"] = SigningSecret,
            // Organizations' own webhooks are loopback stubs here: plain http on 127.0.0.1 (never on a real deployment).
            ["Slack:AllowedWebhookHosts"] = "127.0.0.1",
            ["Slack:AllowHttpWebhooks"] = "true",
            // Organizations' Slack secrets are encrypted at rest in these tests (ADR 0023).
            ["Secrets:Keys:fixture"] = SecretsKey,
            ["Triage:Qa:SampleRate"] = "1",
            ["Triage:Responses:Values:Slots:0"] = "Tuesday 10:00 CET",
            ["Triage:Responses:Values:Slots:1"] = "Wednesday 15:00 CET",
            ["Triage:Responses:Values:BookingLink"] = "https://cal.acme.example/dana",
            ["Triage:Responses:Values:EtaWindow"] = "within one business day",
            ["Triage:Responses:Values:DocLinks:0"] = "https://docs.acme.example/start",
            ["Triage:Responses:Values:Signature"] = "Best regards,\nDana from Acme Support",
            ["Messaging:Retry:Limit"] = "2",
            ["Messaging:Retry:IntervalMs"] = "50",
        };
        if (UseRabbitMq)
        {
            Rabbit = await RabbitVhost.CreateAsync("respond");
            settings["Messaging:Transport"] = "RabbitMQ";
            settings["ConnectionStrings:RabbitMQ"] = Rabbit.Uri.ToString();
        }

        foreach (var (key, value) in ExtraSettings)
        {
            settings[key] = value;
        }

        await ConfigureAsync(settings);
        App = await OutreachApp.StartAsync(settings, services: Services);
        Client = App.ClientWithKey();
        var me = JsonNode.Parse(await Client.GetStringAsync("/organizations/me"))!;
        OrganizationId = Guid.Parse(me["id"]!.GetValue<string>());
    }

    /// <summary>A derived fixture's own settings (and the stubs they point at), added before the host starts.</summary>
    protected virtual Task ConfigureAsync(Dictionary<string, string?> settings) => Task.CompletedTask;

    /// <summary>Stops what <see cref="ConfigureAsync"/> started, after the host.</summary>
    protected virtual ValueTask DisposeStubsAsync() => ValueTask.CompletedTask;

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
        await DisposeStubsAsync();
        await Slack.DisposeAsync();
        await Sink.DisposeAsync();
        if (Rabbit is not null)
        {
            await Rabbit.DisposeAsync();
        }
    }

    /// <summary>A second organization: its key and id.</summary>
    public async Task<(HttpClient Client, Guid Id)> NewOrganizationAsync()
    {
        using var response = await Client.PostAsJsonAsync("/organizations", new { name = $"org-{Guid.NewGuid():N}", tier = "ENTERPRISE" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var client = App.ClientWithKey(json["api_key"]!["key"]!.GetValue<string>());
        var me = JsonNode.Parse(await client.GetStringAsync("/organizations/me"))!;
        return (client, Guid.Parse(me["id"]!.GetValue<string>()));
    }

    /// <summary>
    /// What Ingestion and the router would have written (until the triage consumer is on main): the received message and
    /// the decision, appended to the inbound stream; the relay publishes InboundDecided to the response consumer.
    /// </summary>
    internal async Task<InboundDecided> DecideAsync(ResponsePath path, string intent, string text, Guid? organizationId = null, bool dryRun = false,
        string subject = "Meeting next week", MailAddress? from = null, IReadOnlyDictionary<string, string>? redactions = null, IReadOnlyList<string>? flags = null, Guid? decisionId = null,
        bool holdDecision = false)
    {
        var org = organizationId ?? OrganizationId;
        var inboundId = Guid.NewGuid();
        var message = new InboundEmail($"<{Guid.NewGuid():N}@customer.example>", "thread-1", from ?? new MailAddress("sarah@customer.example", "Sarah Chen"),
            [new MailAddress("support@acme.example")], [], subject, text, null, new Dictionary<string, string> { ["subject"] = subject },
            DateTimeOffset.UtcNow, "<earlier@acme.example>", ["<first@acme.example>", "<earlier@acme.example>"]);
        var decided = new InboundDecided(inboundId, org, message,
            new InboundClassification(intent, "normal", "support", flags ?? [], 0.95, "offline", ["test"]),
            new RoutingDecision(decisionId ?? Guid.NewGuid(), path, [$"policy v1: {intent} → {path}"], "support", DateTimeOffset.UtcNow.AddHours(4), 1, dryRun),
            redactions ?? new Dictionary<string, string>(), DateTimeOffset.UtcNow);
        await Store.AppendAsync(org, InboundStreams.StreamId(inboundId), InboundStreams.StreamType, ExpectedVersion.NoStream,
        [
            EventToAppend.Create(new InboundMessageReceived(inboundId, org, InboundSource.Email, message, 0, false, DateTimeOffset.UtcNow)),
            .. holdDecision ? Array.Empty<EventToAppend>() : [EventToAppend.Create(decided)],
        ]);
        return decided;
    }

    /// <summary>Appends a decision made with <c>holdDecision</c> (a decision that was in flight meanwhile).</summary>
    internal Task AppendDecisionAsync(InboundDecided decided) =>
        Store.AppendAsync(decided.OrganizationId, InboundStreams.StreamId(decided.InboundId), InboundStreams.StreamType, ExpectedVersion.Any, [EventToAppend.Create(decided)]);

    /// <summary>
    /// The stream's events of a type that belong to this decision: events carrying a decision_id must match it (once the
    /// triage consumer is merged it may add its own decision for the same received message; those are not ours).
    /// </summary>
    internal async Task<IReadOnlyList<StoredEvent>> EventsAsync(InboundDecided d, string type) =>
        [.. (await Store.ReadStreamAsync(d.OrganizationId, InboundStreams.StreamId(d.InboundId))).Where(e => e.EventType == type && OfDecision(e, d))];

    private static bool OfDecision(StoredEvent e, InboundDecided d)
    {
        var json = JsonNode.Parse(e.Json)!;
        var id = json["decision_id"]?.GetValue<string>() ?? json["decision"]?["decision_id"]?.GetValue<string>();
        return id is null || Guid.Parse(id) == d.Decision.DecisionId;
    }

    internal async Task<JsonNode> WaitForEventAsync(InboundDecided d, string type)
    {
        await Eventually.TrueAsync(async () => (await EventsAsync(d, type)).Count > 0, $"{type} on inbound {d.InboundId}");
        return JsonNode.Parse((await EventsAsync(d, type))[0].Json)!;
    }

    internal string MessageIdOf(InboundDecided d) => $"<reply-{d.Decision.DecisionId:N}@acme.example>";
}

/// <summary>The same host wired to a real RabbitMQ virtual host.</summary>
public sealed class RabbitResponsesFixture : ResponsesFixture
{
    protected override bool UseRabbitMq => true;
}
