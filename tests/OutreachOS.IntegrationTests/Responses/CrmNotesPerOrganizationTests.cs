using System.Net;
using System.Net.Http.Json;
using OutreachOS.IntegrationTests.Ingestion;
using OutreachOS.IntegrationTests.Messaging;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.Responses;

namespace OutreachOS.IntegrationTests.Responses;

/// <summary>
/// The response host with HubSpot configured as before ADR 0032 (a deployment-wide token, here the stub's
/// <see cref="ProviderStub.HubSpotToken"/> account) on a deployment with several organizations; organizations may set their
/// own account on the loopback stub.
/// </summary>
public sealed class CrmResponsesFixture : ResponsesFixture
{
    internal ProviderStub HubSpot { get; private set; } = null!;

    protected override async Task ConfigureAsync(Dictionary<string, string?> settings)
    {
        HubSpot = await ProviderStub.StartAsync();
        foreach (var (key, value) in HubSpot.Settings().Where(s => s.Key.StartsWith("Crm:", StringComparison.Ordinal)))
        {
            settings[key] = value;
        }
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

/// <summary>
/// The CRM notes Triage writes on draft decisions (<c>CrmNotes</c> → <c>ICrmAdapter.LogNoteAsync</c>) go to the deciding
/// organization's own HubSpot account, and an organization without one writes nowhere: not into the deployment's account.
/// </summary>
public sealed class CrmNotesPerOrganizationTests(CrmResponsesFixture f) : IClassFixture<CrmResponsesFixture>
{
    private const string TokenA = "test-hubspot-token-organization-a-0123456789";
    private const string Sarah = "sarah@customer.example"; // the sender of every message DecideAsync makes

    [Fact]
    public async Task Draft_decisions_are_noted_in_the_deciding_organizations_own_account_and_never_in_the_deployment_account()
    {
        f.HubSpot.HubSpotContacts[Sarah] = ("hs-deployment-sarah", "Sarah", "Chen", "Shared Account Inc");
        f.HubSpot.HubSpotAccount(TokenA)[Sarah] = ("hs-a-sarah", "Sarah", "Chen", "Customer of A");
        var (clientA, orgA) = await f.NewOrganizationAsync();
        var (clientB, orgB) = await f.NewOrganizationAsync();

        // B has no CRM settings: its rejection (subject and approver) goes nowhere.
        var b = await f.DecideAsync(ResponsePath.DraftForReview, "support", "The export button does nothing.", organizationId: orgB, subject: "Export B");
        var draftB = ResponseIds.DraftId(b.Decision.DecisionId);
        await WaitForDraftAsync(clientB, draftB);
        using (var reject = await clientB.PostAsJsonAsync($"/drafts/{draftB}/reject", new { reason = "handled by phone" }))
        {
            Assert.Equal(HttpStatusCode.OK, reject.StatusCode);
        }
        Assert.DoesNotContain(f.HubSpot.Requests, r => r.Body.Contains("Export B", StringComparison.Ordinal));

        // A has its own account: its approval is noted there, with A's token, on A's contact.
        using (var put = await clientA.PutAsJsonAsync("/settings/crm",
            new { provider = "HUBSPOT", access_token = TokenA, base_url = new Uri(f.HubSpot.BaseUrl, "hubspot/").ToString() }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        var a = await f.DecideAsync(ResponsePath.DraftForReview, "support", "My invoice PDF is empty.", organizationId: orgA, subject: "Invoice A");
        var draftA = ResponseIds.DraftId(a.Decision.DecisionId);
        await WaitForDraftAsync(clientA, draftA);
        using (var approve = await clientA.PostAsJsonAsync($"/drafts/{draftA}/approve", new { }))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        }

        var approval = Assert.Single(f.HubSpot.Requests, r => r.Path == "/hubspot/crm/v3/objects/notes"
            && r.Body.Contains("Invoice A", StringComparison.Ordinal) && r.Body.Contains("approved by", StringComparison.Ordinal));
        Assert.Equal("Bearer " + TokenA, approval.Authorization);
        Assert.Contains("\"id\":\"hs-a-sarah\"", approval.Body, StringComparison.Ordinal);
        var logged = await f.WaitForEventAsync(a, "inbound_crm_logged.v1");
        Assert.Equal("HubSpot", logged["crm"]!.GetValue<string>());

        // Whatever else was written for these organizations (the consumer's "waiting for review" notes), none of it went to
        // the deployment's account or carried another token.
        Assert.All(f.HubSpot.Requests.Where(r => r.Body.Contains("Invoice A", StringComparison.Ordinal)), r => Assert.Equal("Bearer " + TokenA, r.Authorization));
        Assert.DoesNotContain(f.HubSpot.Requests, r => r.Body.Contains("Export B", StringComparison.Ordinal));
        Assert.DoesNotContain(f.HubSpot.Requests, r => r.Authorization == "Bearer " + ProviderStub.HubSpotToken);
    }

    private static async Task WaitForDraftAsync(HttpClient client, Guid draftId) =>
        await Eventually.TrueAsync(async () =>
        {
            using var r = await client.GetAsync($"/drafts/{draftId}");
            return r.StatusCode == HttpStatusCode.OK;
        }, $"draft {draftId}");
}
