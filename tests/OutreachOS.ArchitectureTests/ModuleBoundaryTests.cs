using System.Reflection;

namespace OutreachOS.ArchitectureTests;

public sealed class ModuleBoundaryTests
{
    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OutreachOS.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("OutreachOS.sln not found above the test binaries");
    }

    private static IEnumerable<string> ModuleProjects() =>
        Directory.EnumerateFiles(Path.Combine(RepoRoot(), "src", "Modules"), "*.csproj", SearchOption.AllDirectories);

    private static IEnumerable<Assembly> ModuleAssemblies() =>
        ModuleBoundaryRules.Modules.SelectMany(m => new[] { $"OutreachOS.{m}", $"OutreachOS.{m}.Contracts" }).Select(n => Assembly.Load(n));

    [Fact]
    public void Every_module_has_a_contracts_project_and_an_implementation_project()
    {
        var names = ModuleProjects().Select(Path.GetFileNameWithoutExtension).ToHashSet();
        foreach (var m in ModuleBoundaryRules.Modules)
        {
            Assert.Contains($"OutreachOS.{m}", names);
            Assert.Contains($"OutreachOS.{m}.Contracts", names);
        }
    }

    [Fact]
    public void No_module_project_references_another_modules_implementation()
    {
        var violations = ModuleProjects()
            .SelectMany(p => ModuleBoundaryRules.CheckProjectFile(Path.GetFileNameWithoutExtension(p), File.ReadAllText(p)))
            .ToList();
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void No_module_assembly_uses_another_modules_implementation_types()
    {
        var violations = ModuleAssemblies().SelectMany(ModuleBoundaryRules.CheckAssembly).ToList();
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void Module_implementations_are_internal_except_their_entry_point()
    {
        var exposed = ModuleAssemblies().SelectMany(ModuleBoundaryRules.UnexpectedPublicTypes).ToList();
        Assert.True(exposed.Count == 0, "public types in module implementations: " + string.Join(", ", exposed));
    }

    // The rules can fail: each broken input below is caught.

    [Fact]
    public void The_rule_rejects_a_module_referencing_another_modules_implementation()
    {
        const string csproj = """
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup>
                <ProjectReference Include="..\..\Credits\OutreachOS.Credits.Contracts\OutreachOS.Credits.Contracts.csproj" />
                <ProjectReference Include="..\..\Credits\OutreachOS.Credits\OutreachOS.Credits.csproj" />
              </ItemGroup>
            </Project>
            """;
        var violations = ModuleBoundaryRules.CheckProjectFile("OutreachOS.Generation", csproj).ToList();
        var v = Assert.Single(violations);
        Assert.Equal("OutreachOS.Credits", v.To);
    }

    [Fact]
    public void The_rule_rejects_contracts_referencing_an_implementation_and_allows_contracts_to_contracts()
    {
        Assert.NotNull(ModuleBoundaryRules.Check("OutreachOS.Triage.Contracts", "OutreachOS.Ingestion"));
        Assert.NotNull(ModuleBoundaryRules.Check("OutreachOS.Triage.Contracts", "OutreachOS.Triage"));
        Assert.Null(ModuleBoundaryRules.Check("OutreachOS.Triage", "OutreachOS.Ingestion.Contracts"));
        Assert.Null(ModuleBoundaryRules.Check("OutreachOS.Triage", "OutreachOS.Triage"));
        Assert.Null(ModuleBoundaryRules.Check("OutreachOS.Host", "OutreachOS.Triage")); // the composition root may
    }

    [Fact]
    public void The_assembly_rule_catches_a_real_assembly_that_references_an_implementation()
    {
        // This test assembly uses an implementation type on purpose; checked as if it were a module, it must be flagged.
        Assert.NotNull(typeof(OutreachOS.Credits.CreditsModule));
        var self = typeof(ModuleBoundaryTests).Assembly;
        var asIfModule = self.GetReferencedAssemblies()
            .Select(r => ModuleBoundaryRules.Check("OutreachOS.Generation", r.Name!))
            .OfType<Violation>()
            .ToList();
        Assert.Contains(asIfModule, v => v.To == "OutreachOS.Credits");
    }
}
