using OutreachOS.Ingestion.Graph;

namespace OutreachOS.UnitTests.Ingestion;

/// <summary>Which Graph notification resources name a message of the subscribed mailbox, and what is fetched for them.</summary>
public sealed class GraphResourceTests
{
    private const string ObjectId = "ed2e3b5d-7b2c-4f4e-9a4f-4a0c9b0b1c2d";

    [Theory]
    [InlineData("Users/u1/Messages/AAMkAGI2=", "u1", "users/u1/messages/AAMkAGI2=")]
    [InlineData("/users/U1/messages/AA-_+1", "u1", "users/u1/messages/AA-_+1")]
    [InlineData("Users/Sales@Acme.test/Messages/AAMk1", "sales@acme.test", "users/sales@acme.test/messages/AAMk1")]
    [InlineData("Users/" + ObjectId + "/Messages/AAMk1", "sales@acme.test", "users/sales@acme.test/messages/AAMk1")] // Graph names the user by object id
    public void A_message_of_the_subscribed_mailbox_is_fetched_from_that_mailbox(string resource, string user, string expected) =>
        Assert.Equal(expected, GraphResource.MessageOf(resource, user));

    [Theory]
    [InlineData("https://evil.example/x")]
    [InlineData("https://graph.microsoft.com/v1.0/users/u1/messages/AAMk1")]
    [InlineData("//evil.example/users/u1/messages/AAMk1")]
    [InlineData("Users/ceo@org-b.test/Messages/AAMk1")]
    [InlineData("Users/" + ObjectId + "/Messages/AAMk1")] // configured by object id: another object id is another user
    [InlineData("Users/u1/Messages/../../ceo@org-b.test/Messages/AAMk1")]
    [InlineData("Users/u1/Messages/..")]
    [InlineData("Users/u1/Messages/%2e%2e")]
    [InlineData("Users/u1/Messages/AAMk1?$expand=attachments")]
    [InlineData("Users/u1/Messages/AAMk1#x")]
    [InlineData("Users/u1/Messages/AAMk1/attachments")]
    [InlineData("Users/u1/mailFolders/AAMk1")]
    [InlineData("me/messages/AAMk1")]
    [InlineData("Users/u1/Messages/")]
    [InlineData("")]
    public void Anything_else_is_refused(string resource)
    {
        var user = resource.Contains(ObjectId, StringComparison.Ordinal) ? "3f0c9b0b-0000-4f4e-9a4f-4a0c9b0b1c2d" : "u1";
        Assert.Null(GraphResource.MessageOf(resource, user));
    }
}
