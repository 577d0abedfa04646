using System.Buffers.Binary;
using System.Security.Cryptography;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.Json;
using OutreachOS.Triage.Responses;

namespace OutreachOS.Triage.Qa;

/// <summary>An auto-sent reply picked for review (document <c>triage_qa</c>, id = inbound id). Texts keep their placeholders.</summary>
[DocumentName("triage_qa")]
internal sealed record QaRecord(
    Guid InboundId,
    Guid DecisionId,
    string Status,
    string Intent,
    string OriginalSubject,
    string OriginalText,
    string Subject,
    string Text,
    bool CheckPassed,
    IReadOnlyList<ReplyRiskFlag> CheckFlags,
    DateTimeOffset SampledAt,
    bool? Correct = null,
    string? Reviewer = null,
    string? Notes = null,
    DateTimeOffset? ReviewedAt = null)
{
    /// <summary>The JSON name of <see cref="SampledAt"/> in the stored document: the review queue's order.</summary>
    public static readonly string SampledAtProperty = OutreachJson.Options.PropertyNamingPolicy!.ConvertName(nameof(SampledAt));
}

/// <summary>A page of QA samples, oldest first; <see cref="Next"/> is the <c>after</c> of the next page (null: none).</summary>
internal sealed record QaList(IReadOnlyList<QaRecord> Items, string? Next);

internal static class QaSampler
{
    public const string Pending = "PENDING";
    public const string Reviewed = "REVIEWED";

    /// <summary>
    /// Deterministic per decision: the first 8 bytes of SHA-256(decision id) as a fraction of 2^64, compared with the rate.
    /// A replay or redelivery of the same decision always agrees with the first run.
    /// </summary>
    public static bool IsSampled(Guid decisionId, double rate)
    {
        if (rate <= 0)
        {
            return false;
        }

        if (rate >= 1)
        {
            return true;
        }

        var hash = SHA256.HashData(decisionId.ToByteArray(bigEndian: true));
        var fraction = BinaryPrimitives.ReadUInt64BigEndian(hash) / 18446744073709551616.0;
        return fraction < rate;
    }
}
