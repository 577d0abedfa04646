using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OutreachOS.Ingestion.Contracts;
using static OutreachOS.IntegrationTests.Ingestion.IngestionAppFixture;

namespace OutreachOS.IntegrationTests.Ingestion;

/// <summary>Contact CSV import, lookup merged with HubSpot (stub), and HubSpot notes.</summary>
[Collection(IngestionCollection.Name)]
public sealed class ContactTests(IngestionAppFixture f)
{
    [Fact]
    public async Task A_csv_import_keeps_good_lines_reports_bad_ones_and_updates_on_reimport()
    {
        var a = $"a{Guid.NewGuid():N}@customer.test";
        var b = $"b{Guid.NewGuid():N}@customer.test";
        var csv = $"email,name,company,vip,tags\r\n{a},\"Ruiz, Ana\",\"Acme \"\"Blue\"\" Ltd\",yes,pricing;emea\r\nnot-an-email,X,Y,no,\r\n{b},Bo,Beta,maybe,\r\n{b.ToUpperInvariant()},Bo,Beta,no,\"multi\nline\"\r\n";

        var (status, json, text) = await SendAsync(f.Client, HttpMethod.Post, "/contacts/import", new StringContent(csv, Encoding.UTF8, "text/csv"));

        Assert.True(status == HttpStatusCode.OK, text);
        Assert.Equal(2, json!["imported"]!.GetValue<int>());
        Assert.Equal(0, json["updated"]!.GetValue<int>());
        var errors = json["errors"]!.AsArray();
        Assert.Equal(2, errors.Count);
        Assert.Equal(3, errors[0]!["line"]!.GetValue<int>());
        Assert.Equal("email", errors[0]!["field"]!.GetValue<string>());
        Assert.Equal(4, errors[1]!["line"]!.GetValue<int>());
        Assert.Equal("vip", errors[1]!["field"]!.GetValue<string>());

        var (got, contact, _) = await SendAsync(f.Client, HttpMethod.Get, $"/contacts/{a}", null);
        Assert.Equal(HttpStatusCode.OK, got);
        Assert.Equal("Ruiz, Ana", contact!["name"]!.GetValue<string>());
        Assert.Equal("Acme \"Blue\" Ltd", contact["company"]!.GetValue<string>());
        Assert.True(contact["vip"]!.GetValue<bool>());
        Assert.Equal(["pricing", "emea"], contact["tags"]!.AsArray().Select(t => t!.GetValue<string>()));

        var again = await SendAsync(f.Client, HttpMethod.Post, "/contacts/import", new StringContent($"email,vip\n{a},no\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(1, again.Json!["updated"]!.GetValue<int>());
        var (_, updated, _) = await SendAsync(f.Client, HttpMethod.Get, $"/contacts/{a}", null);
        Assert.False(updated!["vip"]!.GetValue<bool>());
        Assert.Equal("Ruiz, Ana", updated["name"]!.GetValue<string>()); // column absent: kept
    }

    [Fact]
    public async Task A_control_character_in_a_field_fails_its_line_naming_the_field_and_the_other_lines_are_imported()
    {
        var (a, b, c) = ($"a{Guid.NewGuid():N}@customer.test", $"b{Guid.NewGuid():N}@customer.test", $"c{Guid.NewGuid():N}@customer.test");
        var csv = $"email,name,company\n{a},Ana,Acme\n{b},Bo\0b,Beta\n{c},\"Cy\tCo\",\"Gamma\nLtd\"\n";

        var (status, json, text) = await SendAsync(f.Client, HttpMethod.Post, "/contacts/import", new StringContent(csv, Encoding.UTF8, "text/csv"));

        Assert.True(status == HttpStatusCode.OK, text);
        Assert.Equal(2, json!["imported"]!.GetValue<int>());
        var error = Assert.Single(json["errors"]!.AsArray());
        Assert.Equal((3, "name"), (error!["line"]!.GetValue<int>(), error["field"]!.GetValue<string>()));
        Assert.Contains("U+0000", error["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(f.Client, HttpMethod.Get, $"/contacts/{b}", null)).Status);
        var (_, contact, _) = await SendAsync(f.Client, HttpMethod.Get, $"/contacts/{c}", null);
        Assert.Equal(("Cy\tCo", "Gamma\nLtd"), (contact!["name"]!.GetValue<string>(), contact["company"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Contacts_are_scoped_to_the_organization()
    {
        var a = $"a{Guid.NewGuid():N}@customer.test";
        await SendAsync(f.Client, HttpMethod.Post, "/contacts/import", new StringContent($"email,name\n{a},Ana\n", Encoding.UTF8, "text/csv"));
        using var other = await f.NewOrganizationAsync();
        var (status, _, _) = await SendAsync(other, HttpMethod.Get, $"/contacts/{a}", null);
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task A_csv_without_an_email_column_is_a_400_naming_the_header()
    {
        var (status, _, text) = await SendAsync(f.Client, HttpMethod.Post, "/contacts/import", new StringContent("name,company\nAna,Acme\n", Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("header", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_directory_merges_the_hubspot_contact_and_notes_are_associated_with_it()
    {
        var email = $"c{Guid.NewGuid():N}@customer.test";
        f.Stub.HubSpotContacts[email] = ("hs-501", "Cara", "Diaz", "Gamma GmbH");
        await SendAsync(f.Client, HttpMethod.Post, "/contacts/import", new StringContent($"email,vip\n{email},true\n", Encoding.UTF8, "text/csv"));

        var directory = f.App.Services.GetRequiredService<IContactDirectory>();
        var contact = await directory.FindAsync(PlatformOrg, email);
        Assert.NotNull(contact);
        Assert.Equal("hs-501", contact.CrmId);
        Assert.Equal("Cara Diaz", contact.Name);
        Assert.Equal("Gamma GmbH", contact.Company);
        Assert.True(contact.Vip);

        var crm = f.App.Services.GetRequiredService<ICrmAdapter>();
        Assert.Equal("HubSpot", crm.Name);
        var noteId = await crm.LogNoteAsync(PlatformOrg, email, "Auto-replied with pricing");
        Assert.StartsWith("note-", noteId, StringComparison.Ordinal);
        var note = f.Stub.Requests.Last(r => r.Path == "/hubspot/crm/v3/objects/notes");
        Assert.Equal("Bearer " + ProviderStub.HubSpotToken, note.Authorization);
        Assert.Contains("\"hs_note_body\":\"Auto-replied with pricing\"", note.Body, StringComparison.Ordinal);
        Assert.Contains("\"id\":\"hs-501\"", note.Body, StringComparison.Ordinal);
        Assert.Contains("\"associationTypeId\":202", note.Body, StringComparison.Ordinal);

        Assert.Null(await crm.LogNoteAsync(PlatformOrg, "nobody@nowhere.test", "x"));
    }
}
