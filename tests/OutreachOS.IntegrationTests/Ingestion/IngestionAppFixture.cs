using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.IntegrationTests.Api;

namespace OutreachOS.IntegrationTests.Ingestion;

/// <summary>
/// One host on a fresh database (in-memory bus) wired to the <see cref="ProviderStub"/>: a Graph subscription and a Gmail
/// mailbox owned by the platform organization, OIDC verification on, HubSpot as the platform organization's own CRM
/// (<c>PUT /settings/crm</c> with <see cref="ProviderStub.HubSpotToken"/>). The tests create more organizations, so no
/// deployment-wide HubSpot token is configured: it would serve none of them (ADR 0032).
/// </summary>
public sealed class IngestionAppFixture : IAsyncLifetime
{
    public static readonly Guid PlatformOrg = Guid.Parse("00000000-0000-7000-8000-00000000b007");
    public const string GraphSubscription = "sub-0001";
    public const string GraphClientState = "client-state-secret-1";
    public const string GraphUser = "u1";
    public const string GmailMailbox = "inbox@acme.test";
    public static readonly string[] GmailCursorMailboxes = [
        "spoofed@acme.test", "paged@acme.test", "expired@acme.test", "recipients@acme.test", "caughtup@acme.test", "bounded@acme.test",
        "reused@acme.test", "legacy@acme.test", "nul@acme.test", "refused@acme.test", "unfetchable@acme.test",
    ];

    /// <summary>The most messages one Gmail catch-up (history gone) reads here: small, so a test can go past it.</summary>
    public const int GmailCatchUpMaxMessages = 5;
    public const string PushAudience = "https://outreachos.test/ingest/gmail";
    public const string PushServiceAccount = "push@acme-project.iam.gserviceaccount.com";

    internal ProviderStub Stub { get; private set; } = null!;

    public OutreachApp App { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public IEventStore Store => App.Services.GetRequiredService<IEventStore>();

    public async Task InitializeAsync()
    {
        Stub = await ProviderStub.StartAsync();
        App = await OutreachApp.StartAsync(Settings(Stub));
        Client = App.ClientWithKey();
        using var crm = await Client.PutAsJsonAsync("/settings/crm",
            new { provider = "HUBSPOT", access_token = ProviderStub.HubSpotToken, base_url = new Uri(Stub.BaseUrl, "hubspot/").ToString() });
        Assert.True(crm.IsSuccessStatusCode, await crm.Content.ReadAsStringAsync());
    }

    internal static Dictionary<string, string?> Settings(ProviderStub stub)
    {
        var settings = stub.Settings();
        settings.Remove("Crm:HubSpot:AccessToken");
        // Organizations' own HubSpot API is the loopback stub here: plain http on 127.0.0.1 (never on a real deployment).
        settings["Crm:HubSpot:AllowedHosts"] = "127.0.0.1";
        settings["Crm:HubSpot:AllowHttp"] = "true";
        settings["Ingestion:Graph:Subscriptions:0:SubscriptionId"] = GraphSubscription;
        settings["Ingestion:Graph:Subscriptions:0:ClientState"] = GraphClientState;
        settings["Ingestion:Graph:Subscriptions:0:OrganizationId"] = PlatformOrg.ToString();
        settings["Ingestion:Graph:Subscriptions:0:UserId"] = GraphUser;
        settings["Ingestion:Gmail:VerifyOidc"] = "true";
        settings["Ingestion:Gmail:Audience"] = PushAudience;
        settings["Ingestion:Gmail:ServiceAccountEmail"] = PushServiceAccount;
        settings["Ingestion:Gmail:Mailboxes:0:EmailAddress"] = GmailMailbox;
        settings["Ingestion:Gmail:Mailboxes:0:OrganizationId"] = PlatformOrg.ToString();
        // Mailboxes of their own for the Gmail tests that follow one mailbox's cursor (the stub serves each its own history).
        for (var n = 0; n < GmailCursorMailboxes.Length; n++)
        {
            settings[$"Ingestion:Gmail:Mailboxes:{n + 1}:EmailAddress"] = GmailCursorMailboxes[n];
            settings[$"Ingestion:Gmail:Mailboxes:{n + 1}:OrganizationId"] = PlatformOrg.ToString();
        }
        settings["Ingestion:Gmail:CatchUp:MaxMessages"] = GmailCatchUpMaxMessages.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Messaging:Retry:IntervalMs"] = "50";
        return settings;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
        await Stub.DisposeAsync();
    }

    public async Task<HttpClient> NewOrganizationAsync()
    {
        using var response = await Client.PostAsJsonAsync("/organizations", new { name = $"org-{Guid.NewGuid():N}", tier = "ENTERPRISE" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return App.ClientWithKey(json["api_key"]!["key"]!.GetValue<string>());
    }

    public static async Task<(HttpStatusCode Status, JsonNode? Json, string Text)> SendAsync(HttpClient client, HttpMethod method, string path, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        try
        {
            json = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return (response.StatusCode, json, text);
    }

    public static Task<(HttpStatusCode Status, JsonNode? Json, string Text)> PostJsonAsync(HttpClient client, string path, JsonNode body) =>
        SendAsync(client, HttpMethod.Post, path, new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));

    public static JsonObject Email(string? messageId = null, string from = "dana@customer.test") => new()
    {
        ["message_id"] = messageId ?? $"<{Guid.NewGuid():N}@customer.test>",
        ["thread_id"] = "thread-1",
        ["from"] = new JsonObject { ["email"] = from, ["name"] = "Dana" },
        ["to"] = new JsonArray(new JsonObject { ["email"] = "support@acme.test", ["name"] = "Support" }, "Sales <sales@acme.test>"),
        ["cc"] = new JsonArray(),
        ["subject"] = "Pricing question",
        ["text"] = "Hello, what does the team plan cost?",
        ["headers"] = new JsonObject { ["X-Mailer"] = "Test", ["Content-Language"] = "en" },
        ["received_at"] = "2026-11-20T10:00:00Z",
        ["in_reply_to"] = null,
        ["references"] = new JsonArray(),
    };

    /// <summary>
    /// The stream's events written by Ingestion. The Triage consumers run in the same host and append their own
    /// (classified, decided, drafted, ...) to inbound streams; those are the Triage tests' business.
    /// </summary>
    public async Task<IReadOnlyList<StoredEvent>> EventsAsync(Guid tenant, string stream) =>
        [.. (await Store.ReadStreamAsync(tenant, stream)).Where(e => !e.EventType.StartsWith("inbound_", StringComparison.Ordinal) || e.EventType == "inbound_received.v1")];
}

[CollectionDefinition(Name)]
public sealed class IngestionCollection : ICollectionFixture<IngestionAppFixture>
{
    public const string Name = "ingestion";
}
