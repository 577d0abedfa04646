using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Crm;
using static OutreachOS.IntegrationTests.Ingestion.IngestionAppFixture;

namespace OutreachOS.IntegrationTests.Ingestion.CrmCache;

/// <summary>A clock the test moves by hand: cache expiry without sleeping.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    private long _ticks = now.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>
/// The HubSpot adapter with its contact lookup cache, against the loopback HubSpot stub (each test counts the stub's
/// search requests for its own e-mail addresses) and a hand-moved clock.
/// </summary>
public sealed class CrmCacheTests : IAsyncLifetime
{
    private static readonly Guid OrgA = Guid.Parse("00000000-0000-7000-8000-0000000c0a0a");
    private static readonly Guid OrgB = Guid.Parse("00000000-0000-7000-8000-0000000c0b0b");

    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero));
    private readonly List<HttpClient> _clients = [];
    private ProviderStub _stub = null!;

    public async Task InitializeAsync() => _stub = await ProviderStub.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var c in _clients)
        {
            c.Dispose();
        }

        await _stub.DisposeAsync();
    }

    [Fact]
    public async Task Repeated_and_concurrent_lookups_of_one_contact_make_one_hubspot_call()
    {
        var (adapter, _) = Adapter();
        var email = Known();

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => adapter.FindContactAsync(OrgA, email)));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("hs-1", (await adapter.FindContactAsync(OrgA, email.ToUpperInvariant()))!.CrmId);
        }

        Assert.All(concurrent, c => Assert.Equal("Cara Diaz", c!.Name));
        Assert.Equal(1, Searches(email));
    }

    [Fact]
    public async Task A_found_contact_is_kept_for_the_ttl_and_a_missing_one_for_the_shorter_negative_ttl()
    {
        var (adapter, _) = Adapter(); // defaults: 5 minutes, 30 seconds
        var known = Known();
        var unknown = $"u{Guid.NewGuid():N}@nowhere.test";
        await adapter.FindContactAsync(OrgA, known);
        Assert.Null(await adapter.FindContactAsync(OrgA, unknown));

        _clock.Advance(TimeSpan.FromSeconds(29));
        await adapter.FindContactAsync(OrgA, known);
        await adapter.FindContactAsync(OrgA, unknown);
        Assert.Equal((1, 1), (Searches(known), Searches(unknown)));

        _clock.Advance(TimeSpan.FromSeconds(2)); // 31 s: the negative entry expired, the positive one did not
        await adapter.FindContactAsync(OrgA, known);
        await adapter.FindContactAsync(OrgA, unknown);
        Assert.Equal((1, 2), (Searches(known), Searches(unknown)));

        _clock.Advance(TimeSpan.FromMinutes(4.5)); // 5 min 1 s after the first lookup
        await adapter.FindContactAsync(OrgA, known);
        await adapter.FindContactAsync(OrgA, known);
        Assert.Equal(2, Searches(known));
    }

    [Fact]
    public async Task Each_organization_has_its_own_entries_and_invalidation_touches_only_its_own()
    {
        var (adapter, cache) = Adapter();
        var email = Known();
        await adapter.FindContactAsync(OrgA, email);
        await adapter.FindContactAsync(OrgB, email);
        Assert.Equal(2, Searches(email));
        Assert.Equal((1, 1), (cache.Count(OrgA), cache.Count(OrgB)));

        cache.Invalidate(OrgB, email);
        await adapter.FindContactAsync(OrgA, email);
        Assert.Equal(2, Searches(email));
        await adapter.FindContactAsync(OrgB, email);
        Assert.Equal(3, Searches(email));
    }

    [Fact]
    public async Task Writing_a_note_uses_the_cached_contact_id_then_invalidates_the_contact()
    {
        var (adapter, _) = Adapter();
        var email = Known();
        await adapter.FindContactAsync(OrgA, email);

        var noteId = await adapter.LogNoteAsync(OrgA, email, "Replied with pricing");

        Assert.StartsWith("note-", noteId, StringComparison.Ordinal);
        Assert.Contains("\"id\":\"hs-1\"", _stub.Requests.Last(r => r.Path == "/hubspot/crm/v3/objects/notes").Body, StringComparison.Ordinal);
        Assert.Equal(1, Searches(email)); // the note needed no search of its own
        await adapter.FindContactAsync(OrgA, email);
        Assert.Equal(2, Searches(email)); // OutreachOS wrote to the contact: read afresh
    }

    [Fact]
    public async Task A_cached_miss_is_not_trusted_for_a_note_the_contact_may_exist_by_now()
    {
        var (adapter, _) = Adapter();
        var email = $"late{Guid.NewGuid():N}@customer.test";
        Assert.Null(await adapter.FindContactAsync(OrgA, email));
        _stub.HubSpotContacts[email] = ("hs-9", "Lee", "Late", "Late Ltd");

        Assert.NotNull(await adapter.LogNoteAsync(OrgA, email, "note"));
        Assert.Equal("hs-9", (await adapter.FindContactAsync(OrgA, email))!.CrmId);
    }

    [Fact]
    public async Task A_hubspot_failure_is_not_cached()
    {
        var (adapter, cache) = Adapter(token: () => "wrong-token"); // the stub answers 401
        var email = Known();
        Assert.Null(await adapter.FindContactAsync(OrgA, email));
        Assert.Null(await adapter.FindContactAsync(OrgA, email));
        Assert.Equal(2, Searches(email));
        Assert.Equal(0, cache.Count(OrgA));
    }

    [Fact]
    public async Task An_organization_holds_at_most_its_cap_and_the_entries_closest_to_expiry_go_first()
    {
        var (adapter, cache) = Adapter(CrmCacheOptions.Default with { MaxEntriesPerOrganization = 10 });
        var emails = Enumerable.Range(0, 25).Select(_ => Known()).ToList();
        foreach (var e in emails)
        {
            await adapter.FindContactAsync(OrgA, e);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.InRange(cache.Count(OrgA), 1, 10);
        await adapter.FindContactAsync(OrgA, emails[^1]); // the newest is still cached
        Assert.Equal(1, Searches(emails[^1]));
        await adapter.FindContactAsync(OrgA, emails[0]); // the oldest was evicted
        Assert.Equal(2, Searches(emails[0]));
        await adapter.FindContactAsync(OrgB, emails[0]);
        Assert.Equal(1, cache.Count(OrgB));
    }

    [Fact]
    public async Task Concurrent_callers_share_one_call_in_flight_and_one_callers_cancellation_does_not_cancel_it()
    {
        var cache = new ContactLookupCache(CrmCacheOptions.Default, _clock);
        var gate = new TaskCompletionSource<CrmLookup>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        Task<CrmLookup> Lookup(CancellationToken _)
        {
            Interlocked.Increment(ref calls);
            return gate.Task;
        }

        using var cancel = new CancellationTokenSource();
        var cancelled = cache.GetOrLookupAsync(OrgA, "account", "x@y.test", Lookup, cancel.Token);
        var waiting = Enumerable.Range(0, 5).Select(_ => cache.GetOrLookupAsync(OrgA, "account", "X@y.test", Lookup, CancellationToken.None)).ToList();
        await cancel.CancelAsync();
        // The bound turns a cancellation that is not honoured into a failure (TimeoutException) instead of a hung test.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.All(waiting, t => Assert.False(t.IsCompleted));

        gate.SetResult(new CrmLookup(new ContactRecord("x@y.test", "X", null, false, [], [], "hs-x"), true));

        Assert.All(await Task.WhenAll(waiting), c => Assert.Equal("hs-x", c!.CrmId));
        Assert.Equal("hs-x", (await cache.GetOrLookupAsync(OrgA, "account", "x@y.test", Lookup, CancellationToken.None))!.CrmId);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_lookup_with_another_account_empties_the_organizations_entries_and_a_note_never_reuses_an_id_read_with_another_account()
    {
        var token = ProviderStub.HubSpotToken;
        var (adapter, cache) = Adapter(token: () => token);
        var email = Known();
        var elsewhere = Known();
        await adapter.FindContactAsync(OrgA, email);
        await adapter.FindContactAsync(OrgA, elsewhere);
        await adapter.FindContactAsync(OrgB, email);
        Assert.Equal((2, 1), (cache.Count(OrgA), cache.Count(OrgB)));

        // Organization A's token changes (on another host, say): its entries were read with the old account.
        token = "second-account-token";
        _stub.HubSpotAccount(token)[email] = ("hs-2", "Cara", "Diaz", "Second Account Ltd");
        Assert.Equal("hs-2", (await adapter.FindContactAsync(OrgA, email))!.CrmId);
        Assert.Equal(1, cache.Count(OrgA)); // the old account's entry for the other contact went too
        Assert.Null(await adapter.FindContactAsync(OrgA, elsewhere)); // not in the second account: asked, not served from before
        Assert.Equal(2, Searches(elsewhere));
        token = ProviderStub.HubSpotToken;
        Assert.Equal("hs-1", (await adapter.FindContactAsync(OrgB, email))!.CrmId); // B's partition was never A's business

        // Peek (a note's shortcut to the contact id) only answers for the account it was read with.
        Assert.Null(cache.Peek(OrgA, "another-account", email));
        Assert.NotNull(cache.Peek(OrgB, new CrmCredential("HUBSPOT", new Uri(_stub.BaseUrl, "hubspot/"), ProviderStub.HubSpotToken, "ORGANIZATION").Account, email));
        cache.Clear(OrgB);
        Assert.Equal(0, cache.Count(OrgB));
    }

    private (HubSpotCrmAdapter Adapter, ContactLookupCache Cache) Adapter(CrmCacheOptions? cacheOptions = null, Func<string>? token = null)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        _clients.Add(http);
        var cache = new ContactLookupCache(cacheOptions ?? CrmCacheOptions.Default, _clock);
        var baseUrl = new Uri(_stub.BaseUrl, "hubspot/");
        Task<CrmCredential?> Account(Guid organizationId, CancellationToken ct) =>
            Task.FromResult<CrmCredential?>(new CrmCredential("HUBSPOT", baseUrl, token?.Invoke() ?? ProviderStub.HubSpotToken, "ORGANIZATION"));
        return (new HubSpotCrmAdapter(http, Account, cache, _clock, NullLogger<HubSpotCrmAdapter>.Instance), cache);
    }

    private string Known()
    {
        var email = $"c{Guid.NewGuid():N}@customer.test";
        _stub.HubSpotContacts[email] = ("hs-1", "Cara", "Diaz", "Gamma GmbH");
        return email;
    }

    private int Searches(string email) =>
        _stub.Requests.Count(r => r.Path == "/hubspot/crm/v3/objects/contacts/search"
            && r.Body.Contains($"\"value\":\"{email}\"", StringComparison.OrdinalIgnoreCase));
}

/// <summary>The cache as the host wires it: the contact directory behind <c>GET /contacts/{email}</c>.</summary>
[Collection(IngestionCollection.Name)]
public sealed class CrmCacheHostTests(IngestionAppFixture f)
{
    [Fact]
    public async Task Three_contact_reads_through_the_api_make_one_hubspot_search_and_a_note_makes_the_next_read_fresh()
    {
        var email = $"h{Guid.NewGuid():N}@customer.test";
        f.Stub.HubSpotContacts[email] = ("hs-777", "Hana", "Ito", "Kappa KK");
        int Searches() => f.Stub.Requests.Count(r => r.Path == "/hubspot/crm/v3/objects/contacts/search"
            && r.Body.Contains(email, StringComparison.OrdinalIgnoreCase));

        for (var i = 0; i < 3; i++)
        {
            var (status, json, text) = await SendAsync(f.Client, HttpMethod.Get, $"/contacts/{email}", null);
            Assert.True(status == HttpStatusCode.OK, text);
            Assert.Equal("hs-777", json!["crm_id"]!.GetValue<string>());
        }

        Assert.Equal(1, Searches());
        Assert.NotNull(await f.App.Services.GetRequiredService<ICrmAdapter>().LogNoteAsync(PlatformOrg, email, "note"));
        await f.App.Services.GetRequiredService<IContactDirectory>().FindAsync(PlatformOrg, email);
        Assert.Equal(2, Searches());
    }
}
