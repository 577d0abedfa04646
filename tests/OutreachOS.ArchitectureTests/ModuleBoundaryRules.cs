using System.Reflection;
using System.Xml.Linq;

namespace OutreachOS.ArchitectureTests;

/// <summary>A module boundary violation: <c>From</c> depends on <c>To</c>, which it may not.</summary>
public sealed record Violation(string From, string To, string Evidence);

/// <summary>
/// The rules of the modular monolith, as pure functions over project files and assembly metadata, so that each rule
/// can be shown to fail on a deliberately broken input (see ModuleBoundaryTests).
/// </summary>
public static class ModuleBoundaryRules
{
    public static readonly string[] Modules = ["Ingestion", "Triage", "Generation", "Guardrails", "Credits", "Analytics"];

    /// <summary>"OutreachOS.Triage" → ("Triage", false); "OutreachOS.Triage.Contracts" → ("Triage", true); others → null.</summary>
    public static (string Module, bool IsContracts)? Classify(string assemblyName)
    {
        foreach (var m in Modules)
        {
            if (assemblyName == $"OutreachOS.{m}")
            {
                return (m, false);
            }
            if (assemblyName == $"OutreachOS.{m}.Contracts")
            {
                return (m, true);
            }
        }
        return null;
    }

    /// <summary>A module may depend on its own contracts and on other modules' contracts, never on another implementation.
    /// Contracts depend on no implementation at all.</summary>
    public static Violation? Check(string from, string to)
    {
        var f = Classify(from);
        var t = Classify(to);
        if (f is null || t is null || t.Value.IsContracts)
        {
            return null;
        }
        if (f.Value.IsContracts)
        {
            return new Violation(from, to, "a Contracts project may not depend on any module implementation");
        }
        return f.Value.Module == t.Value.Module ? null : new Violation(from, to, "a module may only use other modules' Contracts");
    }

    public static IEnumerable<Violation> CheckProjectFile(string projectName, string csprojXml)
    {
        var doc = XDocument.Parse(csprojXml);
        foreach (var reference in doc.Descendants("ProjectReference"))
        {
            var include = reference.Attribute("Include")?.Value ?? "";
            var target = Path.GetFileNameWithoutExtension(include.Replace('\\', '/'));
            if (Check(projectName, target) is { } v)
            {
                yield return v with { Evidence = $"{v.Evidence} (ProjectReference {include})" };
            }
        }
    }

    public static IEnumerable<Violation> CheckAssembly(Assembly assembly)
    {
        var name = assembly.GetName().Name!;
        foreach (var reference in assembly.GetReferencedAssemblies())
        {
            if (Check(name, reference.Name!) is { } v)
            {
                yield return v with { Evidence = $"{v.Evidence} (assembly reference)" };
            }
        }
    }

    /// <summary>Implementation projects expose only their entry point (<c>XModule</c> with AddX/MapX); everything else is internal.</summary>
    public static IEnumerable<string> UnexpectedPublicTypes(Assembly assembly)
    {
        var c = Classify(assembly.GetName().Name!);
        if (c is null || c.Value.IsContracts)
        {
            return [];
        }
        return assembly.GetExportedTypes()
            .Where(t => !t.Name.EndsWith("Module", StringComparison.Ordinal) && !t.Name.EndsWith("ModuleExtensions", StringComparison.Ordinal))
            .Select(t => t.FullName!);
    }
}
