using System.Globalization;
using System.Text;

namespace OutreachOS.GraphQL;

/// <summary>The Relay pagination arguments of a connection field, already checked against the maximum page size.</summary>
public sealed record ConnectionArguments(int? First, string? After, int? Last, string? Before);

public sealed record PageInfo(bool HasNextPage, bool HasPreviousPage, string? StartCursor, string? EndCursor);

public sealed record Edge<TNode>(string Cursor, TNode Node);

/// <summary>A page of a Relay connection (<c>edges</c>, <c>nodes</c>, <c>pageInfo</c>, <c>totalCount</c>).</summary>
public sealed record Connection<TNode>(IReadOnlyList<Edge<TNode>> Edges, PageInfo PageInfo, int TotalCount)
{
    public IReadOnlyList<TNode> Nodes => Edges.Select(e => e.Node).ToList();
}

/// <summary>The slice of an ordered result set that a page covers: skip <see cref="Offset"/>, take <see cref="Count"/>.</summary>
public readonly record struct ConnectionWindow(int Offset, int Count, bool HasPreviousPage, bool HasNextPage);

/// <summary>Offset-cursor Relay connections (cursors are opaque base64 strings).</summary>
public static class Connections
{
    private const string Prefix = "cursor:";

    public static string CursorFor(int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(Prefix + offset.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The offset encoded in a cursor, or null when the cursor is not one of ours.</summary>
    public static int? OffsetOf(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            return text.StartsWith(Prefix, StringComparison.Ordinal) &&
                   int.TryParse(text.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Reads and checks <c>first/after/last/before</c>: negative counts and counts above
    /// <paramref name="maxPageSize"/> are errors; with neither <c>first</c> nor <c>last</c> the page holds
    /// <paramref name="maxPageSize"/> items.</summary>
    public static ConnectionArguments ReadArguments(ResolveContext context, int maxPageSize) => ReadArguments(context, maxPageSize, null);

    /// <summary>As <see cref="ReadArguments(ResolveContext, int)"/>, with the connection's own cursor check
    /// (<paramref name="isCursor"/>; offset cursors when null).</summary>
    public static ConnectionArguments ReadArguments(ResolveContext context, int maxPageSize, Func<string, bool>? isCursor)
    {
        isCursor ??= c => OffsetOf(c) is not null;
        ArgumentNullException.ThrowIfNull(context);
        int? first = context.Argument<int?>("first");
        int? last = context.Argument<int?>("last");
        foreach (var (name, value) in new[] { ("first", first), ("last", last) })
        {
            if (value < 0)
            {
                throw new GraphQLException($"Argument \"{name}\" must be a non-negative integer.");
            }

            if (value > maxPageSize)
            {
                throw new GraphQLException($"Argument \"{name}\" must not exceed {maxPageSize} (requested {value}).");
            }
        }

        var after = context.Argument<string?>("after");
        var before = context.Argument<string?>("before");
        if (after is not null && !isCursor(after))
        {
            throw new GraphQLException("Argument \"after\" is not a valid cursor.");
        }

        if (before is not null && !isCursor(before))
        {
            throw new GraphQLException("Argument \"before\" is not a valid cursor.");
        }

        if (first is null && last is null)
        {
            first = maxPageSize;
        }

        return new ConnectionArguments(first, after, last, before);
    }

    /// <summary>Relay's cursor algorithm (ApplyCursorsToEdges, then first/last) over <paramref name="totalCount"/> items.</summary>
    public static ConnectionWindow Window(ConnectionArguments args, int totalCount)
    {
        ArgumentNullException.ThrowIfNull(args);
        // In long arithmetic: a cursor at int.MaxValue plus one used to wrap to a negative start, clamped to 0, so the
        // page after the last possible offset was the first page (with hasPreviousPage false).
        long start = OffsetOf(args.After) is { } a ? a + 1L : 0;
        long end = OffsetOf(args.Before) is { } b ? Math.Min(b, totalCount) : totalCount;
        start = Math.Min(start, totalCount);
        end = Math.Max(end, start);
        if (args.First is { } first)
        {
            end = Math.Min(end, start + first);
        }

        if (args.Last is { } last)
        {
            start = Math.Max(start, end - last);
        }

        return new ConnectionWindow((int)start, (int)(end - start), start > 0, end < totalCount);
    }

    /// <summary>Builds a page from items already fetched for <paramref name="window"/> (e.g. SQL OFFSET/LIMIT).</summary>
    public static Connection<TNode> Create<TNode>(IEnumerable<TNode> pageItems, ConnectionWindow window, int totalCount)
    {
        var edges = pageItems.Take(window.Count).Select((item, i) => new Edge<TNode>(CursorFor(window.Offset + i), item)).ToList();
        var pageInfo = new PageInfo(window.HasNextPage, window.HasPreviousPage, edges.FirstOrDefault()?.Cursor, edges.LastOrDefault()?.Cursor);
        return new Connection<TNode>(edges, pageInfo, totalCount);
    }

    /// <summary>
    /// Relay's algorithm over a list read by keys rather than offsets: <paramref name="fetch"/>(limit, fromEnd) returns, in
    /// list order, the first (or, with fromEnd, the last) <c>limit</c> items between the <c>after</c> and <c>before</c>
    /// keys, which the caller parsed from the arguments; <paramref name="cursorOf"/> is an item's cursor. One extra item
    /// is read to tell whether more follow (or precede). As the spec allows, the other direction is answered from the
    /// arguments: a page read after a cursor has a previous page, one read before a cursor has a next page.
    /// </summary>
    public static async ValueTask<Connection<TNode>> ByKeysAsync<TNode>(ConnectionArguments args, int totalCount,
        Func<int, bool, ValueTask<IReadOnlyList<TNode>>> fetch, Func<TNode, string> cursorOf)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(fetch);
        ArgumentNullException.ThrowIfNull(cursorOf);
        IReadOnlyList<TNode> page;
        bool hasNext, hasPrevious;
        if (args.First is { } first)
        {
            var read = await fetch(first + 1, false);
            hasNext = read.Count > first;
            page = [.. read.Take(first)];
            hasPrevious = args.After is not null;
            if (args.Last is { } lastOfFirst && page.Count > lastOfFirst)
            {
                page = [.. page.Skip(page.Count - lastOfFirst)];
                hasPrevious = true;
            }
        }
        else
        {
            var last = args.Last ?? 0;
            var read = await fetch(last + 1, true);
            hasPrevious = read.Count > last;
            page = [.. read.Skip(Math.Max(0, read.Count - last))];
            hasNext = args.Before is not null;
        }

        var edges = page.Select(item => new Edge<TNode>(cursorOf(item), item)).ToList();
        return new Connection<TNode>(edges, new PageInfo(hasNext, hasPrevious, edges.FirstOrDefault()?.Cursor, edges.LastOrDefault()?.Cursor),
            totalCount);
    }

    /// <summary>Pages an in-memory list.</summary>
    public static Connection<TNode> FromList<TNode>(IReadOnlyList<TNode> items, ConnectionArguments args)
    {
        ArgumentNullException.ThrowIfNull(items);
        var window = Window(args, items.Count);
        return Create(items.Skip(window.Offset), window, items.Count);
    }
}

public static class ConnectionFieldExtensions
{
    /// <summary>
    /// Adds a Relay connection field <paramref name="name"/> returning <c>{NodeType}Connection!</c> with arguments
    /// <c>first, after, last, before</c>. The <c>{NodeType}Connection</c>, <c>{NodeType}Edge</c> and <c>PageInfo</c> types
    /// are generated at build time. <paramref name="items"/> returns the full ordered list.
    /// </summary>
    public static ObjectTypeBuilder<TSource> Connection<TSource, TNode>(this ObjectTypeBuilder<TSource> type, string name, string nodeType,
        Func<ResolveContext<TSource>, ValueTask<IReadOnlyList<TNode>>> items, int maxPageSize = 100,
        Action<FieldBuilder<TSource>>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        return type.Connection<TSource, TNode>(name, nodeType, async (ctx, args) => Connections.FromList(await items(ctx), args),
            maxPageSize, configure);
    }

    /// <summary>A connection field whose resolver pages by itself (use <see cref="Connections.Window"/> and
    /// <see cref="Connections.Create{TNode}"/> for database paging).</summary>
    public static ObjectTypeBuilder<TSource> Connection<TSource, TNode>(this ObjectTypeBuilder<TSource> type, string name, string nodeType,
        Func<ResolveContext<TSource>, ConnectionArguments, ValueTask<Connection<TNode>>> resolve, int maxPageSize = 100,
        Action<FieldBuilder<TSource>>? configure = null, Func<string, bool>? isCursor = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(resolve);
        type.Add(name, $"{nodeType}Connection!", async ctx =>
        {
            var typed = new ResolveContext<TSource>(ctx);
            return await resolve(typed, Connections.ReadArguments(ctx, maxPageSize, isCursor));
        }, f =>
        {
            f.Argument("first", "Int", a => a.Description($"Returns the first n elements (at most {maxPageSize})."))
                .Argument("after", "String", a => a.Description("Returns the elements that come after the specified cursor."))
                .Argument("last", "Int", a => a.Description($"Returns the last n elements (at most {maxPageSize})."))
                .Argument("before", "String", a => a.Description("Returns the elements that come before the specified cursor."));
            configure?.Invoke(f);
        });
        type.FieldsSpec.FieldSpecs[^1].ConnectionNodeType = nodeType;
        type.FieldsSpec.FieldSpecs[^1].ConnectionPageSize = maxPageSize;
        return type;
    }

    internal static void AddConnectionTypes(List<TypeSpec> specs)
    {
        var declared = specs.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var nodeTypes = specs.OfType<TypeSpec.Fields>().SelectMany(t => t.FieldSpecs)
            .Select(f => f.ConnectionNodeType).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (nodeTypes.Count == 0)
        {
            return;
        }

        if (declared.Add("PageInfo"))
        {
            var pageInfo = new ObjectTypeBuilder<object>("PageInfo")
                .Description("Information about pagination in a connection.")
                .Field("hasNextPage", "Boolean!", f => f.Description("When paginating forwards, are there more items?"))
                .Field("hasPreviousPage", "Boolean!", f => f.Description("When paginating backwards, are there more items?"))
                .Field("startCursor", "String", f => f.Description("When paginating backwards, the cursor to continue."))
                .Field("endCursor", "String", f => f.Description("When paginating forwards, the cursor to continue."));
            specs.Add(pageInfo.Spec);
        }

        foreach (var node in nodeTypes)
        {
            if (declared.Add(node + "Edge"))
            {
                specs.Add(new ObjectTypeBuilder<object>(node + "Edge")
                    .Description("An edge in a connection.")
                    .Field("cursor", "String!", f => f.Description("A cursor for use in pagination."))
                    .Field("node", node + "!", f => f.Description("The item at the end of the edge."))
                    .Spec);
            }

            if (declared.Add(node + "Connection"))
            {
                specs.Add(new ObjectTypeBuilder<object>(node + "Connection")
                    .Description($"A connection to a list of {node} items.")
                    // The connection field already multiplies its selections by the page size.
                    .Field("edges", $"[{node}Edge!]!", f => f.Description("A list of edges.").ListSize(1))
                    .Field("nodes", $"[{node}!]!", f => f.Description("The items of this page, without cursors.").ListSize(1))
                    .Field("pageInfo", "PageInfo!", f => f.Description("Information to aid in pagination."))
                    .Field("totalCount", "Int!", f => f.Description("The number of items in the whole connection."))
                    .Spec);
            }
        }
    }
}
