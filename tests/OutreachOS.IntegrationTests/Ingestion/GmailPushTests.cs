using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OutreachOS.Ingestion.Accepting;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.IntegrationTests.Messaging;
using static OutreachOS.IntegrationTests.Ingestion.IngestionAppFixture;

namespace OutreachOS.IntegrationTests.Ingestion;

/// <summary><c>POST /ingest/gmail</c>: OIDC push verification against a JWKS on the stub, then history.list + messages.get off the bus.</summary>
[Collection(IngestionCollection.Name)]
public sealed class GmailPushTests(IngestionAppFixture f)
{
    [Fact]
    public async Task A_verified_push_fetches_the_new_message_through_the_gmail_api_and_skips_sent_mail()
    {
        var gmailId = "g" + Guid.NewGuid().ToString("N")[..12];
        var sentId = "s" + Guid.NewGuid().ToString("N")[..12];
        var messageId = $"<{Guid.NewGuid():N}@gmail.test>";
        var historyId = (ulong)Random.Shared.NextInt64(1_000_000, 9_000_000);
        f.Stub.GmailMessages[gmailId] = GmailMessage(gmailId, messageId);
        f.Stub.GmailMessages[sentId] = GmailMessage(sentId, $"<{Guid.NewGuid():N}@acme.test>");
        f.Stub.GmailHistory.Enqueue((historyId, gmailId, ["INBOX", "UNREAD"]));
        f.Stub.GmailHistory.Enqueue((historyId, sentId, ["SENT"]));

        var (status, _, text) = await PushAsync(ValidToken(), GmailMailbox, historyId);

        Assert.Equal(HttpStatusCode.Accepted, status);
        var inboundId = DeterministicId.Inbound(PlatformOrg, messageId);
        await Eventually.TrueAsync(async () => (await f.EventsAsync(PlatformOrg, InboundStreams.StreamId(inboundId))).Count == 1, "the Gmail message accepted: " + text);
        var received = (await f.EventsAsync(PlatformOrg, InboundStreams.StreamId(inboundId)))[0].As<InboundMessageReceived>();
        Assert.Equal(InboundSource.Gmail, received.Source);
        Assert.Equal("Demo request", received.Message.Subject);
        Assert.Equal("Can we see a demo next week?", received.Message.Text);
        Assert.Equal("ana@prospect.test", received.Message.From.Email);
        Assert.Equal("Ana Ruiz", received.Message.From.Name);
        Assert.Equal(["<out-1@acme.test>"], received.Message.References);
        Assert.Equal(0, f.Stub.Count($"/gmail-api/gmail/v1/users/{GmailMailbox}/messages/{sentId}"));
        Assert.Contains(f.Stub.Requests, r => r.Path.Contains("/history?startHistoryId=", StringComparison.Ordinal) && r.Authorization == "Bearer " + ProviderStub.GmailToken);
    }

    [Fact]
    public async Task A_pushed_history_id_never_moves_the_cursor_past_what_gmail_returned()
    {
        var mailbox = GmailCursorMailboxes[0];
        var history = f.Stub.GmailMailboxHistory.GetOrAdd(mailbox, _ => new());
        var (first, second) = ("p" + Guid.NewGuid().ToString("N")[..12], "p" + Guid.NewGuid().ToString("N")[..12]);
        f.Stub.GmailMessages[first] = GmailMessage(first, $"<{first}@gmail.test>");
        f.Stub.GmailMessages[second] = GmailMessage(second, $"<{second}@gmail.test>");
        history.Enqueue((100, first, ["INBOX"]));
        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 100)).Status);
        await AcceptedAsync(first);
        Assert.Equal("100", await CursorAsync(mailbox));

        // A push naming a history id far beyond the mailbox's (Pub/Sub data is the pusher's to choose).
        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 9_000_000_000_000)).Status);
        await Eventually.TrueAsync(() => Task.FromResult(HistoryCalls(mailbox) >= 2), "the second push read the history");
        history.Enqueue((101, second, ["INBOX"]));
        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 101)).Status);

        await AcceptedAsync(second);
        Assert.Equal("101", await CursorAsync(mailbox));
        Assert.DoesNotContain(f.Stub.Requests, r => r.Path.Contains("startHistoryId=9000000000000", StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_gmail_no_longer_has_the_history_the_cursor_moves_to_the_mailbox_s_own_history_id_not_the_pushed_one()
    {
        var mailbox = GmailCursorMailboxes[2];
        var history = f.Stub.GmailMailboxHistory.GetOrAdd(mailbox, _ => new());
        var id = "e" + Guid.NewGuid().ToString("N")[..12];
        f.Stub.GmailMessages[id] = GmailMessage(id, $"<{id}@gmail.test>");
        history.Enqueue((700, id, ["INBOX"]));
        f.Stub.GmailHistoryAvailableFrom[mailbox] = 500;

        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 5)).Status);

        await Eventually.TrueAsync(async () => await CursorAsync(mailbox) is not null, "the cursor written after the 404");
        Assert.Equal("700", await CursorAsync(mailbox));
    }

    [Fact]
    public async Task More_history_than_one_run_reads_is_read_to_the_end_and_the_cursor_stops_at_the_last_record()
    {
        var mailbox = GmailCursorMailboxes[1];
        var history = f.Stub.GmailMailboxHistory.GetOrAdd(mailbox, _ => new());
        f.Stub.GmailHistoryPageSize[mailbox] = 1; // 25 pages: more than one run's 20
        var ids = Enumerable.Range(0, 25).Select(i => $"pg{i:D2}" + Guid.NewGuid().ToString("N")[..8]).ToList();
        for (var i = 0; i < ids.Count; i++)
        {
            f.Stub.GmailMessages[ids[i]] = GmailMessage(ids[i], $"<{ids[i]}@gmail.test>");
            history.Enqueue((2001 + (ulong)i, ids[i], ["INBOX"]));
        }

        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 2001)).Status);

        foreach (var id in ids)
        {
            await AcceptedAsync(id);
        }
        await Eventually.TrueAsync(async () => await CursorAsync(mailbox) == "2025", "the cursor at the last history record");
    }

    [Fact]
    public async Task A_message_to_undisclosed_recipients_or_a_group_is_kept_with_the_recipients_that_parse()
    {
        var mailbox = GmailCursorMailboxes[3];
        var history = f.Stub.GmailMailboxHistory.GetOrAdd(mailbox, _ => new());
        var id = "r" + Guid.NewGuid().ToString("N")[..12];
        f.Stub.GmailMessages[id] = GmailMessage(id, $"<{id}@gmail.test>", from: "ana@prospect.test (Ana Ruiz)", to: "undisclosed-recipients:;",
            cc: "Team: a@x.test, \"Bee, B\" <b@x.test>;, jane@x.test (Jane Doe), broken@");
        history.Enqueue((300, id, ["INBOX"]));

        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 300)).Status);

        await AcceptedAsync(id);
        var stored = (await f.EventsAsync(PlatformOrg, InboundStreams.StreamId(DeterministicId.Inbound(PlatformOrg, $"<{id}@gmail.test>"))))[0];
        var message = stored.As<InboundMessageReceived>().Message;
        Assert.Equal(("ana@prospect.test", "Ana Ruiz"), (message.From.Email, message.From.Name));
        Assert.Empty(message.To);
        Assert.Equal(["a@x.test", "b@x.test", "jane@x.test"], message.Cc.Select(c => c.Email));
        Assert.Equal(["Bee, B", "Jane Doe"], message.Cc.Skip(1).Select(c => c.Name));
        Assert.Equal("1", stored.Metadata["recipients_dropped"]);
    }

    [Fact]
    public async Task When_gmail_no_longer_has_the_history_the_messages_received_since_the_last_read_are_listed_and_ingested()
    {
        var mailbox = GmailCursorMailboxes[4];
        var history = f.Stub.GmailMailboxHistory.GetOrAdd(mailbox, _ => new());
        var listed = f.Stub.GmailMailboxMessages.GetOrAdd(mailbox, _ => new());
        var now = DateTimeOffset.UtcNow;
        var (first, missed1, missed2, sent, old, later) = (NewId("c"), NewId("c"), NewId("c"), NewId("c"), NewId("c"), NewId("c"));
        void Add(string id, ulong? historyId, DateTimeOffset received, string label = "INBOX")
        {
            f.Stub.GmailMessages[id] = GmailMessage(id, $"<{id}@gmail.test>", received: received, label: label);
            listed.Enqueue(id);
            if (historyId is { } h)
            {
                history.Enqueue((h, id, [label]));
            }
        }
        Add(old, null, now.AddDays(-3)); // long before the last read: never listed
        Add(first, 100, now);
        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 100)).Status);
        await AcceptedAsync(first);
        Assert.Equal("100", await CursorAsync(mailbox));

        // The mailbox is not read for longer than Gmail keeps history: history.list from the cursor answers 404.
        f.Stub.GmailHistoryAvailableFrom[mailbox] = 500;
        Add(missed1, 600, now.AddMinutes(1));
        Add(missed2, 601, now.AddMinutes(2));
        Add(sent, 602, now.AddMinutes(3), label: "SENT");
        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 602)).Status);

        await AcceptedAsync(missed1);
        await AcceptedAsync(missed2);
        await Eventually.TrueAsync(async () => await CursorAsync(mailbox) == "602", "the cursor at the mailbox's history id taken before the listing");
        Assert.Equal(0, f.Stub.Count($"/gmail-api/gmail/v1/users/{mailbox}/messages/{old}"));
        Assert.Equal(0, f.Stub.Count($"/gmail-api/gmail/v1/users/{mailbox}/messages/{sent}"));
        Assert.Single(await f.EventsAsync(PlatformOrg, InboundStreams.StreamId(DeterministicId.Inbound(PlatformOrg, $"<{first}@gmail.test>"))));
        var calls = f.Stub.Requests.Select(r => r.Path).Where(p => p.Contains($"/users/{mailbox}/", StringComparison.Ordinal)).ToList();
        var profile = calls.FindLastIndex(p => p.EndsWith("/profile", StringComparison.Ordinal));
        var list = calls.FindIndex(p => p.Contains("/messages?", StringComparison.Ordinal));
        Assert.True(profile >= 0 && list > profile, "the profile is read before the listing: " + string.Join(", ", calls));

        // Reading goes on from the history id taken before the listing.
        Add(later, 603, now.AddMinutes(4));
        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 603)).Status);
        await AcceptedAsync(later);
        await Eventually.TrueAsync(async () => await CursorAsync(mailbox) == "603", "the cursor after the next push");
    }

    [Fact]
    public async Task A_catch_up_beyond_its_bound_reads_the_newest_messages_counts_the_truncation_and_still_moves_the_cursor()
    {
        var mailbox = GmailCursorMailboxes[5];
        var history = f.Stub.GmailMailboxHistory.GetOrAdd(mailbox, _ => new());
        var listed = f.Stub.GmailMailboxMessages.GetOrAdd(mailbox, _ => new());
        var truncations = 0L;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "OutreachOS.Ingestion" && instrument.Name == "outreachos.ingestion.gmail_catch_ups")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "outcome", Value: "truncated" })
                {
                    Interlocked.Add(ref truncations, value);
                }
            }
        });
        listener.Start();
        var now = DateTimeOffset.UtcNow;
        var first = NewId("b");
        f.Stub.GmailMessages[first] = GmailMessage(first, $"<{first}@gmail.test>", received: now);
        history.Enqueue((100, first, ["INBOX"]));
        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 100)).Status);
        await AcceptedAsync(first);

        f.Stub.GmailHistoryAvailableFrom[mailbox] = 500;
        var missed = Enumerable.Range(0, GmailCatchUpMaxMessages + 2).Select(_ => NewId("b")).ToList();
        for (var i = 0; i < missed.Count; i++)
        {
            f.Stub.GmailMessages[missed[i]] = GmailMessage(missed[i], $"<{missed[i]}@gmail.test>", received: now.AddMinutes(1 + i));
            listed.Enqueue(missed[i]);
            history.Enqueue((600 + (ulong)i, missed[i], ["INBOX"]));
        }
        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 600)).Status);

        var last = (600 + missed.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Eventually.TrueAsync(async () => await CursorAsync(mailbox) == last, "the cursor moved past the catch-up");
        foreach (var id in missed.Skip(2))
        {
            await AcceptedAsync(id);
        }
        Assert.Equal(0, f.Stub.Count($"/gmail-api/gmail/v1/users/{mailbox}/messages/{missed[0]}"));
        Assert.Equal(0, f.Stub.Count($"/gmail-api/gmail/v1/users/{mailbox}/messages/{missed[1]}"));
        listener.RecordObservableInstruments();
        Assert.Equal(1, Interlocked.Read(ref truncations));
    }

    [Fact]
    public async Task Two_messages_under_one_message_id_in_one_read_are_both_kept_and_a_copy_delivered_twice_is_kept_once()
    {
        var mailbox = GmailCursorMailboxes[6];
        var history = f.Stub.GmailMailboxHistory.GetOrAdd(mailbox, _ => new());
        var messageId = $"<{Guid.NewGuid():N}@reused.test>";
        var (original, copy, other) = (NewId("u"), NewId("u"), NewId("u"));
        f.Stub.GmailMessages[original] = GmailMessage(original, messageId, deliveredTo: "inbox@acme.test");
        // The same message delivered again (another alias of the mailbox): its own Gmail id, thread and delivery header.
        f.Stub.GmailMessages[copy] = GmailMessage(copy, messageId, deliveredTo: "sales@acme.test");
        // Another message under the same Message-ID (a sender's broken generator, or a spoof).
        f.Stub.GmailMessages[other] = GmailMessage(other, messageId, text: "Please cancel my subscription.");
        history.Enqueue((100, original, ["INBOX"]));
        history.Enqueue((101, copy, ["INBOX"]));
        history.Enqueue((102, other, ["INBOX"]));

        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 100)).Status);

        await Eventually.TrueAsync(async () => await CursorAsync(mailbox) == "102", "the read done");
        var streams = await InboundStreamsOfAsync(messageId);
        Assert.Equal(2, streams.Count);
        var primary = InboundStreams.StreamId(DeterministicId.Inbound(PlatformOrg, messageId));
        Assert.Equal(primary, streams[0]);
        var kept = (await f.EventsAsync(PlatformOrg, streams[1]))[0];
        var received = kept.As<InboundMessageReceived>();
        Assert.Equal("Please cancel my subscription.", received.Message.Text);
        Assert.Equal(messageId, received.Message.MessageId);
        Assert.Equal(InboundStreams.StreamId(received.InboundId), streams[1]);
        Assert.Equal(DeterministicId.Inbound(PlatformOrg, messageId).ToString("D"), kept.Metadata["message_id_reused_from"]);
        Assert.Equal("Can we see a demo next week?", (await f.EventsAsync(PlatformOrg, primary))[0].As<InboundMessageReceived>().Message.Text);
    }

    [Fact]
    public async Task A_message_id_whose_first_message_was_stored_without_a_message_hash_keeps_dropping_repeats()
    {
        var mailbox = GmailCursorMailboxes[7];
        var history = f.Stub.GmailMailboxHistory.GetOrAdd(mailbox, _ => new());
        var messageId = $"<{Guid.NewGuid():N}@legacy.test>";
        // Stored before the message hash existed: only the API's content hash.
        var inboundId = DeterministicId.Inbound(PlatformOrg, messageId);
        var legacy = new InboundEmail(messageId, null, new MailAddress("ana@prospect.test"), [], [], "Old", "An old message.", null,
            new Dictionary<string, string>(), DateTimeOffset.UtcNow, null, []);
        await f.Store.AppendAsync(PlatformOrg, InboundStreams.StreamId(inboundId), InboundStreams.StreamType, OutreachOS.BuildingBlocks.EventStore.ExpectedVersion.NoStream,
            [new(DeterministicId.For(inboundId, "received"), new InboundMessageReceived(inboundId, PlatformOrg, InboundSource.Email, legacy, 0, false, DateTimeOffset.UtcNow),
                new Dictionary<string, string> { ["content_sha256"] = "0000" })]);
        var id = NewId("l");
        f.Stub.GmailMessages[id] = GmailMessage(id, messageId, text: "Something else entirely.");
        history.Enqueue((100, id, ["INBOX"]));

        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 100)).Status);

        await Eventually.TrueAsync(async () => await CursorAsync(mailbox) == "100", "the read done");
        Assert.Equal(1, f.Stub.Count($"/gmail-api/gmail/v1/users/{mailbox}/messages/{id}"));
        Assert.Equal([InboundStreams.StreamId(inboundId)], await InboundStreamsOfAsync(messageId));
    }

    [Fact]
    public async Task A_message_with_nul_characters_is_ingested_without_them_and_the_messages_after_it_and_the_cursor_go_on()
    {
        var mailbox = GmailCursorMailboxes[8];
        var history = f.Stub.GmailMailboxHistory.GetOrAdd(mailbox, _ => new());
        var (first, poison, good, later) = (NewId("z"), NewId("z"), NewId("z"), NewId("z"));
        f.Stub.GmailMessages[first] = GmailMessage(first, $"<{first}@gmail.test>");
        history.Enqueue((99, first, ["INBOX"]));
        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 99)).Status);
        await AcceptedAsync(first);
        Assert.Equal("99", await CursorAsync(mailbox));

        // HTML only, with a numeric NUL entity (HTML-decoded to U+0000), and a NUL in the subject header: PostgreSQL's jsonb
        // cannot store the character, and the whole read used to fail on every retry, holding back the cursor for good.
        f.Stub.GmailMessages[poison] = GmailMessage(poison, $"<{poison}@gmail.test>", text: null, html: "<p>Hi&#0; there</p>", subject: "Quote\u0000 request");
        f.Stub.GmailMessages[good] = GmailMessage(good, $"<{good}@gmail.test>");
        history.Enqueue((100, poison, ["INBOX"]));
        history.Enqueue((101, good, ["INBOX"]));
        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 101)).Status);

        await AcceptedAsync(good);
        await AcceptedAsync(poison);
        Assert.Equal("101", await CursorAsync(mailbox));
        var received = (await f.EventsAsync(PlatformOrg, InboundStreams.StreamId(DeterministicId.Inbound(PlatformOrg, $"<{poison}@gmail.test>"))))[0]
            .As<InboundMessageReceived>();
        Assert.Equal("Hi there", received.Message.Text);
        Assert.Equal("Quote request", received.Message.Subject);
        Assert.Equal(2, received.HiddenCharactersRemoved);

        f.Stub.GmailMessages[later] = GmailMessage(later, $"<{later}@gmail.test>");
        history.Enqueue((102, later, ["INBOX"]));
        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 102)).Status);
        await AcceptedAsync(later);
        await Eventually.TrueAsync(async () => await CursorAsync(mailbox) == "102", "the cursor after the next push");
    }

    [Fact]
    public async Task A_message_the_database_refuses_is_set_apart_and_dead_lettered_while_the_rest_of_its_read_and_the_cursor_go_on()
    {
        var mailbox = GmailCursorMailboxes[9];
        var history = f.Stub.GmailMailboxHistory.GetOrAdd(mailbox, _ => new());
        var (first, before, refused, after) = (NewId("x"), NewId("x"), NewId("x"), NewId("x"));
        f.Stub.GmailMessages[first] = GmailMessage(first, $"<{first}@gmail.test>");
        history.Enqueue((99, first, ["INBOX"]));
        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 99)).Status);
        await AcceptedAsync(first);

        // A refusal no normalization foresees, on every attempt: a trigger refuses (SQLSTATE 22023) any event holding a marker.
        var marker = "refuse-" + Guid.NewGuid().ToString("N");
        var dataSource = (Npgsql.NpgsqlDataSource)f.App.Services.GetService(typeof(Npgsql.NpgsqlDataSource))!;
        var name = "test_" + marker.Replace('-', '_');
        await using (var create = dataSource.CreateCommand($$"""
            CREATE FUNCTION oos.{{name}}() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
                IF strpos(NEW.data::text, '{{marker}}') > 0 THEN RAISE EXCEPTION 'refused by test' USING ERRCODE = '22023'; END IF;
                RETURN NEW;
            END $f$;
            CREATE TRIGGER {{name}} BEFORE INSERT ON oos.events FOR EACH ROW EXECUTE FUNCTION oos.{{name}}();
            """))
        {
            await create.ExecuteNonQueryAsync();
        }
        try
        {
            f.Stub.GmailMessages[before] = GmailMessage(before, $"<{before}@gmail.test>");
            f.Stub.GmailMessages[refused] = GmailMessage(refused, $"<{refused}@gmail.test>", subject: marker);
            f.Stub.GmailMessages[after] = GmailMessage(after, $"<{after}@gmail.test>");
            history.Enqueue((100, before, ["INBOX"]));
            history.Enqueue((101, refused, ["INBOX"]));
            history.Enqueue((102, after, ["INBOX"]));
            Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 102)).Status);

            await AcceptedAsync(before);
            await AcceptedAsync(after);
            await Eventually.TrueAsync(async () => await CursorAsync(mailbox) == "102", "the cursor past the refused message");
            // The refused message alone, in a notification of its own, failed every attempt: a dead letter to redrive.
            Guid? deadLetter = null;
            await Eventually.TrueAsync(async () =>
            {
                await using var find = dataSource.CreateCommand("""
                    SELECT id FROM oos.dead_letters WHERE tenant_id = $1 AND strpos(body, $2) > 0
                    """);
                find.Parameters.Add(new Npgsql.NpgsqlParameter { Value = PlatformOrg });
                find.Parameters.Add(new Npgsql.NpgsqlParameter { Value = "message:" + refused });
                deadLetter = (Guid?)await find.ExecuteScalarAsync();
                return deadLetter is not null;
            }, "the refused message dead-lettered alone");
            var (_, listed, _) = await SendAsync(f.Client, HttpMethod.Get, "/admin/dead-letters", null);
            Assert.Contains(listed!["items"]!.AsArray(), d => d!["id"]!.GetValue<string>() == deadLetter.ToString());
            Assert.Empty(await f.EventsAsync(PlatformOrg, InboundStreams.StreamId(DeterministicId.Inbound(PlatformOrg, $"<{refused}@gmail.test>"))));

            await using (var drop = dataSource.CreateCommand($"DROP TRIGGER {name} ON oos.events; DROP FUNCTION oos.{name}()"))
            {
                await drop.ExecuteNonQueryAsync();
            }
            Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(f.Client, HttpMethod.Post, $"/admin/dead-letters/{deadLetter}/redrive", null)).Status);
            await AcceptedAsync(refused);
            Assert.Equal("102", await CursorAsync(mailbox));
        }
        finally
        {
            await using var drop = dataSource.CreateCommand($"DROP TRIGGER IF EXISTS {name} ON oos.events; DROP FUNCTION IF EXISTS oos.{name}()");
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task A_message_gmail_refuses_to_return_is_set_apart_while_the_rest_of_its_read_and_the_cursor_go_on()
    {
        var mailbox = GmailCursorMailboxes[10];
        var history = f.Stub.GmailMailboxHistory.GetOrAdd(mailbox, _ => new());
        var (first, before, refused, after) = (NewId("y"), NewId("y"), NewId("y"), NewId("y"));
        f.Stub.GmailMessages[first] = GmailMessage(first, $"<{first}@gmail.test>");
        history.Enqueue((199, first, ["INBOX"]));
        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 199)).Status);
        await AcceptedAsync(first);

        // Gmail answers 400 for one message on every attempt (an id it will not serve): before, the whole read failed on
        // every retry and the cursor never moved.
        f.Stub.GmailMessages[before] = GmailMessage(before, $"<{before}@gmail.test>");
        f.Stub.GmailMessages[refused] = GmailMessage(refused, $"<{refused}@gmail.test>");
        f.Stub.GmailMessageFailures[refused] = 400;
        f.Stub.GmailMessages[after] = GmailMessage(after, $"<{after}@gmail.test>");
        history.Enqueue((200, before, ["INBOX"]));
        history.Enqueue((201, refused, ["INBOX"]));
        history.Enqueue((202, after, ["INBOX"]));
        Assert.Equal(HttpStatusCode.Accepted, (await PushAsync(ValidToken(), mailbox, 202)).Status);

        await AcceptedAsync(before);
        await AcceptedAsync(after);
        await Eventually.TrueAsync(async () => await CursorAsync(mailbox) == "202", "the cursor past the refused message");
        var dataSource = (Npgsql.NpgsqlDataSource)f.App.Services.GetService(typeof(Npgsql.NpgsqlDataSource))!;
        Guid? deadLetter = null;
        await Eventually.TrueAsync(async () =>
        {
            await using var find = dataSource.CreateCommand("SELECT id FROM oos.dead_letters WHERE tenant_id = $1 AND strpos(body, $2) > 0");
            find.Parameters.Add(new Npgsql.NpgsqlParameter { Value = PlatformOrg });
            find.Parameters.Add(new Npgsql.NpgsqlParameter { Value = "message:" + refused });
            deadLetter = (Guid?)await find.ExecuteScalarAsync();
            return deadLetter is not null;
        }, "the refused message dead-lettered alone");

        // Gmail serves it again: the redrive ingests it, and the cursor stays.
        f.Stub.GmailMessageFailures.TryRemove(refused, out _);
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(f.Client, HttpMethod.Post, $"/admin/dead-letters/{deadLetter}/redrive", null)).Status);
        await AcceptedAsync(refused);
        Assert.Equal("202", await CursorAsync(mailbox));
    }

    private static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The inbound streams whose message carries this Message-ID, oldest first.</summary>
    private async Task<List<string>> InboundStreamsOfAsync(string messageId)
    {
        var dataSource = (Npgsql.NpgsqlDataSource)f.App.Services.GetService(typeof(Npgsql.NpgsqlDataSource))!;
        await using var cmd = dataSource.CreateCommand(
            "SELECT stream_id FROM oos.events WHERE tenant_id = $1 AND type = 'inbound_received.v1' AND data->'message'->>'message_id' = $2 ORDER BY seq");
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = PlatformOrg });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = messageId });
        var streams = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            streams.Add(reader.GetString(0));
        }
        return streams;
    }

    private async Task AcceptedAsync(string gmailId)
    {
        var stream = InboundStreams.StreamId(DeterministicId.Inbound(PlatformOrg, $"<{gmailId}@gmail.test>"));
        await Eventually.TrueAsync(async () => (await f.EventsAsync(PlatformOrg, stream)).Count == 1, "Gmail message " + gmailId + " accepted");
    }

    private int HistoryCalls(string mailbox) => f.Stub.Count($"/gmail-api/gmail/v1/users/{mailbox}/history");

    private async Task<string?> CursorAsync(string mailbox)
    {
        var dataSource = (Npgsql.NpgsqlDataSource)f.App.Services.GetService(typeof(Npgsql.NpgsqlDataSource))!;
        await using var cmd = dataSource.CreateCommand(
            "SELECT cursor FROM oos.ingestion_mailbox_cursors WHERE tenant_id = $1 AND source = 'GMAIL' AND mailbox = $2");
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = PlatformOrg });
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = mailbox });
        return (string?)await cmd.ExecuteScalarAsync();
    }

    [Theory]
    [InlineData("aud")]
    [InlineData("iss")]
    [InlineData("exp")]
    [InlineData("email")]
    [InlineData("key")]
    [InlineData("none")]
    public async Task A_push_without_a_valid_google_token_is_401(string broken)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var otherKey = RSA.Create(2048);
        var token = broken switch
        {
            "aud" => f.Stub.Token(Claims(now, aud: "https://elsewhere.test")),
            "iss" => f.Stub.Token(Claims(now, iss: "https://evil.test")),
            "exp" => f.Stub.Token(Claims(now - 7200)),
            "email" => f.Stub.Token(Claims(now, email: "someone@else.iam.gserviceaccount.com")),
            "key" => f.Stub.Token(Claims(now), key: otherKey),
            _ => null,
        };
        var (status, _, text) = await PushAsync(token, GmailMailbox, 42);
        Assert.True(status == HttpStatusCode.Unauthorized, text);
    }

    [Fact]
    public async Task A_push_for_an_unknown_mailbox_is_acknowledged_and_dropped()
    {
        var (status, json, _) = await PushAsync(ValidToken(), "stranger@elsewhere.test", 77);
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(0, json!["accepted"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_push_whose_data_is_not_base64_json_is_a_400_naming_message_data()
    {
        var envelope = new JsonObject { ["message"] = new JsonObject { ["data"] = "%%%", ["messageId"] = "1" }, ["subscription"] = "projects/p/subscriptions/s" };
        using var client = f.App.ClientWithKey(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ValidToken());
        var (status, _, text) = await PostJsonAsync(client, "/ingest/gmail", envelope);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("message.data", text, StringComparison.Ordinal);
    }

    private string ValidToken() => f.Stub.Token(Claims(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    private static Dictionary<string, object> Claims(long now, string aud = PushAudience, string iss = "https://accounts.google.com", string email = PushServiceAccount) => new()
    {
        ["iss"] = iss, ["aud"] = aud, ["iat"] = now - 10, ["exp"] = now + 3600, ["email"] = email, ["email_verified"] = true, ["sub"] = "1234567890",
    };

    private async Task<(HttpStatusCode Status, JsonNode? Json, string Text)> PushAsync(string? token, string mailbox, ulong historyId)
    {
        var data = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new { emailAddress = mailbox, historyId }));
        var envelope = new JsonObject
        {
            ["message"] = new JsonObject { ["data"] = data, ["messageId"] = "2070443601311540", ["publishTime"] = "2026-11-21T19:13:55.749Z" },
            ["subscription"] = "projects/acme/subscriptions/gmail-push",
        };
        using var client = f.App.ClientWithKey(null);
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await PostJsonAsync(client, "/ingest/gmail", envelope);
    }

    private static JsonObject GmailMessage(string id, string messageId, string from = "\"Ana Ruiz\" <Ana@Prospect.test>",
        string to = "Inbox <inbox@acme.test>, \"Sales, EMEA\" <emea@acme.test>", string? cc = null, DateTimeOffset? received = null,
        string? text = "Can we see a demo next week?", string label = "INBOX", string? deliveredTo = null, string? html = null,
        string subject = "Demo request")
    {
        static string B64Url(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return new JsonObject
        {
            ["id"] = id,
            ["threadId"] = "t-" + id,
            ["labelIds"] = new JsonArray(label),
            ["internalDate"] = (received?.ToUnixTimeMilliseconds() ?? 1763716435000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["payload"] = new JsonObject
            {
                ["mimeType"] = "multipart/alternative",
                ["headers"] = new JsonArray(
                    new JsonObject { ["name"] = "Message-ID", ["value"] = messageId },
                    new JsonObject { ["name"] = "From", ["value"] = from },
                    new JsonObject { ["name"] = "To", ["value"] = to },
                    new JsonObject { ["name"] = "Cc", ["value"] = cc },
                    new JsonObject { ["name"] = "Subject", ["value"] = subject },
                    new JsonObject { ["name"] = "References", ["value"] = "<out-1@acme.test>" },
                    new JsonObject { ["name"] = "Delivered-To", ["value"] = deliveredTo }),
                ["parts"] = new JsonArray([
                    .. text is null ? Array.Empty<JsonObject>() : [new JsonObject { ["mimeType"] = "text/plain", ["body"] = new JsonObject { ["data"] = B64Url(text) } }],
                    new JsonObject { ["mimeType"] = "text/html", ["body"] = new JsonObject { ["data"] = B64Url(html ?? $"<p>{text}</p>") } }]),
            },
        };
    }
}
