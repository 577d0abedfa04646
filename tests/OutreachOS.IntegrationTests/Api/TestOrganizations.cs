using System.Net;
using System.Text.Json;

namespace OutreachOS.IntegrationTests.Api;

/// <summary>Organizations and keys made through the real API (the platform key), and the problem-detail assertion the API tests share.</summary>
internal static class TestOrganizations
{
    /// <summary>A new PRO organization and a client with its first key (ADMIN).</summary>
    public static async Task<(HttpClient Admin, Guid Id, Guid AdminKeyId)> CreateAsync(OutreachApp app, string name)
    {
        var created = await app.ClientWithKey().PostAsync("/organizations", HostTests.Json($$"""{"name":"{{name}}","tier":"PRO"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await HostTests.JsonAsync(created);
        var key = body.GetProperty("api_key");
        Assert.Equal("ADMIN", key.GetProperty("role").GetString());
        return (app.ClientWithKey(key.GetProperty("key").GetString()), body.GetProperty("organization").GetProperty("id").GetGuid(), key.GetProperty("id").GetGuid());
    }

    /// <summary>Issues a key with <paramref name="body"/> (name, role) and returns a client using it.</summary>
    public static async Task<(HttpClient Client, Guid Id, JsonElement Created)> IssueKeyAsync(OutreachApp app, HttpClient admin, string body)
    {
        var response = await admin.PostAsync("/api-keys", HostTests.Json(body));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await HostTests.JsonAsync(response);
        return (app.ClientWithKey(created.GetProperty("key").GetString()), created.GetProperty("id").GetGuid(), created);
    }

    /// <summary>Asserts an RFC 7807 answer with <paramref name="status"/> and returns its body.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage r, HttpStatusCode status)
    {
        Assert.True(status == r.StatusCode, $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        return await HostTests.JsonAsync(r);
    }
}
