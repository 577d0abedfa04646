using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace OutreachOS.Host.Hosting;

/// <summary>
/// The host's <c>appsettings.json</c> (and <c>appsettings.{Environment}.json</c>) are read from the content root, which is
/// the working directory. <c>scripts/run.sh</c> starts the host from the repository root (where <c>.outreachos/</c>
/// lives), and an operator may start the published binaries from anywhere: the files were then silently missing, and
/// with them the log levels they set (every request logged six lines at Information). A file the content root does not
/// hold is read from beside the binaries instead, at the same place in the order of sources, so environment variables
/// and the command line still override it.
/// </summary>
internal static class AppSettingsFiles
{
    public static void ReadBesideBinariesWhenMissing(ConfigurationManager configuration, IWebHostEnvironment environment) =>
        ReadBesideBinariesWhenMissing(configuration, environment.ContentRootPath, AppContext.BaseDirectory);

    internal static void ReadBesideBinariesWhenMissing(ConfigurationManager configuration, string contentRoot, string binaries)
    {
        if (Path.GetFullPath(contentRoot).TrimEnd(Path.DirectorySeparatorChar) == Path.GetFullPath(binaries).TrimEnd(Path.DirectorySeparatorChar))
        {
            return;
        }
        IList<IConfigurationSource> sources = configuration.Sources;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource { Path: { } path } json
                && path.StartsWith("appsettings.", StringComparison.OrdinalIgnoreCase)
                && !File.Exists(Path.Combine(contentRoot, path))
                && File.Exists(Path.Combine(binaries, path)))
            {
                // Replacing an entry of the manager's sources rebuilds its providers.
                sources[i] = new JsonConfigurationSource
                {
                    FileProvider = new PhysicalFileProvider(binaries),
                    Path = path,
                    Optional = json.Optional,
                    ReloadOnChange = json.ReloadOnChange,
                };
            }
        }
    }
}
