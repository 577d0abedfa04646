using System.Text;
using Microsoft.AspNetCore.Http;
using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.Ingestion.Contacts;

/// <summary><c>POST /contacts/import</c> (text/csv) and <c>GET /contacts/{email}</c>, scoped to the caller's organization.</summary>
internal static class ContactEndpoints
{
    public static async Task<IResult> ImportAsync(HttpContext http, ContactStore store, CancellationToken ct)
    {
        var type = http.Request.ContentType ?? "";
        if (!type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) && !type.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "Send the contacts as text/csv.", type: "https://outreachos.dev/problems/unsupported-media-type");
        }
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var csv = await reader.ReadToEndAsync(ct);
        var parsed = ContactCsv.Parse(csv);
        if (parsed.HeaderError is not null)
        {
            return new FieldErrors().Add("header", parsed.HeaderError).ToProblem();
        }
        return TypedResults.Ok(await store.ImportAsync(http.GetTenantId(), parsed, ct));
    }

    public static async Task<IResult> GetAsync(string email, HttpContext http, ContactStore store, CancellationToken ct)
    {
        if (!EmailAddresses.IsValid(email))
        {
            return new FieldErrors().Add("email", "must be an e-mail address").ToProblem();
        }
        return await store.FindAsync(http.GetTenantId(), email, ct) is { } contact
            ? TypedResults.Ok(contact)
            : Problems.NotFound($"Contact {email}");
    }
}
