using System.Net;
using System.Net.Http.Headers;

namespace OutreachOS.Ingestion.OAuth;

/// <summary>
/// Sends a mailbox API request with the current token. On 401 with a refreshable source, the token is invalidated and the
/// request sent once more with a fresh one — a token revoked or expired early recovers within the same call; a second 401
/// is returned to the caller (its status check fails), so a misconfigured client never loops.
/// </summary>
internal static class BearerSender
{
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, IAccessTokenSource tokens, Func<HttpRequestMessage> create, CancellationToken ct)
    {
        var token = await tokens.GetAsync(ct);
        var response = await SendOnceAsync(http, create, token, ct);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !tokens.CanRefresh || token is null)
        {
            return response;
        }
        response.Dispose();
        tokens.Invalidate(token);
        return await SendOnceAsync(http, create, await tokens.GetAsync(ct), ct);
    }

    private static async Task<HttpResponseMessage> SendOnceAsync(HttpClient http, Func<HttpRequestMessage> create, string? token, CancellationToken ct)
    {
        using var request = create();
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await http.SendAsync(request, ct);
    }
}
