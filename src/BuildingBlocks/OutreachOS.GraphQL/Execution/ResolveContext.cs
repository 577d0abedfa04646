using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace OutreachOS.GraphQL;

/// <summary>What a resolver gets: the parent value, coerced arguments, the per-request context and the position in the result.</summary>
public class ResolveContext
{
    private static readonly JsonSerializerOptions ConvertOptions = new(JsonSerializerDefaults.Web);
    private readonly ResolvePath? _path;

    internal ResolveContext(GraphQLSchema schema, object? source, object? context, IReadOnlyDictionary<string, object?> arguments,
        FieldDefinition field, ObjectType parentType, ResolvePath? path, IReadOnlyDictionary<string, object?> variables,
        CancellationToken cancellationToken)
    {
        Schema = schema;
        Source = source;
        Context = context;
        Arguments = arguments;
        Field = field;
        ParentType = parentType;
        _path = path;
        Variables = variables;
        CancellationToken = cancellationToken;
    }

    protected ResolveContext(ResolveContext other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Schema = other.Schema;
        Source = other.Source;
        Context = other.Context;
        Arguments = other.Arguments;
        Field = other.Field;
        ParentType = other.ParentType;
        _path = other._path;
        Variables = other.Variables;
        CancellationToken = other.CancellationToken;
    }

    public GraphQLSchema Schema { get; }

    /// <summary>The parent value (for root fields: the root value passed to the executor, usually null).</summary>
    public object? Source { get; }

    /// <summary>The per-request context given to <c>GraphQLExecutor.ExecuteAsync</c> (e.g. the caller's organization).</summary>
    public object? Context { get; }

    /// <summary>Coerced arguments: int, double, string, bool, decimal, DateTimeOffset, enum values, dictionaries for input
    /// objects, lists. Arguments that were not given and have no default are absent.</summary>
    public IReadOnlyDictionary<string, object?> Arguments { get; }

    public FieldDefinition Field { get; }

    public string FieldName => Field.Name;

    public ObjectType ParentType { get; }

    public GraphQLType ReturnType => Field.Type;

    public IReadOnlyDictionary<string, object?> Variables { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>The response path of this field, e.g. <c>["leads", 3, "company"]</c>.</summary>
    public IReadOnlyList<object> Path => ResolvePath.ToList(_path);

    /// <summary>The per-request context cast to <typeparamref name="T"/>.</summary>
    public T GetContext<T>() => Context is T t
        ? t
        : throw new InvalidOperationException($"The GraphQL request context is {Context?.GetType().Name ?? "null"}, not {typeof(T).Name}.");

    public bool HasArgument(string name) => Arguments.ContainsKey(name);

    /// <summary>An argument converted to <typeparamref name="T"/>; input objects and lists convert to records/collections
    /// through System.Text.Json (web defaults: camelCase, case-insensitive).</summary>
    public T Argument<T>(string name, T defaultValue = default!)
    {
        if (!Arguments.TryGetValue(name, out var value) || value is null)
        {
            return defaultValue;
        }

        return ConvertValue<T>(value);
    }

    internal static T ConvertValue<T>(object value)
    {
        if (value is T t)
        {
            return t;
        }

        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        if (value is IConvertible && (target.IsPrimitive || target == typeof(decimal)))
        {
            return (T)Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
        }

        if (target == typeof(Guid) && value is string s)
        {
            return (T)(object)Guid.Parse(s);
        }

        var element = JsonSerializer.SerializeToElement(value, ConvertOptions);
        return element.Deserialize<T>(ConvertOptions)!;
    }
}

/// <summary>A resolve context whose source is typed.</summary>
public sealed class ResolveContext<TSource> : ResolveContext
{
    internal ResolveContext(ResolveContext inner)
        : base(inner)
    {
    }

    public new TSource Source => (TSource)base.Source!;
}

internal sealed record ResolvePath(ResolvePath? Prev, object Key)
{
    public static List<object> ToList(ResolvePath? path)
    {
        var list = new List<object>();
        for (var p = path; p is not null; p = p.Prev)
        {
            list.Add(p.Key);
        }

        list.Reverse();
        return list;
    }
}

/// <summary>The resolver used when a field has none: a dictionary key or a public property matched case-insensitively.</summary>
internal static class DefaultResolver
{
    private static readonly ConcurrentDictionary<(Type, string), Func<object, object?>?> Getters = new();

    public static object? Resolve(object? source, string fieldName)
    {
        switch (source)
        {
            case null:
                return null;
            case IDictionary<string, object?> d:
                return d.TryGetValue(fieldName, out var v) ? v : null;
            case IReadOnlyDictionary<string, object?> rd:
                return rd.TryGetValue(fieldName, out var rv) ? rv : null;
            case IDictionary nd:
                return nd.Contains(fieldName) ? nd[fieldName] : null;
        }

        var getter = Getters.GetOrAdd((source.GetType(), fieldName), static key =>
        {
            var prop = key.Item1.GetProperty(key.Item2, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (prop is not null && prop.GetIndexParameters().Length == 0)
            {
                return prop.GetValue;
            }

            var field = key.Item1.GetField(key.Item2, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            return field is null ? null : field.GetValue;
        });
        return getter?.Invoke(source);
    }
}
