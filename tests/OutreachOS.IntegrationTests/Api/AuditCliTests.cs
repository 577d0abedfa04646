using OutreachOS.IntegrationTests.Analytics;

namespace OutreachOS.IntegrationTests.Api;

/// <summary>
/// <c>audit verify</c> and <c>audit export</c> given a stream that is not there, an organization that does not hold it,
/// an option they do not know, or a file they cannot write: an error and a non-zero exit, never a verification of nothing
/// reported as valid, and never a crash or a half-written file.
/// </summary>
[Collection(nameof(ConsoleCapture))]
public sealed class AuditCliTests
{
    private static async Task<(Guid Org, string Stream)> OrganizationStreamAsync(OutreachApp app)
    {
        var org = (await HostTests.JsonAsync(await app.ClientWithKey().GetAsync("/organizations/me"))).GetProperty("id").GetGuid();
        return (org, $"organization-{org:N}");
    }

    [Fact]
    public async Task Audit_verify_of_a_stream_that_is_not_there_is_not_found_whether_or_not_org_is_given()
    {
        await using var app = await OutreachApp.StartAsync();
        var (org, stream) = await OrganizationStreamAsync(app);
        var (exit, output) = await ComplianceCliTests.RunAsync(app, "audit", "verify", "--org", org.ToString(), "--stream", stream);
        Assert.True(exit == 0, output);
        Assert.Contains("verified 1 streams: 1 valid, 0 broken", output, StringComparison.Ordinal);

        var missing = $"personalization-{Guid.NewGuid():N}";
        (exit, output) = await ComplianceCliTests.RunAsync(app, "audit", "verify", "--org", org.ToString(), "--stream", missing);
        Assert.Equal(2, exit);
        Assert.Contains($"error: stream '{missing}' not found in organization {org}", output, StringComparison.Ordinal);
        Assert.DoesNotContain("valid", output, StringComparison.Ordinal);

        // The real stream, named with another organization's id.
        var other = Guid.NewGuid();
        (exit, output) = await ComplianceCliTests.RunAsync(app, "audit", "verify", "--org", other.ToString(), "--stream", stream);
        Assert.Equal(2, exit);
        Assert.Contains($"error: stream '{stream}' not found in organization {other}", output, StringComparison.Ordinal);

        (exit, output) = await ComplianceCliTests.RunAsync(app, "audit", "verify", "--stream", missing);
        Assert.Equal(2, exit);
        Assert.Contains($"error: stream '{missing}' not found", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("audit verify --stream {stream} --strem x", "error: unknown option --strem for 'audit verify'")]
    [InlineData("audit verify --org=nope --stream {stream}", "error: --org: 'nope' is not an organization id")]
    [InlineData("audit verify --all --stream {stream}", "error: --all")]
    [InlineData("audit verify --all=yes", "error: --all: ")]
    [InlineData("audit export --stream {stream} --out", "error: --out: ")]
    [InlineData("audit export --stream {stream} --output x.json", "error: unknown option --output for 'audit export'")]
    public async Task Audit_verbs_refuse_options_they_do_not_know_or_cannot_read(string args, string expected)
    {
        await using var app = await OutreachApp.StartAsync();
        var (_, stream) = await OrganizationStreamAsync(app);

        var (exit, output) = await ComplianceCliTests.RunAsync(app, args.Replace("{stream}", stream, StringComparison.Ordinal).Split(' '));

        Assert.Equal(2, exit);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.DoesNotContain("verified", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_export_reads_the_option_equals_value_form()
    {
        await using var app = await OutreachApp.StartAsync();
        var (org, stream) = await OrganizationStreamAsync(app);
        var dir = Directory.CreateTempSubdirectory("export-");
        try
        {
            var file = Path.Combine(dir.FullName, "org.json");
            var (exit, output) = await ComplianceCliTests.RunAsync(app, "audit", "export", $"--org={org}", $"--stream={stream}", $"--out={file}");
            Assert.True(exit == 0, output);
            Assert.Contains(org.ToString(), await File.ReadAllTextAsync(file), StringComparison.Ordinal);
            Assert.Equal([file], Directory.GetFiles(dir.FullName)); // no temporary file left beside it
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Audit_export_to_a_directory_that_does_not_exist_is_an_error_not_a_crash()
    {
        await using var app = await OutreachApp.StartAsync();
        var (_, stream) = await OrganizationStreamAsync(app);
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-dir-{Guid.NewGuid():N}");

        var (exit, output) = await ComplianceCliTests.RunAsync(app, "audit", "export", "--stream", stream, "--out", Path.Combine(missing, "x.json"));

        Assert.Equal(2, exit);
        Assert.Contains("error: --out: cannot write", output, StringComparison.Ordinal);
        Assert.Contains(missing, output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task A_failed_audit_export_leaves_no_file_behind()
    {
        await using var app = await OutreachApp.StartAsync();
        var (_, stream) = await OrganizationStreamAsync(app);
        var dir = Directory.CreateTempSubdirectory("export-");
        try
        {
            // The target is a directory: the export cannot take its name, and nothing it wrote may stay.
            var target = Directory.CreateDirectory(Path.Combine(dir.FullName, "taken")).FullName;

            var (exit, output) = await ComplianceCliTests.RunAsync(app, "audit", "export", "--stream", stream, "--out", target);

            Assert.Equal(2, exit);
            Assert.Contains("error: --out: cannot write", output, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(dir.FullName));
            Assert.Empty(Directory.EnumerateFileSystemEntries(target));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
