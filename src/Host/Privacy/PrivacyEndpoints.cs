using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.Host.Privacy;

/// <summary><c>/privacy</c>: erasure of a data subject's personal data (ADR 0030). ADMIN keys only.</summary>
internal static class PrivacyEndpoints
{
    public static void MapPrivacyEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/privacy").WithTags("Privacy");
        group.MapPost("/erasures", (ErasureRequest body, HttpContext http, ErasureService erasures, CancellationToken ct) =>
                erasures.EraseAsync(http.GetCaller(), body, ct))
            .RequireOrganizationAdmin()
            .WithSummary("Erase everything the organization holds about an email address (dry_run: only report it); recorded, hash chains stay verifiable");
    }
}
