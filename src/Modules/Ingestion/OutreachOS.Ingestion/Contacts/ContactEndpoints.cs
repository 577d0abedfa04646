using System.Text;
using Microsoft.AspNetCore.Http;
using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.Ingestion.Contacts;

/// <summary><c>POST /contacts/import</c> (text/csv) and <c>GET /contacts/{email}</c>, scoped to the caller's organization.</summary>
internal static class ContactEndpoints
{
    /// <summary>The body of a CSV upload (text/csv or text/plain, UTF-8), or the 415 problem that says how to send it.</summary>
    public static async Task<(string? Csv, IResult? Problem)> ReadCsvAsync(HttpRequest request, string howToSend, CancellationToken ct)
    {
        var type = request.ContentType ?? "";
        if (!type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) && !type.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase))
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: howToSend, type: "https://outreachos.dev/problems/unsupported-media-type"));
        }
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return (await reader.ReadToEndAsync(ct), null);
    }

    public static async Task<IResult> ImportAsync(HttpContext http, ContactStore store, CancellationToken ct)
    {
        var (csv, problem) = await ReadCsvAsync(http.Request, "Send the contacts as text/csv.", ct);
        if (csv is null)
        {
            return problem!;
        }
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
