namespace OutreachOS.Ingestion.Normalizing;

/// <summary>
/// The elements <see cref="HtmlToText"/> has open, innermost last, and how many of them hide their content. An end tag
/// finds its element through a per-name index instead of scanning the stack: hostile markup (tens of thousands of open
/// elements, then as many end tags matching none) would otherwise cost the product of the two. Every element is pushed
/// and popped at most once, so the work is linear in the number of tags.
/// </summary>
internal sealed class OpenElements
{
    private readonly List<(string Name, bool Hidden)> _stack = [];
    private readonly Dictionary<string, List<int>> _positions = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Hidden elements open: text is dropped while above 0.</summary>
    public int HiddenDepth { get; private set; }

    /// <summary>Stack entries looked at so far (bounded by a constant per tag).</summary>
    public long Work { get; private set; }

    public void Open(string name, bool hidden)
    {
        Work++;
        if (!_positions.TryGetValue(name, out var positions))
        {
            _positions[name] = positions = [];
        }
        positions.Add(_stack.Count);
        _stack.Add((name, hidden));
        if (hidden)
        {
            HiddenDepth++;
        }
    }

    /// <summary>Closes the innermost open element named <paramref name="name"/> and everything opened inside it; nothing
    /// when none is open (a stray end tag).</summary>
    public void Close(string name)
    {
        Work++;
        if (!_positions.TryGetValue(name, out var positions) || positions.Count == 0)
        {
            return;
        }
        var at = positions[^1];
        for (var k = _stack.Count - 1; k >= at; k--)
        {
            Work++;
            var (open, hidden) = _stack[k];
            // The innermost of its name: the last position of its list (anything of that name opened later is popped already).
            var list = _positions[open];
            list.RemoveAt(list.Count - 1);
            if (hidden)
            {
                HiddenDepth--;
            }
        }
        _stack.RemoveRange(at, _stack.Count - at);
    }
}
