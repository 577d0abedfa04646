using OutreachOS.GraphQL.Execution;
using OutreachOS.GraphQL.Language;
using OutreachOS.GraphQL.Validation;

namespace OutreachOS.GraphQL;

/// <summary>Entry point: parse, validate and execute a request against a schema.</summary>
public static class GraphQLExecutor
{
    public static Task<ExecutionResult> ExecuteAsync(GraphQLSchema schema, GraphQLRequest request, object? context = null,
        CancellationToken cancellationToken = default) =>
        ExecuteAsync(schema, request, context, ExecutionOptions.Default, cancellationToken);

    /// <param name="schema">The schema to run against.</param>
    /// <param name="request">Query text, operation name, variables.</param>
    /// <param name="context">Per-request context handed to every resolver as <see cref="ResolveContext.Context"/>.</param>
    /// <param name="options">Limits and error exposure.</param>
    /// <param name="cancellationToken">Passed to resolvers; cancellation aborts the request with an exception.</param>
    public static async Task<ExecutionResult> ExecuteAsync(GraphQLSchema schema, GraphQLRequest request, object? context,
        ExecutionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var prepared = Prepare(schema, request, options);
        if (prepared.Errors is { } errors)
        {
            return ExecutionResult.Failed(errors);
        }

        var variableErrors = new List<GraphQLError>();
        var variables = ValueCoercion.CoerceVariableValues(schema, prepared.Operation!, request.Variables, variableErrors);
        if (variableErrors.Count > 0)
        {
            return ExecutionResult.Failed(variableErrors);
        }

        var limitErrors = QueryLimits.Check(schema, prepared.Document!, prepared.Operation!, variables, options);
        if (limitErrors.Count > 0)
        {
            return ExecutionResult.Failed(limitErrors);
        }

        var executor = new Executor(schema, prepared.Document!, variables, context, options, cancellationToken);
        return await executor.ExecuteOperationAsync(prepared.Operation!);
    }

    /// <summary>Everything before execution: parsing, validation, operation selection, variable coercion and the
    /// limits. No resolver runs; an empty list means the request would execute.</summary>
    internal static IReadOnlyList<GraphQLError> Check(GraphQLSchema schema, GraphQLRequest request, ExecutionOptions options)
    {
        var prepared = Prepare(schema, request, options);
        if (prepared.Errors is { } errors)
        {
            return errors;
        }

        var variableErrors = new List<GraphQLError>();
        var variables = ValueCoercion.CoerceVariableValues(schema, prepared.Operation!, request.Variables, variableErrors);
        return variableErrors.Count > 0 ? variableErrors : QueryLimits.Check(schema, prepared.Document!, prepared.Operation!, variables, options);
    }

    internal sealed record Prepared(DocumentNode? Document, OperationDefinitionNode? Operation, IReadOnlyList<GraphQLError>? Errors);

    /// <summary>Parse (cached), validate (cached) and select the operation.</summary>
    internal static Prepared Prepare(GraphQLSchema schema, GraphQLRequest request, ExecutionOptions options)
    {
        if (string.IsNullOrEmpty(request.Query)) // a blank document is one to parse (a syntax error), not a missing one
        {
            return new Prepared(null, null, [new GraphQLError("Must provide query string.")]);
        }

        if (!schema.DocumentCache.TryGet(request.Query, out var document))
        {
            IReadOnlyList<GraphQLError> errors;
            try
            {
                document = Parser.Parse(request.Query);
                errors = Validator.Validate(schema, document);
            }
            catch (GraphQLSyntaxException e)
            {
                return new Prepared(null, null, [new GraphQLError(e.Message, [e.Location])]);
            }

            if (errors.Count > 0)
            {
                return new Prepared(null, null, errors); // not cached: a client does not repeat a failing query for long
            }

            schema.DocumentCache.Add(request.Query, document);
        }

        var operations = document.Definitions.OfType<OperationDefinitionNode>().ToList();
        OperationDefinitionNode? operation;
        if (request.OperationName is null)
        {
            if (operations.Count > 1)
            {
                return new Prepared(document, null, [new GraphQLError("Must provide operation name if query contains multiple operations.")]);
            }

            operation = operations.FirstOrDefault();
            if (operation is null)
            {
                return new Prepared(document, null, [new GraphQLError("Must provide an operation.")]);
            }
        }
        else
        {
            operation = operations.FirstOrDefault(o => o.Name?.Value == request.OperationName);
            if (operation is null)
            {
                return new Prepared(document, null, [new GraphQLError($"Unknown operation named \"{request.OperationName}\".")]);
            }
        }

        if (operation.Operation == OperationType.Subscription)
        {
            return new Prepared(document, operation, [GraphQLError.At("Subscriptions are not supported by this endpoint.", operation)]);
        }

        if (operation.Operation == OperationType.Mutation && !options.AllowMutations)
        {
            return new Prepared(document, operation, [GraphQLError.At("Mutations are not allowed here (use POST).", operation)]);
        }

        return new Prepared(document, operation, null);
    }
}
