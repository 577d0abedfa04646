using Microsoft.Extensions.Configuration;
using OutreachOS.Ingestion;
using OutreachOS.Ingestion.Accepting;
using OutreachOS.Ingestion.Contracts;

namespace OutreachOS.UnitTests.Ingestion;

/// <summary>What makes two mailbox messages under one Message-ID the same message, and the Gmail catch-up bounds.</summary>
public sealed class MailboxIdentityTests
{
    private static readonly Guid Org = Guid.Parse("00000000-0000-7000-8000-000000000001");

    private static InboundEmail Message(string text = "Can we see a demo?", string subject = "Demo", string from = "ana@prospect.test") => new(
        "<m1@prospect.test>", "thread-1", new MailAddress(from, "Ana"), [new MailAddress("sales@acme.test")], [], subject, text, $"<p>{text}</p>",
        new Dictionary<string, string> { ["delivered-to"] = "sales@acme.test" }, DateTimeOffset.UnixEpoch, null, []);

    [Fact]
    public void A_copy_delivered_to_another_mailbox_has_the_same_message_hash_though_its_content_hash_differs()
    {
        var original = Message();
        var copy = original with
        {
            MessageId = "m1@prospect.test",
            ThreadId = "another-thread",
            Headers = new Dictionary<string, string> { ["delivered-to"] = "support@acme.test", ["x-spam"] = "0" },
            To = [new MailAddress("support@acme.test")],
            Html = "<div>Can we see a demo?</div>",
            ReceivedAt = DateTimeOffset.UnixEpoch.AddMinutes(1),
        };

        Assert.Equal(InboundContent.MessageSha256(original), InboundContent.MessageSha256(copy));
        Assert.NotEqual(InboundContent.Sha256(original), InboundContent.Sha256(copy));
    }

    [Theory]
    [InlineData("text")]
    [InlineData("subject")]
    [InlineData("from")]
    public void Another_message_under_the_same_message_id_has_another_hash_and_another_derived_inbound_id(string differs)
    {
        var original = Message();
        var other = differs switch
        {
            "text" => Message(text: "Please cancel."),
            "subject" => Message(subject: "Cancel"),
            _ => Message(from: "mallory@elsewhere.test"),
        };
        var (a, b) = (InboundContent.MessageSha256(original), InboundContent.MessageSha256(other));

        Assert.NotEqual(a, b);
        Assert.NotEqual(DeterministicId.InboundReused(Org, original.MessageId, a), DeterministicId.InboundReused(Org, other.MessageId, b));
        Assert.NotEqual(DeterministicId.Inbound(Org, original.MessageId), DeterministicId.InboundReused(Org, other.MessageId, b));
        Assert.Equal(DeterministicId.InboundReused(Org, "<m1@prospect.test>", b), DeterministicId.InboundReused(Org, "m1@prospect.test", b));
    }

    [Fact]
    public void Gmail_catch_up_bounds_default_and_refuse_nonsense()
    {
        static IngestionOptions Load(Dictionary<string, string?> s) =>
            IngestionOptions.From(new ConfigurationBuilder().AddInMemoryCollection(s).Build());

        var defaults = Load([]).Gmail.CatchUp;
        Assert.Equal((1000, 20, TimeSpan.FromHours(1)), (defaults.MaxMessages, defaults.MaxPages, defaults.Overlap));
        var set = Load(new() { ["Ingestion:Gmail:CatchUp:MaxMessages"] = "50", ["Ingestion:Gmail:CatchUp:MaxPages"] = "3", ["Ingestion:Gmail:CatchUp:OverlapMinutes"] = "5" }).Gmail.CatchUp;
        Assert.Equal((50, 3, TimeSpan.FromMinutes(5)), (set.MaxMessages, set.MaxPages, set.Overlap));
        foreach (var (key, value) in new[] { ("MaxMessages", "0"), ("MaxPages", "0"), ("OverlapMinutes", "-1"), ("OverlapMinutes", "5000") })
        {
            var e = Assert.Throws<InvalidOperationException>(() => Load(new() { ["Ingestion:Gmail:CatchUp:" + key] = value }));
            Assert.Contains("Ingestion:Gmail:CatchUp:" + key, e.Message, StringComparison.Ordinal);
        }
    }
}
