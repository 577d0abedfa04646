using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.IntegrationTests.Api;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.Drafts;
using OutreachOS.Triage.Qa;
using OutreachOS.Triage.Responses;

namespace OutreachOS.IntegrationTests.Triage;

/// <summary>The host the paging tests share; each test works in an organization of its own.</summary>
public sealed class ReviewQueueHost : IAsyncLifetime
{
    public OutreachApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await OutreachApp.StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>
/// <c>GET /drafts</c>, <c>GET /qa/pending</c> and <c>GET /feedback/export</c> with more entries than a page, through the
/// real host: oldest first by the entry's own time, cut in the database, and a cursor that reaches every entry once. The
/// read models are written directly (hundreds of drafts through the pipeline would take minutes); their ids are the
/// pipeline's own SHA-256-derived ones, so an order by id is as random here as in production.
/// </summary>
public sealed class ReviewQueuePagingTests(ReviewQueueHost host) : IClassFixture<ReviewQueueHost>
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 7, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_backlog_of_pending_drafts_pages_oldest_first_and_next_reaches_every_draft_once()
    {
        var (client, tenant) = await OrganizationAsync("Backlog");
        // 520 drafts in pairs that share a creation time, with 100 ns digits PostgreSQL rounds away (a cursor that kept
        // them would not compare equal to its own row), written in an order unrelated to their age.
        var drafts = Enumerable.Range(0, 520)
            .Select(i => Draft(Monday.AddMinutes(i / 2).AddTicks(1_234_567), DraftStatus.Pending))
            .OrderBy(d => d.DraftId).ToList();
        await WriteAsync(tenant, drafts);
        var expected = InQueueOrder(drafts);

        // The default page: the 100 oldest, with the very oldest first.
        var first = await JsonAsync(await client.GetAsync("/drafts?status=PENDING"));
        Assert.Equal(expected.Take(100), Ids(first));
        Assert.Equal(JsonValueKind.String, first.GetProperty("next").ValueKind);

        // An odd page size puts a boundary inside a pair of equal creation times.
        Assert.Equal(expected, await WalkAsync(client, "/drafts?status=PENDING&limit=33"));
        // The dashboard's page size: two pages, the second with the 20 newest.
        Assert.Equal(expected, await WalkAsync(client, "/drafts?status=PENDING&limit=500", pages => Assert.Equal(2, pages)));
    }

    [Fact]
    public async Task Drafts_decided_between_two_pages_neither_shift_nor_repeat_the_rest_and_the_status_filter_holds()
    {
        var (client, tenant) = await OrganizationAsync("Deciding");
        var drafts = Enumerable.Range(0, 60).Select(i => Draft(Monday.AddMinutes(i), DraftStatus.Pending)).ToList();
        await WriteAsync(tenant, drafts);
        var expected = InQueueOrder(drafts);

        var first = await JsonAsync(await client.GetAsync("/drafts?status=PENDING&limit=20"));
        Assert.Equal(expected.Take(20), Ids(first));

        // A reviewer approves five drafts of the first page (and one not reached yet) before the next page is read: an
        // offset would now skip five; the cursor continues after the last one shown.
        var decided = expected.Take(5).Append(expected[30]).ToHashSet();
        var approved = drafts.Where(d => decided.Contains(d.DraftId))
            .Select((d, n) => d with { Status = DraftStatus.Approved, DecidedAt = Monday.AddDays(1).AddMinutes(-n), DecidedBy = "api_key:test" })
            .ToList();
        await WriteAsync(tenant, approved);
        var rest = await WalkAsync(client, $"/drafts?status=PENDING&limit=20&after={Uri.EscapeDataString(first.GetProperty("next").GetString()!)}");
        Assert.Equal(expected.Skip(20).Where(id => !decided.Contains(id)), rest);

        var approvedList = await JsonAsync(await client.GetAsync("/drafts?status=APPROVED"));
        Assert.Equal(expected.Where(decided.Contains), Ids(approvedList));
        Assert.Equal(JsonValueKind.Null, approvedList.GetProperty("next").ValueKind);
        Assert.Equal(60, (await WalkAsync(client, "/drafts?limit=7")).Distinct().Count());

        // The export goes by decision time (here the reverse of creation, so not the queue's order) and says where it continues.
        var exported = new List<Guid>();
        string? url = "/feedback/export?limit=4";
        while (url is not null)
        {
            using var r = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            exported.AddRange((await r.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("draft_id").GetGuid()));
            url = r.Headers.TryGetValues("Link", out var link) ? NextLink(link.Single()) : null;
        }
        Assert.Equal(approved.OrderBy(d => d.DecidedAt).Select(d => d.DraftId), exported);
    }

    [Fact]
    public async Task Pending_QA_samples_page_oldest_first()
    {
        var (client, tenant) = await OrganizationAsync("Sampling");
        var samples = Enumerable.Range(0, 510)
            .Select(i => Sample(Monday.AddSeconds(i * 7), i % 10 == 9 ? QaSampler.Reviewed : QaSampler.Pending))
            .OrderBy(s => s.InboundId).ToList();
        await using (var conn = await DataSource.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await DocumentStore.UpsertManyAsync(tx, [.. samples.Select(s => (tenant, s.InboundId.ToString(), s))]);
            await tx.CommitAsync();
        }
        var expected = samples.Where(s => s.Status == QaSampler.Pending).OrderBy(s => s.SampledAt).Select(s => s.InboundId).ToList();

        var first = await JsonAsync(await client.GetAsync("/qa/pending"));
        Assert.Equal(expected.Take(100), first.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("inbound_id").GetGuid()));
        Assert.Equal(expected, await WalkAsync(client, "/qa/pending?limit=250", pages => Assert.Equal(2, pages), "inbound_id"));
    }

    [Fact]
    public async Task A_bad_limit_or_cursor_is_a_problem_naming_the_field()
    {
        var (client, _) = await OrganizationAsync("Validating");
        var cases = new (string Url, string Field)[]
        {
            ("/drafts?limit=0", "limit"), ("/drafts?limit=501", "limit"), ("/drafts?limit=ten", "limit"), ("/drafts?limit=-1", "limit"),
            ("/drafts?after=garbage", "after"), ("/drafts?after=12.", "after"), ("/drafts?after=.x", "after"),
            ("/drafts?status=DONE", "status"),
            ("/qa/pending?limit=0", "limit"), ("/qa/pending?after=yesterday", "after"),
            ("/feedback/export?limit=10001", "limit"), ("/feedback/export?after=x", "after"),
        };
        foreach (var (url, field) in cases)
        {
            using var r = await client.GetAsync(url);
            Assert.True(r.StatusCode == HttpStatusCode.BadRequest, $"{url}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            Assert.True((await JsonAsync(r)).GetProperty("errors").TryGetProperty(field, out _), url);
        }
    }

    private NpgsqlDataSource DataSource => host.App.Services.GetRequiredService<NpgsqlDataSource>();

    /// <summary>Follows <c>next</c> from <paramref name="url"/> to the last page; every page but the last is full.</summary>
    private static async Task<List<Guid>> WalkAsync(HttpClient client, string url, Action<int>? pages = null, string idField = "draft_id")
    {
        var limit = url.Contains("limit=", StringComparison.Ordinal) ? int.Parse(url[(url.IndexOf("limit=", StringComparison.Ordinal) + 6)..].Split('&')[0]) : 100;
        var ids = new List<Guid>();
        var count = 0;
        var page = url;
        while (true)
        {
            var json = await JsonAsync(await client.GetAsync(page));
            var items = json.GetProperty("items").EnumerateArray().Select(e => e.GetProperty(idField).GetGuid()).ToList();
            ids.AddRange(items);
            count++;
            if (json.GetProperty("next").ValueKind == JsonValueKind.Null)
            {
                break;
            }
            Assert.Equal(limit, items.Count);
            Assert.True(count < 1000, "next never ends");
            var baseUrl = url.Contains("&after=", StringComparison.Ordinal) ? url[..url.IndexOf("&after=", StringComparison.Ordinal)] : url;
            page = $"{baseUrl}{(baseUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?')}after={Uri.EscapeDataString(json.GetProperty("next").GetString()!)}";
        }
        pages?.Invoke(count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        return ids;
    }

    private static string? NextLink(string link)
    {
        Assert.EndsWith(">; rel=\"next\"", link, StringComparison.Ordinal);
        return link[1..link.IndexOf('>', StringComparison.Ordinal)];
    }

    /// <summary>The queue's order: creation time as PostgreSQL keeps it (rounded to microseconds), then id.</summary>
    private static List<Guid> InQueueOrder(IEnumerable<DraftRecord> drafts) =>
        [.. drafts.OrderBy(d => (d.CreatedAt.UtcTicks + 5) / 10).ThenBy(d => d.DraftId.ToString(), StringComparer.Ordinal).Select(d => d.DraftId)];

    private static IEnumerable<Guid> Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("draft_id").GetGuid());

    private async Task WriteAsync(Guid tenant, IReadOnlyCollection<DraftRecord> drafts)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await DocumentStore.UpsertManyAsync(tx, [.. drafts.Select(d => (tenant, d.DraftId.ToString(), d))]);
        await tx.CommitAsync();
    }

    private static DraftRecord Draft(DateTimeOffset createdAt, string status)
    {
        var decisionId = Guid.NewGuid();
        return new DraftRecord(ResponseIds.DraftId(decisionId), Guid.NewGuid(), decisionId, status, "pricing", "Re: Pricing", "Hi, the Pro plan is ...",
            new MailAddress("sarah@customer.example", "Sarah Chen"), "Pricing", "What does the Pro plan cost?", $"<{decisionId:N}@customer.example>", [],
            new DraftClassification("pricing", "normal", "sales", [], 0.9), ["auto-send disabled for intent pricing"], createdAt.AddHours(4), createdAt,
            ResponsePath.DraftForReview, [], false, null, new Dictionary<string, string>());
    }

    private static QaRecord Sample(DateTimeOffset sampledAt, string status) =>
        new(Guid.NewGuid(), Guid.NewGuid(), status, "scheduling", "Meeting", "Can we meet?", "Re: Meeting", "Tuesday works.", true, [], sampledAt);

    private async Task<(HttpClient Client, Guid Tenant)> OrganizationAsync(string name)
    {
        var (client, id, _) = await TestOrganizations.CreateAsync(host.App, $"{name}-{Guid.NewGuid():N}");
        return (client, id);
    }

    private static Task<JsonElement> JsonAsync(HttpResponseMessage r) => HostTests.JsonAsync(r);
}
