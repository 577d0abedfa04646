using System.Collections;
using System.Collections.Concurrent;
using OutreachOS.GraphQL.Language;

namespace OutreachOS.GraphQL.Execution;

/// <summary>Executes one operation (spec section 6.2-6.4): field collection, resolution, value completion and
/// null propagation. Sibling fields of a query resolve concurrently, at most <see cref="ExecutionOptions.MaxConcurrentResolvers"/>
/// resolvers at a time; mutation root fields run one after another.</summary>
internal sealed class Executor
{
    private readonly GraphQLSchema _schema;
    private readonly Dictionary<string, FragmentDefinitionNode> _fragments = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, object?> _variables;
    private readonly object? _context;
    private readonly ExecutionOptions _options;
    private readonly CancellationToken _ct;
    private readonly List<GraphQLError> _errors = [];
    private readonly SemaphoreSlim _resolverSlots;
    private readonly ConcurrentDictionary<(ObjectType, IReadOnlyList<FieldNode>), Dictionary<string, List<FieldNode>>> _subfieldCache = new();

    public Executor(GraphQLSchema schema, DocumentNode document, IReadOnlyDictionary<string, object?> variables, object? context,
        ExecutionOptions options, CancellationToken ct)
    {
        _schema = schema;
        _variables = variables;
        _context = context;
        _options = options;
        _ct = ct;
        _resolverSlots = new SemaphoreSlim(options.MaxConcurrentResolvers, options.MaxConcurrentResolvers);
        foreach (var f in document.Definitions.OfType<FragmentDefinitionNode>())
        {
            _fragments.TryAdd(f.Name.Value, f);
        }
    }

    public async Task<ExecutionResult> ExecuteOperationAsync(OperationDefinitionNode operation)
    {
        var rootType = _schema.GetRootType(operation.Operation);
        if (rootType is null)
        {
            var name = operation.Operation.ToString().ToLowerInvariant();
            return new ExecutionResult
            {
                HasData = true,
                Errors = [GraphQLError.At($"Schema is not configured to execute {name} operation.", operation)],
            };
        }

        var fields = CollectFields(rootType, operation.SelectionSet, new Dictionary<string, List<FieldNode>>(StringComparer.Ordinal), []);
        IReadOnlyDictionary<string, object?>? data;
        try
        {
            data = operation.Operation == OperationType.Mutation
                ? await ExecuteFieldsSeriallyAsync(rootType, _options.RootValue, null, fields)
                : await ExecuteFieldsAsync(rootType, _options.RootValue, null, fields);
        }
        catch (LocatedException e)
        {
            AddError(e.Error);
            data = null;
        }

        List<GraphQLError> errors;
        lock (_errors)
        {
            errors = [.. _errors];
        }

        return new ExecutionResult { HasData = true, Data = data, Errors = errors };
    }

    private void AddError(GraphQLError error)
    {
        lock (_errors)
        {
            _errors.Add(error);
        }
    }

    // ---- CollectFields (spec 6.3.2) ----
    private Dictionary<string, List<FieldNode>> CollectFields(ObjectType type, SelectionSetNode selectionSet,
        Dictionary<string, List<FieldNode>> fields, HashSet<string> visitedFragments)
    {
        foreach (var selection in selectionSet.Selections)
        {
            if (!ShouldInclude(selection.Directives))
            {
                continue;
            }

            switch (selection)
            {
                case FieldNode field:
                    if (!fields.TryGetValue(field.ResponseName, out var list))
                    {
                        fields[field.ResponseName] = list = [];
                    }

                    list.Add(field);
                    break;
                case InlineFragmentNode inline:
                    if (inline.TypeCondition is not null && !DoesFragmentConditionMatch(inline.TypeCondition, type))
                    {
                        continue;
                    }

                    CollectFields(type, inline.SelectionSet, fields, visitedFragments);
                    break;
                case FragmentSpreadNode spread:
                    var name = spread.Name.Value;
                    if (!visitedFragments.Add(name) || !_fragments.TryGetValue(name, out var fragment))
                    {
                        continue;
                    }

                    if (!DoesFragmentConditionMatch(fragment.TypeCondition, type))
                    {
                        continue;
                    }

                    CollectFields(type, fragment.SelectionSet, fields, visitedFragments);
                    break;
            }
        }

        return fields;
    }

    private bool DoesFragmentConditionMatch(NamedTypeNode condition, ObjectType type)
    {
        var conditionType = _schema.GetType(condition.Name.Value);
        if (ReferenceEquals(conditionType, type))
        {
            return true;
        }

        return conditionType is InterfaceType or UnionType && _schema.IsSubType(conditionType, type);
    }

    private bool ShouldInclude(IReadOnlyList<DirectiveNode> directives)
    {
        foreach (var d in directives)
        {
            if (d.Name.Value is not ("skip" or "include"))
            {
                continue;
            }

            var def = _schema.GetDirective(d.Name.Value)!;
            var args = ValueCoercion.CoerceArguments(def.Arguments, d, d.Arguments, _variables);
            var value = args.TryGetValue("if", out var v) && v is true;
            if (d.Name.Value == "skip" && value)
            {
                return false;
            }

            if (d.Name.Value == "include" && !value)
            {
                return false;
            }
        }

        return true;
    }

    // ---- ExecuteSelectionSet ----
    private async ValueTask<IReadOnlyDictionary<string, object?>> ExecuteFieldsSeriallyAsync(ObjectType type, object? source,
        ResolvePath? path, Dictionary<string, List<FieldNode>> fields)
    {
        var result = new OrderedDictionary<string, object?>(fields.Count, StringComparer.Ordinal);
        foreach (var (responseName, nodes) in fields)
        {
            var fieldPath = new ResolvePath(path, responseName);
            var def = GetFieldDef(type, nodes[0].Name.Value);
            if (def is null)
            {
                continue;
            }

            result[responseName] = await ExecuteFieldAsync(type, source, def, nodes, fieldPath);
        }

        return result;
    }

    private async ValueTask<IReadOnlyDictionary<string, object?>> ExecuteFieldsAsync(ObjectType type, object? source,
        ResolvePath? path, Dictionary<string, List<FieldNode>> fields)
    {
        var result = new OrderedDictionary<string, object?>(fields.Count, StringComparer.Ordinal);
        List<(string Key, Task<object?> Task)>? pending = null;
        Exception? firstError = null;
        foreach (var (responseName, nodes) in fields)
        {
            var def = GetFieldDef(type, nodes[0].Name.Value);
            if (def is null)
            {
                continue;
            }

            var vt = ExecuteFieldAsync(type, source, def, nodes, new ResolvePath(path, responseName));
            if (vt.IsCompletedSuccessfully)
            {
                result[responseName] = vt.Result;
            }
            else
            {
                result[responseName] = null;
                (pending ??= []).Add((responseName, vt.AsTask()));
            }
        }

        if (pending is not null)
        {
            try
            {
                await Task.WhenAll(pending.Select(p => p.Task));
            }
            catch (LocatedException)
            {
                // Inspected per field below, in field order.
            }

            foreach (var (key, task) in pending)
            {
                if (task.IsCompletedSuccessfully)
                {
                    result[key] = task.Result;
                }
                else
                {
                    firstError ??= task.Exception?.InnerException ?? new OperationCanceledException(_ct);
                }
            }
        }

        if (firstError is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(firstError).Throw();
        }

        return result;
    }

    private FieldDefinition? GetFieldDef(ObjectType type, string name)
    {
        if (name == "__typename")
        {
            return _schema.TypeNameMetaField;
        }

        if (ReferenceEquals(type, _schema.QueryType))
        {
            if (name == "__schema")
            {
                return _schema.SchemaMetaField;
            }

            if (name == "__type")
            {
                return _schema.TypeMetaField;
            }
        }

        return type.GetField(name);
    }

    // ---- ExecuteField (spec 6.4) ----
    private async ValueTask<object?> ExecuteFieldAsync(ObjectType parentType, object? source, FieldDefinition def,
        List<FieldNode> nodes, ResolvePath path)
    {
        try
        {
            _ct.ThrowIfCancellationRequested();
            var args = def.Arguments.Count == 0 && nodes[0].Arguments.Count == 0
                ? EmptyArgs
                : ValueCoercion.CoerceArguments(def.Arguments, nodes[0], nodes[0].Arguments, _variables);
            object? resolved;
            if (def.Resolver is { } resolver)
            {
                var ctx = new ResolveContext(_schema, source, _context, args, def, parentType, path, _variables, _ct);
                if (!_resolverSlots.Wait(0))
                {
                    await _resolverSlots.WaitAsync(_ct);
                }

                // Only the resolver holds a slot; completing its value (child resolvers) happens after the release.
                try
                {
                    var vt = resolver(ctx);
                    resolved = vt.IsCompletedSuccessfully ? vt.Result : await vt;
                }
                finally
                {
                    _resolverSlots.Release();
                }
            }
            else
            {
                resolved = DefaultResolver.Resolve(source, def.Name);
            }

            var completed = CompleteValueAsync(def.Type, nodes, parentType, def, path, resolved);
            return completed.IsCompletedSuccessfully ? completed.Result : await completed;
        }
        catch (Exception e) when (e is not OperationCanceledException || !_ct.IsCancellationRequested)
        {
            return HandleFieldError(Locate(e, nodes, path), def.Type);
        }
    }

    private static readonly IReadOnlyDictionary<string, object?> EmptyArgs = new Dictionary<string, object?>();

    private object? HandleFieldError(GraphQLError error, GraphQLType returnType)
    {
        if (returnType is NonNullType)
        {
            throw new LocatedException(error);
        }

        AddError(error);
        return null;
    }

    private GraphQLError Locate(Exception e, List<FieldNode> nodes, ResolvePath path)
    {
        switch (e)
        {
            case LocatedException located:
                return located.Error;
            case NodeException ne:
                return GraphQLError.At(ne.Message, ne.Nodes) with { Path = ResolvePath.ToList(path) };
        }

        var locations = nodes.Select(n => n.Loc).ToList();
        var pathList = ResolvePath.ToList(path);
        GraphQLError error = e switch
        {
            GraphQLException ge => new GraphQLError(ge.Message, locations, pathList, ge.Extensions),
            CoercionException or FieldResultException => new GraphQLError(e.Message, locations, pathList),
            _ => new GraphQLError(_options.ExposeExceptionMessages ? e.Message : "Unexpected error.", locations, pathList),
        };
        if (e is not (CoercionException or FieldResultException))
        {
            _options.OnResolverException?.Invoke(e, error);
        }

        return error;
    }

    // ---- CompleteValue (spec 6.4.3) ----
    private ValueTask<object?> CompleteValueAsync(GraphQLType returnType, List<FieldNode> nodes, ObjectType parentType,
        FieldDefinition def, ResolvePath path, object? result)
    {
        if (result is Exception ex)
        {
            throw ex;
        }

        if (returnType is NonNullType nn)
        {
            var inner = CompleteValueAsync(nn.OfType, nodes, parentType, def, path, result);
            if (inner.IsCompletedSuccessfully)
            {
                return new ValueTask<object?>(inner.Result ?? throw NullError(parentType, def));
            }

            return AwaitNonNull(inner, parentType, def);
        }

        if (result is null || result is DBNull)
        {
            return new ValueTask<object?>((object?)null);
        }

        switch (returnType)
        {
            case ListType list:
                return CompleteListAsync(list, nodes, parentType, def, path, result);
            case ScalarType scalar:
                return new ValueTask<object?>(scalar.Serialize(result));
            case EnumType enumType:
                return new ValueTask<object?>(SerializeEnum(enumType, result));
            case ObjectType obj:
                return CompleteObjectAsync(obj, nodes, path, result);
            case InterfaceType or UnionType:
                return CompleteObjectAsync(ResolveAbstractType((NamedType)returnType, parentType, def, result), nodes, path, result);
            default:
                throw new InvalidOperationException($"Cannot complete value of unexpected output type: \"{returnType}\".");
        }
    }

    private static FieldResultException NullError(ObjectType parentType, FieldDefinition def) =>
        new($"Cannot return null for non-nullable field {parentType.Name}.{def.Name}.");

    private static async ValueTask<object?> AwaitNonNull(ValueTask<object?> inner, ObjectType parentType, FieldDefinition def) =>
        await inner ?? throw NullError(parentType, def);

    private static object SerializeEnum(EnumType type, object value)
    {
        var ev = type.FindByValue(value);
        if (ev is null && value is string s && type.ByName.TryGetValue(s, out var byName) && byName.Value is string)
        {
            ev = byName;
        }

        return ev?.Name ?? throw new CoercionException($"Enum \"{type.Name}\" cannot represent value: {Inspector.Inspect(value)}");
    }

    private async ValueTask<object?> CompleteListAsync(ListType listType, List<FieldNode> nodes, ObjectType parentType,
        FieldDefinition def, ResolvePath path, object result)
    {
        if (result is not IEnumerable items || result is string || result is IDictionary<string, object?>)
        {
            throw new FieldResultException($"Expected Iterable, but did not find one for field \"{parentType.Name}.{def.Name}\".");
        }

        var itemType = listType.OfType;
        var completed = new List<object?>();
        List<(int Index, ResolvePath Path, Task<object?> Task)>? pending = null;
        var index = 0;
        foreach (var item in items)
        {
            var itemPath = new ResolvePath(path, index);
            try
            {
                var vt = CompleteValueAsync(itemType, nodes, parentType, def, itemPath, item);
                if (vt.IsCompletedSuccessfully)
                {
                    completed.Add(vt.Result);
                }
                else
                {
                    completed.Add(null);
                    (pending ??= []).Add((index, itemPath, vt.AsTask()));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !_ct.IsCancellationRequested)
            {
                completed.Add(HandleFieldError(Locate(e, nodes, itemPath), itemType));
            }

            index++;
        }

        if (pending is not null)
        {
            // Let every item finish before propagating, so no error lands after the response is built.
            try
            {
                await Task.WhenAll(pending.Select(p => p.Task));
            }
            catch (Exception e) when (e is not OperationCanceledException || !_ct.IsCancellationRequested)
            {
                // Inspected per item below, in list order.
            }

            foreach (var (i, itemPath, task) in pending)
            {
                try
                {
                    completed[i] = await task;
                }
                catch (Exception e) when (e is not OperationCanceledException || !_ct.IsCancellationRequested)
                {
                    completed[i] = HandleFieldError(Locate(e, nodes, itemPath), itemType);
                }
            }
        }

        return completed;
    }

    private ObjectType ResolveAbstractType(NamedType abstractType, ObjectType parentType, FieldDefinition def, object value)
    {
        string? typeName = abstractType switch
        {
            InterfaceType { ResolveType: { } r } => r(value),
            UnionType { ResolveType: { } r } => r(value),
            _ => null,
        };
        if (typeName is null && value is IDictionary<string, object?> dict && dict.TryGetValue("__typename", out var tn) && tn is string s)
        {
            typeName = s;
        }

        if (typeName is null)
        {
            foreach (var candidate in _schema.GetPossibleTypes(abstractType))
            {
                if (candidate.Accepts(value))
                {
                    return candidate;
                }
            }

            throw new FieldResultException(
                $"Abstract type \"{abstractType.Name}\" must resolve to an Object type at runtime for field \"{parentType.Name}.{def.Name}\". Either the \"{abstractType.Name}\" type should provide a \"resolveType\" function or each possible type should provide an \"isTypeOf\" function.");
        }

        var runtimeType = _schema.GetType(typeName);
        if (runtimeType is not ObjectType obj)
        {
            throw new FieldResultException(
                $"Abstract type \"{abstractType.Name}\" was resolved to a type \"{typeName}\" that does not exist inside the schema.");
        }

        if (!_schema.IsSubType(abstractType, obj))
        {
            throw new FieldResultException($"Runtime Object type \"{obj.Name}\" is not a possible type for \"{abstractType.Name}\".");
        }

        return obj;
    }

    private async ValueTask<object?> CompleteObjectAsync(ObjectType type, List<FieldNode> nodes, ResolvePath path, object result)
    {
        if (type.IsTypeOf is { } isTypeOf && !isTypeOf(result))
        {
            throw new FieldResultException($"Expected value of type \"{type.Name}\" but got: {Inspector.Inspect(result)}.");
        }

        var subFields = _subfieldCache.GetOrAdd((type, nodes), key =>
        {
            var map = new Dictionary<string, List<FieldNode>>(StringComparer.Ordinal);
            var visited = new HashSet<string>(StringComparer.Ordinal);
            foreach (var node in key.Item2)
            {
                if (node.SelectionSet is not null)
                {
                    CollectFields(key.Item1, node.SelectionSet, map, visited);
                }
            }

            return map;
        });
        return await ExecuteFieldsAsync(type, result, path, subFields);
    }
}

/// <summary>A field's resolved value could not be completed (spec errors raised by the executor itself).</summary>
internal sealed class FieldResultException(string message) : Exception(message);
