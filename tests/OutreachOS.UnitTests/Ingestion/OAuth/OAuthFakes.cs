using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace OutreachOS.UnitTests.Ingestion.OAuth;

/// <summary>A clock the test moves by hand (token expiry without sleeping).</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// An in-process token endpoint (no sockets): answers from <see cref="Responder"/>, records each form body, and can hold
/// every answer until <see cref="Gate"/> is completed so that concurrent callers pile up behind one refresh.
/// </summary>
internal sealed class FakeTokenEndpoint : HttpMessageHandler
{
    private int _issued;

    public ConcurrentQueue<string> Forms { get; } = new();

    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Attempt number (1-based) → status and body; the default issues "token-N" valid for an hour.</summary>
    public Func<int, (HttpStatusCode Status, string Body)> Responder { get; set; } = n => (HttpStatusCode.OK, $$"""{"access_token":"token-{{n}}","expires_in":3600,"token_type":"Bearer"}""");

    public int Requests => Forms.Count;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Forms.Enqueue(await request.Content!.ReadAsStringAsync(cancellationToken));
        var n = Interlocked.Increment(ref _issued);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }
        var (status, body) = Responder(n);
        return new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    }
}
