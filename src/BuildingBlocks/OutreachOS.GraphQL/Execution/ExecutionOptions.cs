namespace OutreachOS.GraphQL;

/// <summary>Per-endpoint execution settings.</summary>
public sealed record ExecutionOptions
{
    public static ExecutionOptions Default { get; } = new();

    /// <summary>Maximum nesting of fields in an operation (introspection fields excluded). Null: no limit.</summary>
    public int? MaxDepth { get; init; }

    /// <summary>Maximum complexity: each field costs 1, and the cost of a field's selections is multiplied by its
    /// <c>first</c>/<c>last</c> argument when present (introspection excluded). Null: no limit.</summary>
    public int? MaxComplexity { get; init; }

    /// <summary>Report the message of any exception thrown by a resolver (default: only <see cref="GraphQLException"/>
    /// messages; others become "Unexpected error." so internals do not leak).</summary>
    public bool ExposeExceptionMessages { get; init; }

    /// <summary>Called for each resolver exception (for logging); the GraphQL error is what the client sees.</summary>
    public Action<Exception, GraphQLError>? OnResolverException { get; init; }

    /// <summary>The value root fields receive as <see cref="ResolveContext.Source"/>.</summary>
    public object? RootValue { get; init; }

    /// <summary>Operation types this call may execute (the HTTP GET mapping allows only queries).</summary>
    public bool AllowMutations { get; init; } = true;
}
