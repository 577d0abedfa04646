using OutreachOS.Ingestion.Contacts;

namespace OutreachOS.UnitTests.Ingestion;

public sealed class ContactCsvTests
{
    [Fact]
    public void Quoted_fields_keep_commas_doubled_quotes_and_line_breaks()
    {
        var r = ContactCsv.Parse("email,name,company,vip,tags\r\nana@x.test,\"Ruiz, Ana\",\"Say \"\"hi\"\"\",true,\"a;b|c\"\r\nbo@x.test,\"Bo\nMulti\",,,\r\n");
        Assert.Empty(r.Errors);
        Assert.Equal(2, r.Rows.Count);
        Assert.Equal("Ruiz, Ana", r.Rows[0].Name);
        Assert.Equal("Say \"hi\"", r.Rows[0].Company);
        Assert.True(r.Rows[0].Vip);
        Assert.Equal(["a", "b", "c"], r.Rows[0].Tags);
        Assert.Equal("Bo\nMulti", r.Rows[1].Name);
        Assert.Equal(3, r.Rows[1].Line);
    }

    [Fact]
    public void Bad_lines_are_reported_with_their_line_and_field_and_good_lines_kept()
    {
        var r = ContactCsv.Parse("email,vip\nok@x.test,no\nbroken,no\nvip@x.test,perhaps\n\"unterminated@x.test,yes\n");
        Assert.Equal(["ok@x.test"], r.Rows.Select(x => x.Email));
        Assert.Equal([(3, "email"), (4, "vip"), (5, "line")], r.Errors.Select(e => (e.Line, e.Field)));
    }

    [Fact]
    public void Columns_are_found_by_name_in_any_order_and_absent_ones_are_null()
    {
        var r = ContactCsv.Parse("Tags,EMAIL\nvip;x,Ana@X.test\n");
        var row = Assert.Single(r.Rows);
        Assert.Equal("ana@x.test", row.Email);
        Assert.Null(row.Name);
        Assert.Null(row.Vip);
        Assert.Equal(["vip", "x"], row.Tags);
    }

    [Fact]
    public void A_header_without_email_is_a_header_error()
    {
        Assert.NotNull(ContactCsv.Parse("name,company\nA,B\n").HeaderError);
        Assert.NotNull(ContactCsv.Parse("").HeaderError);
    }

    [Fact]
    public void A_row_with_more_fields_than_the_header_is_an_error()
    {
        var r = ContactCsv.Parse("email,name\na@x.test,A,extra\n");
        Assert.Empty(r.Rows);
        Assert.Equal("line", Assert.Single(r.Errors).Field);
    }

    [Fact]
    public void A_control_character_fails_its_line_naming_each_field_and_tabs_and_line_breaks_do_not()
    {
        var r = ContactCsv.Parse("email,name,company,last_deal,notes\nok@x.test,\"Ana\tRuiz\",\"Acme\nLtd\",Won\tbig,\nnul@x.test,Bo\0b,Be\u0085ta,,\nnote@x.test,Cy,,,ignored\u0001column\n");
        Assert.Equal(["ok@x.test", "note@x.test"], r.Rows.Select(x => x.Email));
        Assert.Equal(("Ana\tRuiz", "Acme\nLtd", "Won big"), (r.Rows[0].Name, r.Rows[0].Company, r.Rows[0].LastDeal));
        Assert.Equal([(4, "name"), (4, "company")], r.Errors.Select(e => (e.Line, e.Field)));
        Assert.Contains("U+0000", r.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("U+0085", r.Errors[1].Reason, StringComparison.Ordinal);
    }
}
