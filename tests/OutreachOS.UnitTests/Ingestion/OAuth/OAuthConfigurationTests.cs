using Microsoft.Extensions.Configuration;
using OutreachOS.Ingestion;
using OutreachOS.Ingestion.OAuth;

namespace OutreachOS.UnitTests.Ingestion.OAuth;

public sealed class OAuthConfigurationTests
{
    private static IngestionOptions Load(Dictionary<string, string?> settings) =>
        IngestionOptions.From(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

    [Fact]
    public void Without_an_oauth_section_the_static_token_is_used()
    {
        var options = Load(new() { ["Ingestion:Gmail:AccessToken"] = "static", ["Ingestion:Graph:AccessToken"] = "static2" });
        Assert.Null(options.Gmail.OAuth);
        Assert.Null(options.Graph.OAuth);
        Assert.Equal("static", options.Gmail.AccessToken);
    }

    [Theory]
    [InlineData("ClientId")]
    [InlineData("ClientSecret")]
    [InlineData("RefreshToken")]
    public void A_half_filled_gmail_section_fails_at_start_up_naming_the_missing_key(string missing)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Ingestion:Gmail:OAuth:ClientId"] = "id",
            ["Ingestion:Gmail:OAuth:ClientSecret"] = "secret",
            ["Ingestion:Gmail:OAuth:RefreshToken"] = "refresh",
        };
        settings.Remove("Ingestion:Gmail:OAuth:" + missing);
        var e = Assert.Throws<InvalidOperationException>(() => Load(settings));
        Assert.Equal($"Ingestion:Gmail:OAuth:{missing} is required when Ingestion:Gmail:OAuth is configured.", e.Message);
    }

    [Fact]
    public void A_graph_section_without_tenant_or_token_url_names_the_tenant_id()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Load(new()
        {
            ["Ingestion:Graph:OAuth:ClientId"] = "id",
            ["Ingestion:Graph:OAuth:ClientSecret"] = "secret",
        }));
        Assert.Contains("Ingestion:Graph:OAuth:TenantId", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_the_provider_token_urls_grants_and_graph_scope()
    {
        var options = Load(new()
        {
            ["Ingestion:Gmail:OAuth:ClientId"] = "gid",
            ["Ingestion:Gmail:OAuth:ClientSecret"] = "gsecret",
            ["Ingestion:Gmail:OAuth:RefreshToken"] = "grefresh",
            ["Ingestion:Graph:OAuth:TenantId"] = "contoso.onmicrosoft.com",
            ["Ingestion:Graph:OAuth:ClientId"] = "mid",
            ["Ingestion:Graph:OAuth:ClientSecret"] = "msecret",
        });
        Assert.Equal(new Uri("https://oauth2.googleapis.com/token"), options.Gmail.OAuth!.TokenUrl);
        Assert.Equal("refresh_token", options.Gmail.OAuth.GrantType);
        Assert.Equal(new Uri("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"), options.Graph.OAuth!.TokenUrl);
        Assert.Equal("client_credentials", options.Graph.OAuth.GrantType);
        Assert.Equal("https://graph.microsoft.com/.default", options.Graph.OAuth.Scope);
        Assert.Contains(new KeyValuePair<string, string>("scope", "https://graph.microsoft.com/.default"), options.Graph.OAuth.Form(DateTimeOffset.UtcNow));
        Assert.DoesNotContain(options.Graph.OAuth.Form(DateTimeOffset.UtcNow), kv => kv.Key == "refresh_token");
    }

    [Theory]
    [InlineData(3600, 3300)]
    [InlineData(600, 540)]
    [InlineData(60, 54)]
    [InlineData(0, 0)]
    public void Usable_lifetime_is_expiry_minus_five_minutes_or_ten_percent(int expiresIn, int usableSeconds)
    {
        var issued = DateTimeOffset.UnixEpoch;
        Assert.Equal(issued + TimeSpan.FromSeconds(usableSeconds), TokenLifetime.UsableUntil(issued, TimeSpan.FromSeconds(expiresIn)));
    }
}
