using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.Ingestion.Crm;

/// <summary>
/// HubSpot CRM v3: contact search by e-mail (<c>POST /crm/v3/objects/contacts/search</c>) and a note associated with the
/// contact (<c>POST /crm/v3/objects/notes</c>, association type 202 = note → contact). A CRM outage returns null and is
/// logged: a CRM note must never block a reply (the ICrmAdapter contract). Lookups go through the
/// <see cref="ContactLookupCache"/> (per organization, time-limited, one call for concurrent lookups); a note reuses the
/// cached contact id and then invalidates the contact, since OutreachOS has just written to it.
/// </summary>
internal sealed class HubSpotCrmAdapter(HttpClient http, CrmOptions options, ContactLookupCache cache, TimeProvider clock, ILogger<HubSpotCrmAdapter> logger)
    : ICrmAdapter
{
    private const int NoteToContact = 202;

    public string Name => "HubSpot";

    public Task<ContactRecord?> FindContactAsync(Guid organizationId, string email, CancellationToken ct = default) =>
        cache.GetOrLookupAsync(organizationId, email, c => LookupAsync(email, c), ct);

    private async Task<CrmLookup> LookupAsync(string email, CancellationToken ct)
    {
        try
        {
            var found = await SearchAsync(email, ct);
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
        try
        {
            // A cached contact gives the id without a search; a cached "not found" is not trusted for a write (the contact may
            // have been created since), so then HubSpot is asked, as without a cache.
            var contactId = cache.Peek(organizationId, email)?.CrmId;
            if (contactId is null && await SearchAsync(email, ct) is { } fresh)
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
            using var response = await SendAsync(HttpMethod.Post, "crm/v3/objects/notes", body, ct);
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

    private async Task<JsonElement?> SearchAsync(string email, CancellationToken ct)
    {
        var body = new
        {
            filterGroups = new[] { new { filters = new[] { new { propertyName = "email", @operator = "EQ", value = email } } } },
            properties = new[] { "email", "firstname", "lastname", "company" },
            limit = 1,
        };
        using var response = await SendAsync(HttpMethod.Post, "crm/v3/objects/contacts/search", body, ct);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        if (doc.RootElement.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array && results.GetArrayLength() > 0)
        {
            return results[0].Clone();
        }
        return null;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(options.HubSpotBaseUrl, path)) { Content = JsonContent.Create(body) };
        if (!string.IsNullOrEmpty(options.HubSpotAccessToken))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.HubSpotAccessToken);
        }
        return await http.SendAsync(request, ct);
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
