using Microsoft.Extensions.Configuration;
using OutreachOS.Ingestion.Crm;

namespace OutreachOS.UnitTests.Ingestion;

/// <summary>The deployment's CRM options (ADR 0032) and the validation of <c>PUT /settings/crm</c>, without I/O.</summary>
public sealed class CrmSettingsTests
{
    private const string Token = "test-hubspot-token-0123456789";

    private static CrmOptions Options(params (string Key, string Value)[] values) =>
        CrmOptions.From(new ConfigurationBuilder().AddInMemoryCollection(values.ToDictionary(v => v.Key, v => (string?)v.Value)).Build());

    [Fact]
    public void By_default_the_deployment_account_is_not_shared_and_organizations_may_only_use_hubspots_api_over_https()
    {
        var o = Options(("Crm:Provider", "HubSpot"), ("Crm:HubSpot:AccessToken", Token));
        Assert.False(o.SharedAcrossOrganizations);
        Assert.False(o.AllowHttp);
        Assert.Equal(["api.hubapi.com"], o.AllowedHosts);
        Assert.Equal(Token, o.DeploymentToken);
        Assert.DoesNotContain(Token, o.ToString(), StringComparison.Ordinal);
        Assert.True(Options(("Crm:HubSpot:SharedAcrossOrganizations", "true")).SharedAcrossOrganizations);
    }

    [Fact]
    public void A_token_without_the_hubspot_provider_is_no_deployment_account_and_a_malformed_flag_stops_the_host()
    {
        Assert.Null(Options(("Crm:HubSpot:AccessToken", Token)).DeploymentToken);
        var e = Assert.Throws<InvalidOperationException>(() => Options(("Crm:HubSpot:SharedAcrossOrganizations", "yes please")));
        Assert.Contains("Crm:HubSpot:SharedAcrossOrganizations", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, Token, null, "provider")]
    [InlineData("PIPEDRIVE", Token, null, "provider")]
    [InlineData("HUBSPOT", null, null, "access_token")]
    [InlineData("HUBSPOT", "too-short", null, "access_token")]
    [InlineData("HUBSPOT", "test-token-with\ttab-0123456789", null, "access_token")]
    [InlineData("HUBSPOT", Token, "http://api.hubapi.com/", "base_url")]
    [InlineData("HUBSPOT", Token, "https://169.254.169.254/latest/", "base_url")]
    [InlineData("HUBSPOT", Token, "https://api.hubapi.com/#x", "base_url")]
    [InlineData("HUBSPOT", Token, "/relative", "base_url")]
    public void An_invalid_request_names_the_field(string? provider, string? token, string? baseUrl, string field)
    {
        var errors = CrmSettingsEndpoints.Validate(new CrmSettingsRequest(provider, token, baseUrl), Options(), hasStoredToken: false, out var url);
        Assert.True(errors.Any);
        Assert.Null(url);
        var problem = Assert.IsAssignableFrom<Microsoft.AspNetCore.Http.IValueHttpResult>(errors.ToProblem()).Value;
        var details = Assert.IsType<Microsoft.AspNetCore.Http.HttpValidationProblemDetails>(problem);
        Assert.Equal([field], details.Errors.Keys);
    }

    [Fact]
    public void A_valid_request_gives_the_base_url_with_a_trailing_slash_and_may_keep_the_stored_token()
    {
        Assert.False(CrmSettingsEndpoints.Validate(new CrmSettingsRequest("hubspot", Token, "https://API.hubapi.com"), Options(), false, out var url).Any);
        Assert.Equal(new Uri("https://api.hubapi.com/"), url);
        Assert.False(CrmSettingsEndpoints.Validate(new CrmSettingsRequest("HUBSPOT", null, null), Options(), hasStoredToken: true, out var none).Any);
        Assert.Null(none);
        Assert.DoesNotContain(Token, new CrmSettingsRequest("HUBSPOT", Token, null).ToString(), StringComparison.Ordinal);
    }
}
