using Microsoft.AspNetCore.Builder;

namespace OutreachOS.BuildingBlocks.Web;

/// <summary>
/// The <c>Idempotency-Key</c> request header (ADR 0029): a client-chosen name for one call, so that a repeat gets the first
/// call's answer instead of a second charge. Endpoints that honour it are marked with <see cref="AcceptsIdempotencyKey{TBuilder}"/>,
/// which the OpenAPI document shows as an optional header parameter with the 409 and 422 answers it can give.
/// </summary>
public static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 255;

    /// <summary>1-255 printable ASCII characters (a UUID, a hash, an order number).</summary>
    public static bool IsValid(string key) => key.Length is > 0 and <= MaxLength && key.All(c => c is >= '!' and <= '~');

    /// <summary>Marks an endpoint that honours the header.</summary>
    public static TBuilder AcceptsIdempotencyKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(Metadata.Instance);

    /// <summary>Whether the endpoint with <paramref name="metadata"/> honours the header.</summary>
    public static bool IsAccepted(IEnumerable<object> metadata) => metadata.OfType<Metadata>().Any();

    private sealed class Metadata
    {
        public static readonly Metadata Instance = new();
    }
}
