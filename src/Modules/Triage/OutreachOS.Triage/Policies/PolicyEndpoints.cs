using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Web;

namespace OutreachOS.Triage.Policies;

internal sealed record PolicyResponse(int Version, TriagePolicy Policy);

/// <summary><c>GET /policies</c> and <c>PUT /policies</c> {"expected_version"?, "policy": {...}}.</summary>
internal static class PolicyEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/policies").WithTags("Triage");

        group.MapGet("", async (HttpContext http, TriagePolicySource source, CancellationToken ct) =>
        {
            var (policy, version) = await source.GetAsync(http.GetTenantId(), ct);
            return Results.Ok(new PolicyResponse(version, policy));
        }).WithSummary("The organization's triage policy (the built-in default, version 0, until one is stored)");

        group.MapPut("", async (JsonElement body, HttpContext http, IEventStore store, TimeProvider clock, CancellationToken ct) =>
        {
            var errors = new FieldErrors();
            var (policy, expected) = ReadBody(body, errors);
            if (errors.Any || policy is null)
            {
                return errors.ToProblem("The policy is invalid.");
            }
            var caller = http.GetCaller();
            // Without expected_version: last writer wins, but the version in the payload is still exact (read, then append at it).
            for (var attempt = 0; ; attempt++)
            {
                var current = expected ?? (await store.GetStreamAsync(caller.TenantId, TriagePolicyStream.Id, ct))?.Version ?? 0;
                var next = (int)current + 1;
                try
                {
                    await store.AppendAsync(caller.TenantId, TriagePolicyStream.Id, TriagePolicyStream.Type, ExpectedVersion.Exactly(current),
                        [EventToAppend.Create(new TriagePolicyUpdated(next, policy, caller.ApiKeyId.ToString(), clock.GetUtcNow()))], ct);
                    return Results.Ok(new PolicyResponse(next, policy));
                }
                catch (ConcurrencyException c) when (expected is not null || attempt >= 2)
                {
                    return Problems.Conflict($"The policy is at version {c.ActualVersion}, expected_version was {current}.");
                }
                catch (ConcurrencyException)
                {
                    // someone else wrote in between and the caller did not ask for a version check: take the new version
                }
            }
        }).RequireOrganizationAdmin().WithSummary("Replace the organization's triage policy (a new version; optional optimistic concurrency; ADMIN keys only)");
    }

    internal static (TriagePolicy? Policy, long? ExpectedVersion) ReadBody(JsonElement body, FieldErrors errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add("$", "must be an object {\"policy\": {...}, \"expected_version\"?: n}");
            return (null, null);
        }
        long? expected = null;
        foreach (var prop in body.EnumerateObject())
        {
            if (prop.Name is not ("policy" or "expected_version"))
            {
                errors.Add(prop.Name, "is not a known field");
            }
        }
        if (body.TryGetProperty("expected_version", out var ev) && ev.ValueKind != JsonValueKind.Null)
        {
            if (ev.ValueKind == JsonValueKind.Number && ev.TryGetInt64(out var v) && v >= 0)
            {
                expected = v;
            }
            else
            {
                errors.Add("expected_version", "must be a non-negative integer (0 = no policy stored yet)");
            }
        }
        if (!body.TryGetProperty("policy", out var p))
        {
            errors.Add("policy", "is required");
            return (null, expected);
        }
        return (PolicyParser.Parse(p, "policy", errors), expected);
    }
}
