namespace OutreachOS.Ingestion.OAuth;

/// <summary>Where a mailbox adapter gets its bearer token: a static configured token, or an OAuth grant it refreshes itself.</summary>
internal interface IAccessTokenSource
{
    /// <summary>True when <see cref="Invalidate"/> can lead to a different token (worth retrying a 401 once).</summary>
    bool CanRefresh { get; }

    /// <summary>The token to send, or null to send no Authorization header.</summary>
    ValueTask<string?> GetAsync(CancellationToken ct);

    /// <summary>
    /// The API rejected <paramref name="token"/> (401): forget it, unless a newer one has replaced it meanwhile — another
    /// caller's retry may already have refreshed, and throwing that away would cost a second token request.
    /// </summary>
    void Invalidate(string token);
}

/// <summary>The <c>AccessToken</c> setting as is (no OAuth section configured): kept so existing configs work unchanged.</summary>
internal sealed class StaticAccessToken(string? token) : IAccessTokenSource
{
    public bool CanRefresh => false;

    public ValueTask<string?> GetAsync(CancellationToken ct) => ValueTask.FromResult(string.IsNullOrEmpty(token) ? null : token);

    public void Invalidate(string token)
    {
    }
}
