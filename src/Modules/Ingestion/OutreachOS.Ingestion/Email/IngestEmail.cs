using Microsoft.AspNetCore.Http;
using OutreachOS.Ingestion.Accepting;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.Ingestion.Email;

internal sealed record IngestAccepted(Guid InboundId);

/// <summary>
/// <c>POST /ingest/email</c>: validate, normalize, append <c>inbound_received.v1</c>, answer 202. Nothing else runs in
/// the request. The same message again (same Message-ID and content) answers 202 with the same inbound id and appends
/// nothing; the same Message-ID with other content is a 409 naming <c>message_id</c>.
/// </summary>
internal static class IngestEmail
{
    public static async Task<IResult> HandleAsync(RawEmail body, Guid organizationId, IngestionOptions options,
        InboundAcceptor acceptor, TimeProvider clock, CancellationToken ct)
    {
        var (errors, email) = EmailNormalizer.Normalize(body, options, clock.GetUtcNow());
        if (email is null)
        {
            return errors.ToProblem();
        }
        var result = await acceptor.AcceptAsync(organizationId, InboundSource.Email, email, null, ct);
        if (result.Conflict)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                detail: "Another message was already accepted under this message_id; nothing was appended. A retry must send the same message.",
                type: "https://outreachos.dev/problems/conflict",
                extensions: new Dictionary<string, object?>
                {
                    ["errors"] = new Dictionary<string, string[]> { ["message_id"] = ["is already the id of another message"] },
                    ["inbound_id"] = result.InboundId,
                });
        }
        return TypedResults.Accepted($"/inbound/{result.InboundId:D}", new IngestAccepted(result.InboundId));
    }
}
