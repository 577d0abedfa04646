using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.BuildingBlocks.Web;

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
        group.MapPost("/{email}/lift", LiftAsync).RequireOrganizationAdmin()
            .WithSummary("Take an address off the do-not-contact list, with the reason (ADMIN keys only)");
    }

    private static async Task<IResult> ListAsync(HttpContext http, SuppressionList list, string? after, int? limit, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (limit is < 1 or > MaxLimit)
        {
            errors.Add("limit", $"must be between 1 and {MaxLimit}");
        }
        if (after is not null && !SuppressionList.TryParseCursor(after, out _, out _))
        {
            errors.Add("after", "must be the next value of a previous page");
        }
        return errors.Any ? errors.ToProblem() : TypedResults.Ok(await list.ListAsync(http.GetTenantId(), after, limit ?? DefaultLimit, ct));
    }

    private static async Task<IResult> GetAsync(string email, HttpContext http, SuppressionList list, CancellationToken ct)
    {
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

    private static async Task<IResult> LiftAsync(string email, LiftSuppressionRequest? body, HttpContext http, SuppressionList list, CancellationToken ct)
    {
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
}
