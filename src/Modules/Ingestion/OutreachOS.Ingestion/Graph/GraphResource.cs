namespace OutreachOS.Ingestion.Graph;

/// <summary>
/// The message a Graph change notification names, checked against the mailbox its subscription is for. The notification
/// is authenticated only by its clientState, and the adapter fetches the resource with the deployment's Graph token: an
/// absolute URL would carry that token to another host, and another user's path would ingest that user's mail into the
/// subscription's organization. So only <c>users/{user}/messages/{id}</c> (Graph writes <c>Users/…/Messages/…</c>) is
/// accepted, and the path fetched is rebuilt from the subscription's own user id.
/// </summary>
internal static class GraphResource
{
    public const int MaxMessageIdChars = 512;

    /// <summary>The path to fetch for a message of <paramref name="userId"/>'s mailbox.</summary>
    public static string MessagePath(string userId, string messageId) => $"users/{userId}/messages/{messageId}";

    /// <summary>
    /// <c>users/{userId}/messages/{id}</c> when <paramref name="resource"/> is exactly a message of that user's mailbox
    /// (segments compared case-insensitively; no scheme, host, query, fragment, escapes, dot segments or extra segments),
    /// else null.
    /// </summary>
    /// <remarks>
    /// Graph names the mailbox by the user's object id even when the subscription was made with the user principal name,
    /// and telling whether an object id is that UPN's would take a directory call. So under a subscription configured by
    /// UPN, an object id is accepted as the user segment — the fetch still goes to the configured mailbox, so a message
    /// id from anywhere else is simply not found there.
    /// </remarks>
    public static string? MessageOf(string? resource, string userId)
    {
        if (resource is null || resource.Length > 1000)
        {
            return null;
        }
        var segments = resource.TrimStart('/').Split('/');
        if (resource.StartsWith("//", StringComparison.Ordinal) || segments.Length != 4
            || !segments[0].Equals("users", StringComparison.OrdinalIgnoreCase)
            || !segments[2].Equals("messages", StringComparison.OrdinalIgnoreCase)
            || !SameUser(segments[1], userId))
        {
            return null;
        }
        return IsMessageId(segments[3]) ? MessagePath(userId, segments[3]) : null;
    }

    /// <summary>A Graph message id: URL-safe base64 (letters, digits, <c>-</c>, <c>_</c>, <c>=</c>, <c>+</c>), nothing that
    /// changes a path (<c>/</c>, <c>.</c>, <c>%</c>, <c>?</c>, <c>#</c>).</summary>
    public static bool IsMessageId(string? id) =>
        id is { Length: > 0 and <= MaxMessageIdChars } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '=' or '+');

    private static bool SameUser(string notified, string configured) =>
        string.Equals(notified, configured, StringComparison.OrdinalIgnoreCase)
        || (Guid.TryParseExact(notified, "D", out _) && !Guid.TryParseExact(configured, "D", out _));

    /// <summary>
    /// Whether <paramref name="url"/> stays under <paramref name="baseUrl"/>: same scheme, host and port, and a path below
    /// the base path (a resolved <c>../</c> may not climb out of it).
    /// </summary>
    public static bool IsUnder(Uri url, Uri baseUrl) =>
        url.IsAbsoluteUri
        && string.Equals(url.Scheme, baseUrl.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(url.IdnHost, baseUrl.IdnHost, StringComparison.OrdinalIgnoreCase)
        && url.Port == baseUrl.Port
        && url.AbsolutePath.StartsWith(baseUrl.AbsolutePath, StringComparison.Ordinal);
}
