using System.Collections.Concurrent;
using OutreachOS.GraphQL.Language;

namespace OutreachOS.GraphQL.Execution;

/// <summary>Parsed and validated documents of a schema, keyed by query text, so the queries a client repeats are parsed
/// and validated once.</summary>
/// <remarks>Only valid queries of at most <see cref="MaxQueryLength"/> characters are kept, at most
/// <see cref="MaxEntries"/> of them and <see cref="MaxTotalLength"/> characters in all (the cache is emptied when either
/// would be exceeded). Keeping every query text, failures included, let 150 distinct ~900 KB queries grow the host by
/// ~580 MB: real clients send a few small queries again and again, while large or invalid ones are cheap to parse again.</remarks>
internal sealed class DocumentCache
{
    internal const int MaxQueryLength = 16 * 1024;
    internal const int MaxEntries = 500;
    internal const long MaxTotalLength = 1_000_000;

    private readonly ConcurrentDictionary<string, DocumentNode> _documents = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _totalLength;

    public int Count => _documents.Count;

    /// <summary>The characters of query text held (the parsed documents grow with it).</summary>
    public long TotalLength => Interlocked.Read(ref _totalLength);

    public bool TryGet(string query, out DocumentNode document) => _documents.TryGetValue(query, out document!);

    /// <summary>Keeps a valid document, unless its query is too long to be worth keeping.</summary>
    public void Add(string query, DocumentNode document)
    {
        if (query.Length > MaxQueryLength)
        {
            return;
        }

        lock (_gate)
        {
            if (_documents.ContainsKey(query))
            {
                return;
            }

            if (_documents.Count >= MaxEntries || _totalLength + query.Length > MaxTotalLength)
            {
                _documents.Clear();
                Interlocked.Exchange(ref _totalLength, 0);
            }

            _documents[query] = document;
            Interlocked.Add(ref _totalLength, query.Length);
        }
    }
}
