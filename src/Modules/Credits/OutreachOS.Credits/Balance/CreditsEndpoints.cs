using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Credits.Contracts;

namespace OutreachOS.Credits.Balance;

internal sealed record ReserveCreditsRequest(Guid? OrganizationId, Guid? ReservationId, int? Credits, string? Reason);

internal sealed record SettleReservationRequest(Guid? OrganizationId, int? Used);

internal sealed record RefundReservationRequest(Guid? OrganizationId, string? Reason);

internal static class CreditsEndpoints
{
    public const string AlertHeader = "X-Credits-Alert";

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/credits").WithTags("Credits");

        group.MapGet("", async (HttpContext http, CreditsReadModel reads, CancellationToken ct) =>
        {
            var view = await reads.GetAsync(http.GetTenantId(), ct);
            http.Response.Headers[AlertHeader] = CreditsReadModel.HeaderValue(view.Alert);
            return Results.Ok(view);
        }).WithSummary("The organization's credits this month: allowance, consumed, reserved, available, alerts and usage by day");

        // The ledger over HTTP is an operator tool (and lets the 402 path be exercised end to end). Platform admins only:
        // an organization settling its own reservations at 0 would get model calls for free.
        group.MapPost("/reservations", async (ReserveCreditsRequest body, HttpContext http, ICreditLedger ledger, CancellationToken ct) =>
        {
            if (Forbidden(http) is { } forbidden)
            {
                return forbidden;
            }
            var errors = new FieldErrors().Required("reason", body.Reason, 200);
            if (body.ReservationId is null || body.ReservationId == Guid.Empty)
            {
                errors.Add("reservation_id", "is required");
            }
            if (body.Credits is not > 0)
            {
                errors.Add("credits", "must be a positive integer");
            }
            if (errors.Any)
            {
                return errors.ToProblem();
            }
            // An organization_id that names no organization: CreditOrganizationNotFoundException, a 404 from the host's problem mapping.
            var reservation = await ledger.ReserveAsync(body.OrganizationId ?? http.GetTenantId(), body.ReservationId!.Value, body.Credits!.Value, body.Reason!, ct);
            http.Response.Headers[AlertHeader] = CreditsReadModel.HeaderValue(reservation.Balance.Alert);
            return Results.Ok(reservation);
        }).RequireOrganizationAdmin().WithSummary("Reserve credits (platform admins; idempotent by reservation_id; 402 when the balance cannot cover it)");

        group.MapPost("/reservations/{id:guid}/settle", async (Guid id, SettleReservationRequest body, HttpContext http, ICreditLedger ledger, CancellationToken ct) =>
        {
            if (Forbidden(http) is { } forbidden)
            {
                return forbidden;
            }
            if (body.Used is not >= 0)
            {
                return new FieldErrors().Add("used", "must be zero or a positive integer").ToProblem();
            }
            try
            {
                return Results.Ok(await ledger.SettleAsync(body.OrganizationId ?? http.GetTenantId(), id, body.Used.Value, ct));
            }
            catch (CreditReservationNotFoundException)
            {
                return Problems.NotFound("Credit reservation");
            }
            catch (ArgumentOutOfRangeException e)
            {
                return new FieldErrors().Add("used", e.Message.Split(" (Parameter", 2)[0]).ToProblem();
            }
        }).RequireOrganizationAdmin().WithSummary("Settle a reservation: charge what was used, release the rest (idempotent)");

        group.MapPost("/reservations/{id:guid}/refund", async (Guid id, RefundReservationRequest body, HttpContext http, ICreditLedger ledger, CancellationToken ct) =>
        {
            if (Forbidden(http) is { } forbidden)
            {
                return forbidden;
            }
            var errors = new FieldErrors().Optional("reason", body.Reason, 200);
            if (errors.Any)
            {
                return errors.ToProblem();
            }
            var reason = string.IsNullOrWhiteSpace(body.Reason) ? "refunded" : body.Reason.Trim();
            return Results.Ok(await ledger.RefundAsync(body.OrganizationId ?? http.GetTenantId(), id, reason, ct));
        }).RequireOrganizationAdmin().WithSummary("Refund a reservation in full (idempotent; a no-op after a settle)");
    }

    private static IResult? Forbidden(HttpContext http) =>
        http.GetCaller().IsPlatformAdmin ? null : Problems.Forbidden("Only the platform organization's keys can move credits over HTTP.");
}
