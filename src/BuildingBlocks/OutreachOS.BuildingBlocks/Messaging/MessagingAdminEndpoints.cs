using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Json;
using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.BuildingBlocks.Messaging;

public static class MessagingAdminEndpoints
{
    /// <summary>
    /// GET /admin/dead-letters, POST /admin/dead-letters/{id}/redrive, POST /admin/messaging/probe and
    /// GET /admin/messaging/probe/{probe_id}; every one is scoped to the caller's tenant (401 without one). Returns the
    /// group so the host can add its authorization policy.
    /// </summary>
    public static RouteGroupBuilder MapMessagingAdmin(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var admin = endpoints.MapGroup("/admin");

        admin.MapGet("/dead-letters", async (HttpContext http, DeadLetterService service, bool? pending, int? limit) =>
        {
            if (Tenant(http) is not { } tenant)
            {
                return Unauthorized();
            }
            var rows = await service.ListAsync(tenant, pending ?? true, limit ?? 100, http.RequestAborted);
            return Json(new { items = rows.Select(DeadLetterDto.From) });
        });

        admin.MapPost("/dead-letters/{id:guid}/redrive", async (HttpContext http, DeadLetterService service, Guid id) =>
        {
            if (Tenant(http) is not { } tenant)
            {
                return Unauthorized();
            }
            return await service.RedriveAsync(id, tenant, http.RequestAborted)
                ? Json(new { id, redriven = true }, StatusCodes.Status202Accepted)
                : Problems.NotFound($"Dead letter {id}");
        });

        admin.MapPost("/messaging/probe", async (HttpContext http, MessagingProbe probe) =>
        {
            if (Tenant(http) is not { } tenant)
            {
                return Unauthorized();
            }
            ProbeRequest? request;
            try
            {
                request = await JsonSerializer.DeserializeAsync<ProbeRequest>(http.Request.Body, OutreachJson.Options, http.RequestAborted);
            }
            catch (JsonException)
            {
                request = null;
            }
            if (request is not { ProbeId: var probeId } || probeId == Guid.Empty)
            {
                return new FieldErrors().Add("probe_id", "is required (a non-empty uuid)").ToProblem();
            }
            try
            {
                await probe.RequestAsync(tenant, probeId, http.RequestAborted);
            }
            catch (DuplicateEventException)
            {
                return Problems.Conflict($"Probe id {probeId} is already used.");
            }
            return Json(new { probe_id = probeId }, StatusCodes.Status202Accepted);
        });

        admin.MapGet("/messaging/probe/{probeId:guid}", async (HttpContext http, MessagingProbe probe, Guid probeId) =>
        {
            if (Tenant(http) is not { } tenant)
            {
                return Unauthorized();
            }
            var status = await probe.StatusAsync(tenant, probeId, http.RequestAborted);
            return Json(new { probe_id = status.ProbeId, requested = status.Requested, handled_count = status.HandledCount });
        });

        return admin;
    }

    private static Guid? Tenant(HttpContext http) =>
        http.Items.TryGetValue(TenancyHttpContextExtensions.TenantItemKey, out var v) && v is Guid g ? g : null;

    private static IResult Unauthorized() =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            detail: "Send an API key as 'Authorization: Bearer <key>'.", type: "https://outreachos.dev/problems/unauthorized");

    private static IResult Json(object value, int status = StatusCodes.Status200OK) =>
        Results.Json(value, OutreachJson.Options, statusCode: status);

    private sealed record ProbeRequest(Guid ProbeId);

    private sealed record DeadLetterDto(Guid Id, string Consumer, Guid MessageId, string? MessageType, string Exception, int Attempts,
        DateTimeOffset FirstFailedAt, DateTimeOffset LastFailedAt, DateTimeOffset? RedrivenAt, int RedriveCount)
    {
        public static DeadLetterDto From(DeadLetter d) => new(d.Id, d.Consumer, d.MessageId, d.MessageType,
            FirstLine(d.Exception), d.Attempts, d.FirstFailedAt, d.LastFailedAt, d.RedrivenAt, d.RedriveCount);

        // The stack trace stays in the table: an API caller gets the type and message only.
        private static string FirstLine(string s) => s.Split('\n', 2)[0].TrimEnd('\r');
    }
}
