using System.Net;
using OutreachOS.IntegrationTests.Analytics;

namespace OutreachOS.IntegrationTests.Api;

/// <summary>
/// Break-glass key issue from the command line: whoever runs the server can give an organization that lost its ADMIN
/// keys a new one. The key is printed once and works at once; its issue is in the organization's audit stream.
/// </summary>
[Collection(nameof(ConsoleCapture))]
public sealed class KeysCliTests
{
    [Fact]
    public async Task Keys_issue_gives_an_organization_a_working_key_of_the_asked_role_and_keys_list_shows_no_secret()
    {
        await using var app = await OutreachApp.StartAsync();
        var created = await app.ClientWithKey().PostAsync("/organizations", HostTests.Json("""{"name":"Locked out","tier":"PRO"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await HostTests.JsonAsync(created);
        var org = body.GetProperty("organization").GetProperty("id").GetGuid();

        var (exit, output) = await ComplianceCliTests.RunAsync(app, "keys", "issue", "--org", org.ToString(), "--role", "admin", "--name", "recovery");
        Assert.Equal(0, exit);
        var secret = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Single(l => l.StartsWith("oos_", StringComparison.Ordinal));
        var me = await HostTests.JsonAsync(await app.ClientWithKey(secret).GetAsync("/organizations/me"));
        Assert.Equal(org, me.GetProperty("id").GetGuid());
        Assert.Equal("ADMIN", me.GetProperty("api_key").GetProperty("role").GetString());

        var (viewerExit, viewerOutput) = await ComplianceCliTests.RunAsync(app, "keys", "issue", "--org", org.ToString(), "--role", "VIEWER");
        Assert.Equal(0, viewerExit);
        var viewer = viewerOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Single(l => l.StartsWith("oos_", StringComparison.Ordinal));
        Assert.Equal("VIEWER", (await HostTests.JsonAsync(await app.ClientWithKey(viewer).GetAsync("/organizations/me"))).GetProperty("api_key").GetProperty("role").GetString());

        var (listExit, list) = await ComplianceCliTests.RunAsync(app, "keys", "list", "--org", org.ToString());
        Assert.Equal(0, listExit);
        Assert.Contains("recovery", list, StringComparison.Ordinal);
        Assert.Contains("VIEWER", list, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list, StringComparison.Ordinal);
        Assert.DoesNotContain(viewer, list, StringComparison.Ordinal);

        // The issue is audited like one made over HTTP.
        var audit = await HostTests.JsonAsync(await app.ClientWithKey(secret).GetAsync($"/audit/streams/organization-{org:N}"));
        Assert.Equal(4, audit.GetProperty("events").GetArrayLength()); // created, first key, recovery key, viewer key
        Assert.True(audit.GetProperty("verification").GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Keys_issue_reads_the_option_equals_value_form()
    {
        await using var app = await OutreachApp.StartAsync();
        var org = (await HostTests.JsonAsync(await app.ClientWithKey().GetAsync("/organizations/me"))).GetProperty("id").GetGuid();

        var (exit, output) = await ComplianceCliTests.RunAsync(app, "keys", "issue", $"--org={org}", "--role=VIEWER", "--name=read only");
        Assert.True(exit == 0, output);
        Assert.Contains("issued VIEWER key", output, StringComparison.Ordinal);
        var secret = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Single(l => l.StartsWith("oos_", StringComparison.Ordinal));
        var me = await HostTests.JsonAsync(await app.ClientWithKey(secret).GetAsync("/organizations/me"));
        Assert.Equal("VIEWER", me.GetProperty("api_key").GetProperty("role").GetString());
        var (_, list) = await ComplianceCliTests.RunAsync(app, "keys", "list", "--org", org.ToString());
        Assert.Contains("read only", list, StringComparison.Ordinal);
    }

    /// <summary>An option the verb does not know is refused before anything is issued: a mistyped <c>--rol VIEWER</c>
    /// must not quietly give out an ADMIN key.</summary>
    [Theory]
    [InlineData("keys issue --org {org} --rol VIEWER", "error: unknown option --rol for 'keys issue'")]
    [InlineData("keys issue --org {org} --Role VIEWER", "error: unknown option --Role for 'keys issue'")]
    [InlineData("keys issue --org {org} --role VIEWER --stream x", "error: unknown option --stream for 'keys issue'")]
    [InlineData("keys issue --org {org} --role", "error: --role: ")]
    [InlineData("keys issue --org {org} --role= --name x", "error: --role: ")]
    [InlineData("keys issue --org {org} --role VIEWER --role ADMIN", "error: --role: ")]
    [InlineData("keys issue --org {org} VIEWER", "error: unexpected argument 'VIEWER' for 'keys issue'")]
    public async Task Keys_issue_with_an_unknown_or_malformed_option_exits_2_and_issues_nothing(string args, string expected)
    {
        await using var app = await OutreachApp.StartAsync();
        var org = (await HostTests.JsonAsync(await app.ClientWithKey().GetAsync("/organizations/me"))).GetProperty("id").GetGuid();
        var before = await KeysAsync(app);

        var (exit, output) = await ComplianceCliTests.RunAsync(app, args.Replace("{org}", org.ToString(), StringComparison.Ordinal).Split(' '));

        Assert.Equal(2, exit);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.DoesNotContain("oos_", output, StringComparison.Ordinal);
        Assert.Equal(before, await KeysAsync(app));
    }

    [Theory]
    [InlineData("keys list --org", "error: --org: ")]
    [InlineData("keys list --org not-a-guid", "error: --org: 'not-a-guid' is not an organization id")]
    [InlineData("keys list --org=", "error: --org: ")]
    [InlineData("keys list --org --all", "error: --org: ")]
    [InlineData("keys list --org {org} --name x", "error: unknown option --name for 'keys list'")]
    public async Task Keys_list_names_the_option_it_cannot_read(string args, string expected)
    {
        await using var app = await OutreachApp.StartAsync();
        var org = (await HostTests.JsonAsync(await app.ClientWithKey().GetAsync("/organizations/me"))).GetProperty("id").GetGuid();

        var (exit, output) = await ComplianceCliTests.RunAsync(app, args.Replace("{org}", org.ToString(), StringComparison.Ordinal).Split(' '));

        Assert.Equal(2, exit);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    private static async Task<int> KeysAsync(OutreachApp app) =>
        (await HostTests.JsonAsync(await app.ClientWithKey().GetAsync("/api-keys"))).GetArrayLength();

    [Theory]
    [InlineData("keys issue --org 00000000-0000-7000-8000-00000000dead", "no organization")]
    [InlineData("keys issue", "--org <organization-id> is required")]
    [InlineData("keys issue --org not-a-guid", "error:")]
    [InlineData("keys issue --org {org} --role OWNER", "--role must be ADMIN, MEMBER or VIEWER")]
    public async Task Bad_arguments_exit_2_with_the_reason(string args, string expected)
    {
        await using var app = await OutreachApp.StartAsync();
        var me = await HostTests.JsonAsync(await app.ClientWithKey().GetAsync("/organizations/me"));
        var words = args.Replace("{org}", me.GetProperty("id").GetGuid().ToString(), StringComparison.Ordinal).Split(' ');
        var (exit, output) = await ComplianceCliTests.RunAsync(app, words);
        Assert.Equal(2, exit);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.DoesNotContain("oos_", output, StringComparison.Ordinal);
    }
}
