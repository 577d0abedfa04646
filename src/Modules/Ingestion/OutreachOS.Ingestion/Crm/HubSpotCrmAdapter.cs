using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OutreachOS.BuildingBlocks.Security;
using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.Ingestion.Crm;

/// <summary>
/// HubSpot CRM v3: contact search by e-mail (<c>POST /crm/v3/objects/contacts/search</c>) and a note associated with the
/// contact (<c>POST /crm/v3/objects/notes</c>, association type 202 = note → contact). A CRM outage returns null and is
/// logged: a CRM note must never block a reply (the ICrmAdapter contract). Lookups go through the
/// <see cref="ContactLookupCache"/> (per organization, time-limited, one call for concurrent lookups); a note reuses the
/// cached contact id and then invalidates the contact, since OutreachOS has just written to it.
/// <para>
/// Every call goes to the calling organization's own account (ADR 0032): <paramref name="credentials"/> resolves its
/// settings, else the deployment's token where that may serve it. An organization without an account has no CRM: a lookup
/// answers null without a request (the contact directory then has the local store only) and a note is skipped.
/// </para>
/// </summary>
internal sealed class HubSpotCrmAdapter(
    HttpClient http,
    Func<Guid, CancellationToken, Task<CrmCredential?>> credentials,
    ContactLookupCache cache,
    TimeProvider clock,
    ILogger<HubSpotCrmAdapter> logger)
    : ICrmAdapter
{
    private const int NoteToContact = 202;

    public string Name => "HubSpot";

    public async Task<ContactRecord?> FindContactAsync(Guid organizationId, string email, CancellationToken ct = default)
    {
        if (await AccountOfAsync(organizationId, ct) is not { } account)
        {
            logger.LogDebug("Organization {OrganizationId} has no CRM account: the contact is looked up in the local store only", organizationId);
            return null;
        }
        return await cache.GetOrLookupAsync(organizationId, account.Account, email, c => LookupAsync(account, email, c), ct);
    }

    private async Task<CrmLookup> LookupAsync(CrmCredential account, string email, CancellationToken ct)
    {
        try
        {
            var found = await SearchAsync(account, email, ct);
            if (found is not { } c)
            {
                return new CrmLookup(null, true);
            }
            var props = c.GetProperty("properties");
            var name = string.Join(' ', new[] { Str(props, "firstname"), Str(props, "lastname") }.Where(x => !string.IsNullOrWhiteSpace(x)));
            return new CrmLookup(new ContactRecord(email, name.Length == 0 ? null : name, Str(props, "company"), false, [], [], Str(c, "id")), true);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            logger.LogWarning(e, "HubSpot contact search failed");
            return new CrmLookup(null, false);
        }
    }

    public async Task<string?> LogNoteAsync(Guid organizationId, string email, string note, CancellationToken ct = default)
    {
        if (await AccountOfAsync(organizationId, ct) is not { } account)
        {
            logger.LogDebug("Organization {OrganizationId} has no CRM account: note skipped", organizationId);
            return null;
        }
        try
        {
            // A cached contact gives the id without a search; a cached "not found" is not trusted for a write (the contact may
            // have been created since), so then HubSpot is asked, as without a cache.
            var contactId = cache.Peek(organizationId, account.Account, email)?.CrmId;
            if (contactId is null && await SearchAsync(account, email, ct) is { } fresh)
            {
                contactId = Str(fresh, "id");
            }
            if (contactId is null)
            {
                logger.LogInformation("HubSpot has no contact for the sender; note not logged");
                return null;
            }
            var body = new
            {
                properties = new Dictionary<string, string>
                {
                    ["hs_timestamp"] = clock.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ["hs_note_body"] = note,
                },
                associations = new[]
                {
                    new { to = new { id = contactId }, types = new[] { new { associationCategory = "HUBSPOT_DEFINED", associationTypeId = NoteToContact } } },
                },
            };
            using var response = await SendAsync(account, HttpMethod.Post, "crm/v3/objects/notes", body, ct);
            response.EnsureSuccessStatusCode();
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            return Str(doc.RootElement, "id");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            logger.LogWarning(e, "HubSpot note could not be logged");
            return null;
        }
        finally
        {
            // Written (or maybe written): the next lookup reads the contact afresh.
            cache.Invalidate(organizationId, email);
        }
    }

    /// <summary>
    /// The organization's account, or null. Stored settings that do not decrypt (a key is missing, or the row was copied from
    /// another organization) mean no CRM, never the deployment's account: the organization chose its own.
    /// </summary>
    private async Task<CrmCredential?> AccountOfAsync(Guid organizationId, CancellationToken ct)
    {
        try
        {
            return await credentials(organizationId, ct);
        }
        catch (SecretUnreadableException e)
        {
            logger.LogError("CRM settings of organization {OrganizationId} cannot be read ({Reason}); it has no CRM until they are set again", organizationId, e.Message);
            return null;
        }
    }

    private async Task<JsonElement?> SearchAsync(CrmCredential account, string email, CancellationToken ct)
    {
        var body = new
        {
            filterGroups = new[] { new { filters = new[] { new { propertyName = "email", @operator = "EQ", value = email } } } },
            properties = new[] { "email", "firstname", "lastname", "company" },
            limit = 1,
        };
        using var response = await SendAsync(account, HttpMethod.Post, "crm/v3/objects/contacts/search", body, ct);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        if (doc.RootElement.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array && results.GetArrayLength() > 0)
        {
            return results[0].Clone();
        }
        return null;
    }

    private async Task<HttpResponseMessage> SendAsync(CrmCredential account, HttpMethod method, string path, object body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(account.BaseUrl, path)) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", account.AccessToken);
        return await http.SendAsync(request, ct);
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
