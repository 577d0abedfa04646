using System.Collections.Concurrent;
using System.Globalization;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.Ingestion.Mailbox;

/// <summary>
/// A mailbox held in memory (<c>Ingestion:Graph:Adapter=InMemory</c> or <c>Ingestion:Gmail:Adapter=InMemory</c>): tests
/// and demos put messages in it; Graph notifications name a resource, Gmail ones return everything added after the cursor.
/// </summary>
internal sealed class InMemoryMailboxAdapter(InboundSource source) : IMailboxAdapter
{
    private readonly ConcurrentDictionary<(string Mailbox, string Id), RawEmail> _messages = new();
    private readonly ConcurrentDictionary<string, List<string>> _order = new(StringComparer.OrdinalIgnoreCase);

    public InboundSource Source => source;

    public int Fetches;

    public void Add(string mailbox, string resourceId, RawEmail message)
    {
        _messages[(mailbox.ToLowerInvariant(), resourceId)] = message;
        var list = _order.GetOrAdd(mailbox, _ => []);
        lock (list)
        {
            list.Add(resourceId);
        }
    }

    public Task<MailboxChanges> ChangesAsync(string mailbox, string notified, string? cursor, DateTimeOffset? syncedAt, CancellationToken ct)
    {
        if (source != InboundSource.Gmail)
        {
            return Task.FromResult(new MailboxChanges([notified], null));
        }
        var list = _order.GetOrAdd(mailbox, _ => []);
        lock (list)
        {
            var from = cursor is null ? 0 : int.Parse(cursor, CultureInfo.InvariantCulture);
            return Task.FromResult(new MailboxChanges(list.Skip(from).ToList(), list.Count.ToString(CultureInfo.InvariantCulture)));
        }
    }

    public Task<RawEmail?> FetchAsync(string mailbox, string resourceId, CancellationToken ct)
    {
        Interlocked.Increment(ref Fetches);
        return Task.FromResult(_messages.TryGetValue((mailbox.ToLowerInvariant(), resourceId), out var m) ? m : null);
    }
}
