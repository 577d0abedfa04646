using OutreachOS.GraphQL.Language;

namespace OutreachOS.GraphQL;

/// <summary>An entry of the response's <c>errors</c> list (spec 7.1.2).</summary>
public sealed record GraphQLError(
    string Message,
    IReadOnlyList<SourceLocation>? Locations = null,
    IReadOnlyList<object>? Path = null,
    IReadOnlyDictionary<string, object?>? Extensions = null)
{
    internal static GraphQLError At(string message, params Node?[] nodes) =>
        new(message, nodes.Where(n => n is not null).Select(n => n!.Loc).ToList());

    internal static GraphQLError At(string message, IEnumerable<Node> nodes) =>
        new(message, nodes.Select(n => n.Loc).ToList());
}

/// <summary>Throw from a resolver to report an error whose message (and extensions) the client may see.
/// Other exceptions are reported as "Unexpected error." unless <see cref="ExecutionOptions.ExposeExceptionMessages"/> is set.</summary>
public class GraphQLException : Exception
{
    public GraphQLException(string message, IReadOnlyDictionary<string, object?>? extensions = null)
        : base(message) => Extensions = extensions;

    public GraphQLException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public GraphQLException()
    {
    }

    public GraphQLException(string message)
        : base(message)
    {
    }

    public IReadOnlyDictionary<string, object?>? Extensions { get; }
}

/// <summary>An error already located in the response (message, locations, path); propagates null to the nearest nullable parent.</summary>
internal sealed class LocatedException(GraphQLError error, Exception? inner = null) : Exception(error.Message, inner)
{
    public GraphQLError Error { get; } = error;
}
