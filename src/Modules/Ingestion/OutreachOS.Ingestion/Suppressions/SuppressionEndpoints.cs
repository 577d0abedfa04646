using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Ingestion.Contacts;
using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.Ingestion.Suppressions;

internal sealed record SuppressRequest(string? Email, string? Reason);

internal sealed record LiftSuppressionRequest(string? Reason);

/// <summary>
/// <c>/suppressions</c>: the organization's do-not-contact list (ADR 0031). Any key reads it; ADMIN and MEMBER keys add
/// to it; only an ADMIN key takes an address off it, with a reason.
/// </summary>
internal static class SuppressionEndpoints
{
    public const int MaxReasonLength = 500;
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/suppressions").WithTags("Suppressions");
        group.MapGet("", ListAsync).WithSummary("The do-not-contact list, newest first (limit 1-1000, default 100; after = the previous page's next)");
        group.MapGet("/{email}", GetAsync).WithSummary("Whether an address is on the do-not-contact list: 200 with its entry, or 404");
        group.MapPost("", AddAsync).WithSummary("Put an address on the do-not-contact list: 201 when new, 200 when it already was");
        group.MapPost("/import", ImportAsync)
            .WithSummary("Put many addresses on the list from text/csv (header naming an email column, reason optional); bad lines reported, good lines kept");
        group.MapPost("/{email}/lift", LiftAsync).RequireOrganizationAdmin()
            .WithSummary("Take an address off the do-not-contact list, with the reason (ADMIN keys only)");
    }

    private static async Task<IResult> ListAsync(HttpContext http, SuppressionList list, string? after, string? limit, CancellationToken ct)
    {
        var errors = new FieldErrors().Page(limit, after, DefaultLimit, MaxLimit, out var take, SuppressionList.IsCursorKey);
        return errors.Any ? errors.ToProblem() : TypedResults.Ok(await list.ListAsync(http.GetTenantId(), after, take, ct));
    }

    private static async Task<IResult> GetAsync(string email, HttpContext http, SuppressionList list, CancellationToken ct)
    {
        email = FromRoute(email);
        if (!EmailAddresses.IsValid(email.Trim()))
        {
            return new FieldErrors().Add("email", "must be an e-mail address").ToProblem();
        }
        return await list.FindAsync(http.GetTenantId(), email, ct) is { } entry ? TypedResults.Ok(entry) : Problems.NotFound("Suppression");
    }

    private static async Task<IResult> AddAsync(SuppressRequest body, HttpContext http, SuppressionList list, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (!EmailAddresses.IsValid(body.Email?.Trim()))
        {
            errors.Add("email", "must be an e-mail address");
        }
        errors.Optional("reason", body.Reason, MaxReasonLength);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var caller = http.GetCaller();
        var (entry, created) = await list.SuppressAsync(caller.TenantId, body.Email!, string.IsNullOrWhiteSpace(body.Reason) ? null : body.Reason.Trim(), caller.ApiKeyId, ct);
        return created
            ? TypedResults.Created($"/suppressions/{Uri.EscapeDataString(entry.Email ?? EmailAddresses.Canonical(body.Email!))}", entry)
            : TypedResults.Ok(entry);
    }

    /// <summary>One import's answer: added, already listed, and the lines that were not addresses.</summary>
    internal sealed record ImportResult(int Added, int AlreadyListed, IReadOnlyList<CsvError> Errors);

    private static async Task<IResult> ImportAsync(HttpContext http, SuppressionList list, CancellationToken ct)
    {
        var (csv, problem) = await ContactEndpoints.ReadCsvAsync(http.Request,
            "Send the addresses as text/csv with a header line naming an email column (and optionally reason).", ct);
        if (csv is null)
        {
            return problem!;
        }
        var table = ContactCsv.ReadTable(csv, ["email", "reason"], "email,reason", ContactCsv.MaxRows);
        if (table.HeaderError is not null)
        {
            return new FieldErrors().Add("header", table.HeaderError).ToProblem();
        }
        var rows = new List<(string, string?)>();
        var errors = new List<CsvError>(table.Errors);
        foreach (var (line, field) in table.Lines)
        {
            var email = field("email") ?? "";
            var reason = field("reason") is { Length: > 0 } r ? r : null;
            if (!EmailAddresses.IsValid(email))
            {
                errors.Add(new CsvError(line, "email", "must be an e-mail address"));
            }
            else if (reason is { Length: > MaxReasonLength })
            {
                errors.Add(new CsvError(line, "reason", $"must be at most {MaxReasonLength} characters"));
            }
            else
            {
                rows.Add((email, reason));
            }
        }
        var (added, listed) = await list.ImportAsync(http.GetTenantId(), rows, http.GetCaller().ApiKeyId, ct);
        return TypedResults.Ok(new ImportResult(added, listed, [.. errors.OrderBy(e => e.Line)]));
    }

    private static async Task<IResult> LiftAsync(string email, LiftSuppressionRequest? body, HttpContext http, SuppressionList list, CancellationToken ct)
    {
        email = FromRoute(email);
        var errors = new FieldErrors();
        if (!EmailAddresses.IsValid(email.Trim()))
        {
            errors.Add("email", "must be an e-mail address");
        }
        errors.Required("reason", body?.Reason, MaxReasonLength);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var caller = http.GetCaller();
        return await list.LiftAsync(caller.TenantId, email, body!.Reason!.Trim(), caller.ApiKeyId, ct)
            ? TypedResults.Ok(new { email = EmailAddresses.Canonical(email), lifted = true })
            : Problems.NotFound("Suppression");
    }

    /// <summary>
    /// The address of a route value: ASP.NET Core leaves an escaped '/' (<c>%2F</c>) escaped in route values, and '/' is
    /// allowed in an address's local part, so the value is unescaped here (a client escapes the whole address).
    /// </summary>
    private static string FromRoute(string email) => email.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(email) : email;
}
