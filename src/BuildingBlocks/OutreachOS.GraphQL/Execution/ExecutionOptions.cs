namespace OutreachOS.GraphQL;

/// <summary>Per-endpoint execution settings.</summary>
public sealed record ExecutionOptions
{
    public static ExecutionOptions Default { get; } = new();

    /// <summary>Maximum nesting of fields in an operation (introspection fields excluded). Null: no limit.</summary>
    public int? MaxDepth { get; init; }

    /// <summary>Maximum complexity, an estimate of the answer's size: each field costs 1, and the cost of a list field's
    /// selections is multiplied by its <c>first</c>/<c>last</c> argument, else by the connection's maximum page size, else
    /// by the list size declared on the field (<see cref="FieldBuilder{TSource}.ListSize"/>), else by
    /// <see cref="DefaultListSize"/>. Introspection fields count too, with list sizes taken from the schema. Null: no limit.</summary>
    public int? MaxComplexity { get; init; }

    /// <summary>The items a list field without a declared size is assumed to return (default 10).</summary>
    public int DefaultListSize
    {
        get;
        init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A list size cannot be negative.");
    } = 10;

    /// <summary>Maximum distinct root fields (response keys: aliases count separately, <c>__typename</c> does not) in one
    /// operation. Each root field usually starts its own database query, so thousands of aliases of a cheap field cost
    /// thousands of queries however small their complexity. Null: no limit.</summary>
    public int? MaxRootFields { get; init; }

    /// <summary>Report the message of any exception thrown by a resolver (default: only <see cref="GraphQLException"/>
    /// messages; others become "Unexpected error." so internals do not leak).</summary>
    public bool ExposeExceptionMessages { get; init; }

    /// <summary>Called for each resolver exception (for logging); the GraphQL error is what the client sees.</summary>
    public Action<Exception, GraphQLError>? OnResolverException { get; init; }

    /// <summary>How many resolvers of one request may run at once (default 8). Sibling fields and list items are started
    /// together, so without a bound a few thousand aliases of one cheap field (well within <see cref="MaxComplexity"/>)
    /// would each take a database connection at the same time and drain the pool for every other request. A parent's
    /// resolver gives its slot back before its children resolve, so nesting cannot deadlock. Resolvers that wait for
    /// each other to finish need a bound above their number.</summary>
    public int MaxConcurrentResolvers
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least one resolver must be allowed to run.");
    } = 8;

    /// <summary>The value root fields receive as <see cref="ResolveContext.Source"/>.</summary>
    public object? RootValue { get; init; }

    /// <summary>Operation types this call may execute (the HTTP GET mapping allows only queries).</summary>
    public bool AllowMutations { get; init; } = true;
}
