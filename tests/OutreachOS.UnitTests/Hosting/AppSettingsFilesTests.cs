using Microsoft.AspNetCore.Builder;
using OutreachOS.Host.Hosting;

namespace OutreachOS.UnitTests.Hosting;

/// <summary>
/// <c>scripts/run.sh</c> starts the host from the repository root, so the content root held no <c>appsettings.json</c>
/// and the host ran without it (its log levels among others). The file beside the binaries is read in its place.
/// </summary>
public sealed class AppSettingsFilesTests : IDisposable
{
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("oos-root-").FullName;
    private readonly string _binaries = Directory.CreateTempSubdirectory("oos-bin-").FullName;

    public void Dispose()
    {
        Directory.Delete(_contentRoot, recursive: true);
        Directory.Delete(_binaries, recursive: true);
    }

    [Fact]
    public void A_file_missing_from_the_content_root_is_read_beside_the_binaries_and_the_command_line_still_wins()
    {
        File.WriteAllText(Path.Combine(_binaries, "appsettings.json"),
            """{ "Logging": { "LogLevel": { "Microsoft.AspNetCore": "Warning" } }, "Probe": { "FromFile": "file", "Overridden": "file" } }""");
        File.WriteAllText(Path.Combine(_binaries, "appsettings.Production.json"), """{ "Probe": { "FromEnvironmentFile": "production" } }""");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = _contentRoot,
            EnvironmentName = "Production",
            Args = ["--Probe:Overridden=command-line"],
        });
        Assert.Null(builder.Configuration["Probe:FromFile"]);

        AppSettingsFiles.ReadBesideBinariesWhenMissing(builder.Configuration, _contentRoot, _binaries);

        Assert.Equal("Warning", builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore"]);
        Assert.Equal("file", builder.Configuration["Probe:FromFile"]);
        Assert.Equal("production", builder.Configuration["Probe:FromEnvironmentFile"]);
        Assert.Equal("command-line", builder.Configuration["Probe:Overridden"]);
    }

    [Fact]
    public void A_file_the_content_root_holds_is_the_one_read()
    {
        File.WriteAllText(Path.Combine(_contentRoot, "appsettings.json"), """{ "Probe": { "FromFile": "content-root" } }""");
        File.WriteAllText(Path.Combine(_binaries, "appsettings.json"), """{ "Probe": { "FromFile": "binaries" } }""");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = _contentRoot, EnvironmentName = "Production" });

        AppSettingsFiles.ReadBesideBinariesWhenMissing(builder.Configuration, _contentRoot, _binaries);

        Assert.Equal("content-root", builder.Configuration["Probe:FromFile"]);
    }
}
