using Npgsql;
using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.Generation.Events;

namespace OutreachOS.Generation.Privacy;

/// <summary>
/// Generation's part of an erasure (ADR 0030): a personalization request whose input or output mentions the address (in
/// its signals, its context, an edit) is erasable whole. Its record is folded from the stream (ADR 0021), so there is no
/// table to clean: an erased request reads as not found.
/// </summary>
internal sealed class GenerationPersonalDataEraser : IPersonalDataEraser
{
    public string Name => "generation";

    public IReadOnlyCollection<string> ErasableStreamTypes { get; } = [PersonalizationStreams.Type];

    public Task<int> EraseAsync(NpgsqlTransaction transaction, ErasureScope scope, CancellationToken ct) => Task.FromResult(0);
}
