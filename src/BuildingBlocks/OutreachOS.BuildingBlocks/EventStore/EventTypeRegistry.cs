using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using OutreachOS.BuildingBlocks.Json;

namespace OutreachOS.BuildingBlocks.EventStore;

/// <summary>Names an event type in the log independently of its CLR name (rename-safe). Defaults to the type's name.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class EventNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Maps stored type names to CLR types. Registration is explicit so that a name collision fails at start-up.</summary>
public sealed class EventTypeRegistry
{
    private readonly ConcurrentDictionary<string, Type> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, string> _byType = new();

    public EventTypeRegistry Register<T>() => Register(typeof(T));

    public EventTypeRegistry Register(Type type)
    {
        var name = NameOf(type);
        var existing = _byName.GetOrAdd(name, type);
        if (existing != type)
        {
            throw new InvalidOperationException($"Event name '{name}' is used by both {existing.FullName} and {type.FullName}.");
        }
        _byType[type] = name;
        return this;
    }

    /// <summary>Registers every non-abstract record/class in the assembly that derives from or implements <paramref name="marker"/>.</summary>
    public EventTypeRegistry RegisterAll(Assembly assembly, Type marker)
    {
        foreach (var t in assembly.GetTypes().Where(t => !t.IsAbstract && !t.IsInterface && marker.IsAssignableFrom(t)))
        {
            Register(t);
        }
        return this;
    }

    public string NameFor(Type type) => _byType.TryGetValue(type, out var n) ? n : Register(type)._byType[type];

    public Type? TypeFor(string name) => _byName.TryGetValue(name, out var t) ? t : null;

    public object? Deserialize(string name, ReadOnlySpan<byte> utf8Json) =>
        TypeFor(name) is { } t ? JsonSerializer.Deserialize(utf8Json, t, OutreachJson.Options) : null;

    private static string NameOf(Type type) => type.GetCustomAttribute<EventNameAttribute>()?.Name ?? type.Name;
}
