using Microsoft.Extensions.DependencyInjection;
using OutreachOS.BuildingBlocks;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.IntegrationTests.EventStore;

[EventName(EventErasure.PerformedRecordType)]
public sealed record TestErasurePerformed(Guid ErasureId, string SubjectSha256, IReadOnlyList<TestErasedStream> Streams);

public sealed record TestErasedStream(string StreamId);

[EventName(EventErasure.RetentionRecordType)]
public sealed record TestRetentionApplied(Guid ErasureId, IReadOnlyList<string> Streams);

/// <summary>
/// What makes an erased event verify (ADR 0030): an erasure record on the erasure's own stream that names it and lists
/// the stream. Rows written by hand around a real or made-up erasure id break the chain. Also: a tampered metadata map is
/// a broken link, not a failed read.
/// </summary>
public sealed class ErasureVerificationTests
{
    private static readonly Guid Tenant = Guid.Parse("aaaaaaaa-0000-0000-0000-0000000000e2");

    private static Task<EventStoreHarness> HarnessAsync() =>
        EventStoreHarness.CreateAsync(configure: s => s.AddEventTypes(typeof(TestErasurePerformed), typeof(TestRetentionApplied)));

    private static async Task WriteAsync(EventStoreHarness h, string stream, int events)
    {
        for (var i = 0; i < events; i++)
        {
            await h.Store.AppendAsync(Tenant, stream, "inbound", ExpectedVersion.Any, [EventToAppend.Create(new TestDeposited("a", i, $"ann@example.com {i}"))]);
        }
    }

    /// <summary>Erases the streams and appends the record, as the erasure service does, in one transaction.</summary>
    private static async Task<Guid> EraseAsync(EventStoreHarness h, Func<Guid, object> recordFor, params string[] streams)
    {
        var id = Guid.NewGuid();
        await using var conn = await h.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await EventErasure.EraseStreamsAsync(tx, Tenant, streams, id, DateTimeOffset.UtcNow, CancellationToken.None);
        await h.Store.AppendManyAsync(tx, [new StreamAppend(Tenant, EventErasure.RecordStreamId(id), "privacy_erasure", ExpectedVersion.NoStream, [EventToAppend.Create(recordFor(id))])]);
        await tx.CommitAsync();
        return id;
    }

    private static object ByAddress(Guid id, string subject, params string[] streams) =>
        new TestErasurePerformed(id, subject, [.. streams.Select(s => new TestErasedStream(s))]);

    /// <summary>Marks one event erased by hand, naming <paramref name="erasureId"/>, with its erasure row.</summary>
    private static Task ForgeAsync(EventStoreHarness h, string stream, long version, Guid erasureId) => h.ExecAsync($"""
        WITH e AS (
            UPDATE oos.events SET type = '{EventErasure.ErasedType}', data = jsonb_build_object('erasure_id', '{erasureId}'::uuid), metadata = '{"{}"}'::jsonb
            WHERE tenant_id = '{Tenant}' AND stream_id = '{stream}' AND version = {version} RETURNING id, version)
        INSERT INTO oos.event_erasures (event_id, tenant_id, stream_id, version, original_type, erasure_id, erased_at)
        SELECT id, '{Tenant}', '{stream}', version, 'TestDeposited', '{erasureId}', now() FROM e
        """);

    [Fact]
    public async Task Streams_an_erasure_record_lists_verify_whether_the_record_is_by_address_or_by_retention()
    {
        await using var h = await HarnessAsync();
        await WriteAsync(h, "inbound-a", 3);
        await WriteAsync(h, "inbound-b", 2);
        await EraseAsync(h, id => ByAddress(id, "subject-1", "inbound-a"), "inbound-a");
        await EraseAsync(h, id => new TestRetentionApplied(id, ["inbound-b"]), "inbound-b");

        var a = await h.Store.VerifyAsync(Tenant, "inbound-a");
        var b = await h.Store.VerifyAsync(Tenant, "inbound-b");
        Assert.True(a.Valid, a.Reason);
        Assert.True(b.Valid, b.Reason);
        Assert.Equal((3L, 2L), (a.EventsErased, b.EventsErased));
    }

    [Fact]
    public async Task A_repeat_erasure_of_the_same_subject_erases_what_was_appended_since_and_the_stream_still_verifies()
    {
        await using var h = await HarnessAsync();
        await WriteAsync(h, "inbound-a", 2);
        await EraseAsync(h, id => ByAddress(id, "subject-1", "inbound-a"), "inbound-a");
        await WriteAsync(h, "inbound-a", 1); // a consumer in flight appended after the erasure
        // The repeat's record lists only the streams newly found; the stream comes from the earlier record of this subject.
        await EraseAsync(h, id => ByAddress(id, "subject-1"), "inbound-a");

        var verified = await h.Store.VerifyAsync(Tenant, "inbound-a");
        Assert.True(verified.Valid, verified.Reason);
        Assert.Equal(3L, verified.EventsErased);
    }

    [Fact]
    public async Task A_real_erasure_id_reused_on_a_stream_it_does_not_list_breaks_that_streams_chain()
    {
        await using var h = await HarnessAsync();
        await WriteAsync(h, "inbound-a", 1);
        await WriteAsync(h, "inbound-victim", 2);
        var real = await EraseAsync(h, id => ByAddress(id, "subject-1", "inbound-a"), "inbound-a");

        await ForgeAsync(h, "inbound-victim", 2, real);

        var verified = await h.Store.VerifyAsync(Tenant, "inbound-victim");
        Assert.False(verified.Valid);
        Assert.Equal(2L, verified.FirstBrokenVersion);
        Assert.Contains("no erasure", verified.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_made_up_erasure_with_a_bare_record_stream_row_breaks_the_chain()
    {
        await using var h = await HarnessAsync();
        await WriteAsync(h, "inbound-victim", 2);
        var madeUp = Guid.NewGuid();
        await h.ExecAsync($"""
            INSERT INTO oos.streams (tenant_id, id, type, version, created_at, updated_at)
            VALUES ('{Tenant}', '{EventErasure.RecordStreamId(madeUp)}', 'privacy_erasure', 1, now(), now())
            """);

        await ForgeAsync(h, "inbound-victim", 1, madeUp);

        var verified = await h.Store.VerifyAsync(Tenant, "inbound-victim");
        Assert.False(verified.Valid);
        Assert.Equal(1L, verified.FirstBrokenVersion);
    }

    [Fact]
    public async Task Metadata_altered_into_something_other_than_a_map_of_strings_is_a_broken_link_not_a_failed_read()
    {
        await using var h = await HarnessAsync();
        await WriteAsync(h, "inbound-a", 2);
        await h.ExecAsync($"UPDATE oos.events SET metadata = '{{\"trace_id\": 5, \"x\": {{\"y\": 1}}}}'::jsonb WHERE tenant_id = '{Tenant}' AND stream_id = 'inbound-a' AND version = 2");

        var events = await h.Store.ReadStreamAsync(Tenant, "inbound-a");
        Assert.Equal("5", events[1].Metadata["trace_id"]);
        var verified = await h.Store.VerifyAsync(Tenant, "inbound-a");
        Assert.False(verified.Valid);
        Assert.Equal(2L, verified.FirstBrokenVersion);

        await h.ExecAsync($"UPDATE oos.events SET metadata = '[1, 2]'::jsonb WHERE tenant_id = '{Tenant}' AND stream_id = 'inbound-a' AND version = 1");
        Assert.Equal(1L, (await h.Store.VerifyAsync(Tenant, "inbound-a")).FirstBrokenVersion);
    }
}
