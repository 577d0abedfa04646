using Microsoft.AspNetCore.Http;
using OutreachOS.Ingestion.Accepting;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.Ingestion.Email;

internal sealed record IngestAccepted(Guid InboundId);

/// <summary>
/// <c>POST /ingest/email</c>: validate, normalize, append <c>inbound_received.v1</c>, answer 202. Nothing else runs in
/// the request. The same Message-ID for the same organization answers 202 with the same inbound id and appends nothing.
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
        return TypedResults.Accepted($"/inbound/{result.InboundId:D}", new IngestAccepted(result.InboundId));
    }
}
