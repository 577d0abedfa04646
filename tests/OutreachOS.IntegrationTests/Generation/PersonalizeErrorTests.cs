using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using static OutreachOS.IntegrationTests.Generation.GenerationApi;

namespace OutreachOS.IntegrationTests.Generation;

/// <summary>Every 400, 402 and 404 of /personalize, and organization isolation.</summary>
public sealed class PersonalizeErrorTests(GenerationAppFixture fixture) : IClassFixture<GenerationAppFixture>
{
    public static TheoryData<string, string> InvalidBodies()
    {
        JsonObject With(Action<JsonObject> change)
        {
            var b = Body();
            change(b);
            return b;
        }

        return new TheoryData<string, string>
        {
            { With(b => b["channel"] = "FAX").ToJsonString(), "channel" },
            { With(b => b.Remove("channel")).ToJsonString(), "channel" },
            { With(b => b["tone"] = "SHOUTY").ToJsonString(), "tone" },
            { With(b => b["framework"] = "XYZ").ToJsonString(), "framework" },
            { With(b => b["variant_count"] = 0).ToJsonString(), "variant_count" },
            { With(b => b["variant_count"] = 4).ToJsonString(), "variant_count" },
            { With(b => b["variant_count"] = "three").ToJsonString(), "variant_count" },
            { With(b => b["constraints"]!["max_words"] = 0).ToJsonString(), "constraints.max_words" },
            { With(b => b["constraints"]!["max_words"] = -5).ToJsonString(), "constraints.max_words" },
            { With(b => b["lead"]!["first_name"] = " ").ToJsonString(), "lead.first_name" },
            { With(b => b["lead"]!.AsObject().Remove("first_name")).ToJsonString(), "lead.first_name" },
            { With(b => b["lead"]!.AsObject().Remove("company_name")).ToJsonString(), "lead.company_name" },
            { With(b => b.Remove("lead")).ToJsonString(), "lead" },
            { With(b => b["lead"]!["domain"] = "not a domain").ToJsonString(), "lead.domain" },
            { With(b => b.Remove("goal")).ToJsonString(), "goal" },
            { With(b => b["goal"] = new string('g', 201)).ToJsonString(), "goal" },
            { With(b => b["company_context"]!["keywords"] = new JsonArray("ok", "")).ToJsonString(), "company_context.keywords[1]" },
            { With(b => b["company_context"]!["summary"] = new string('s', 2001)).ToJsonString(), "company_context.summary" },
            { With(b => b["unexpected"] = 1).ToJsonString(), "unexpected" },
            { "{\"channel\": \"EMAIL\",", "body" },
        };
    }

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Bad_input_is_a_400_problem_naming_the_field(string body, string field)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await fixture.Client.PostAsync("/personalize", content);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(json["errors"]!.AsObject().ContainsKey(field), json.ToJsonString());
    }

    /// <summary>
    /// A body that does not bind says what the field takes, in the API's terms. It said "The JSON value could not be
    /// converted to OutreachOS.Generation.Contracts.PersonalizeRequest." (a .NET type, and not even the field's), named
    /// .NET members for an unknown field, and answered an empty body with ASP.NET's advice to "use a Service instead".
    /// </summary>
    [Theory]
    [InlineData("{\"channel\": \"FAX\"}", "channel", "must be one of EMAIL, LINKEDIN, SMS")]
    [InlineData("{\"channel\": \"EMAIL\", \"tone\": 3}", "tone", "must be one of PROFESSIONAL, FRIENDLY, DIRECT")]
    [InlineData("{\"variant_count\": \"three\"}", "variant_count", "must be a whole number")]
    [InlineData("{\"company_context\": {\"keywords\": [\"a\", 1]}}", "company_context.keywords[1]", "must be a string")]
    [InlineData("{\"company_context\": {\"keywords\": \"a\"}}", "company_context.keywords", "must be an array")]
    [InlineData("{\"lead\": \"Ann\"}", "lead", "must be an object")]
    [InlineData("{\"constraints\": {\"include_subjects\": \"yes\"}}", "constraints.include_subjects", "must be true or false")]
    [InlineData("{\"unexpected\": 1}", "unexpected", "is not a field of this request")]
    [InlineData("[1, 2]", "body", "must be an object")]
    [InlineData("", "body", "is required")]
    public async Task A_body_that_does_not_bind_says_what_the_field_takes(string body, string field, string reason)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await fixture.Client.PostAsync("/personalize", content);
        var text = await response.Content.ReadAsStringAsync();
        var json = JsonNode.Parse(text)!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([reason], json["errors"]![field]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.DoesNotContain("OutreachOS.", text, StringComparison.Ordinal);
        Assert.DoesNotContain(".NET", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every value that does not bind is named, not only the first one the serializer meets: a client fixing a body sees
    /// all of them at once. The serializer stopped at "channel" and the other five were found one request at a time.
    /// </summary>
    [Fact]
    public async Task A_body_with_several_values_that_do_not_bind_names_every_one()
    {
        const string body = """
            {"channel": "FAX", "tone": "LOUD", "variant_count": "three", "colour": "red",
             "lead": {"first_name": 5, "last_name": "Lee"},
             "company_context": {"summary": "s", "keywords": ["ok", 2, true]},
             "constraints": {"include_subjects": "yes", "max_words": 120}}
            """;
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await fixture.Client.PostAsync("/personalize", content);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = json["errors"]!.AsObject().ToDictionary(kv => kv.Key, kv => string.Join(" | ", kv.Value!.AsArray().Select(r => r!.GetValue<string>())));
        Assert.Equal(new Dictionary<string, string>
        {
            ["channel"] = "must be one of EMAIL, LINKEDIN, SMS",
            ["tone"] = "must be one of PROFESSIONAL, FRIENDLY, DIRECT",
            ["variant_count"] = "must be a whole number",
            ["colour"] = "is not a field of this request",
            ["lead.first_name"] = "must be a string",
            ["company_context.keywords[1]"] = "must be a string",
            ["company_context.keywords[2]"] = "must be a string",
            ["constraints.include_subjects"] = "must be true or false",
        }, errors);
        Assert.StartsWith("'channel': must be one of EMAIL, LINKEDIN, SMS (and 7 more", json["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_invalid_fields_are_all_named_at_once()
    {
        var body = Body();
        body["variant_count"] = 4;
        body["constraints"]!["max_words"] = 0;
        body["lead"]!["first_name"] = "";
        var (status, json) = await PostAsync(fixture.Client, "/personalize", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["constraints.max_words", "lead.first_name", "variant_count"], json["errors"]!.AsObject().Select(kv => kv.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_refused_before_it_is_read()
    {
        var body = Body();
        body["company_context"]!["summary"] = new string('x', 1_100_000);
        var (status, json) = await PostAsync(fixture.Client, "/personalize", body);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("https://outreachos.dev/problems/too-large", json["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Low_credits_degrade_to_what_the_balance_covers_and_none_left_is_402()
    {
        var free = await fixture.NewOrganizationAsync("FREE"); // 2 credits in this fixture

        var (status, first) = await PostAsync(free, "/personalize", Body(variantCount: 3));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(first["degraded"]!.GetValue<bool>());
        Assert.Equal(2, first["variants"]!.AsArray().Count); // the balance covers two of the three asked for
        Assert.Equal(2, first["credits"]!["charged"]!.GetValue<int>());
        Assert.Equal(0, first["credits"]!["remaining"]!.GetValue<int>());
        // A set the balance degrades is reserved before the model writes it (ADR 0033): the record shows that set alone,
        // asked for the two variants it was served with, and nothing of the three it could not pay for.
        var (_, audit) = await GetAsync(free, $"/personalize/{first["request_id"]}");
        Assert.Equal(TwoStepSet, EventTypes(audit));
        Assert.Equal([0, 1], audit["attempt_sets"]![0]!["attempts"]![0]!["variant_indexes"]!.AsArray().Select(i => i!.GetValue<int>()));

        var (outStatus, problem) = await PostAsync(free, "/personalize", Body());
        Assert.Equal(HttpStatusCode.PaymentRequired, outStatus);
        Assert.Contains("credit", problem["detail"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);

        var (regenStatus, _) = await PostAsync(free, $"/personalize/{first["request_id"]}/regenerate", null);
        Assert.Equal(HttpStatusCode.PaymentRequired, regenStatus);
        var (replayStatus, _) = await PostAsync(free, $"/personalize/{first["request_id"]}/replay", new JsonObject());
        Assert.Equal(HttpStatusCode.PaymentRequired, replayStatus);
    }

    [Fact]
    public async Task Unknown_request_ids_are_404_on_every_route()
    {
        var id = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(fixture.Client, $"/personalize/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(fixture.Client, "/personalize/not-a-guid")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(fixture.Client, $"/personalize/{id}/select", new JsonObject { ["variant_index"] = 0 })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(fixture.Client, $"/personalize/{id}/regenerate", null)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(fixture.Client, $"/personalize/{id}/replay", new JsonObject())).Status);
    }

    [Fact]
    public async Task Another_organizations_request_is_404_and_untouched()
    {
        var owner = await fixture.NewOrganizationAsync();
        var other = await fixture.NewOrganizationAsync();
        var (_, created) = await PostAsync(owner, "/personalize", Body());
        var id = created["request_id"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(other, $"/personalize/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(other, $"/personalize/{id}/select", new JsonObject { ["variant_index"] = 0 })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(other, $"/personalize/{id}/regenerate", null)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(other, $"/personalize/{id}/replay", new JsonObject())).Status);

        var (_, audit) = await GetAsync(owner, $"/personalize/{id}");
        Assert.Null(audit["selection"]);
        Assert.Empty(audit["replays"]!.AsArray());
        Assert.Single(audit["attempt_sets"]!.AsArray());
    }

    [Fact]
    public async Task Select_validates_the_index_and_the_edit()
    {
        var (_, created) = await PostAsync(fixture.Client, "/personalize", Body(variantCount: 2));
        var id = created["request_id"]!.GetValue<string>();
        var (s1, p1) = await PostAsync(fixture.Client, $"/personalize/{id}/select", new JsonObject { ["variant_index"] = 2 });
        Assert.Equal(HttpStatusCode.BadRequest, s1);
        Assert.True(p1["errors"]!.AsObject().ContainsKey("variant_index"));
        var (s2, p2) = await PostAsync(fixture.Client, $"/personalize/{id}/select", new JsonObject());
        Assert.Equal(HttpStatusCode.BadRequest, s2);
        Assert.True(p2["errors"]!.AsObject().ContainsKey("variant_index"));
        var (s3, p3) = await PostAsync(fixture.Client, $"/personalize/{id}/select", new JsonObject { ["variant_index"] = 0, ["edited_message"] = "" });
        Assert.Equal(HttpStatusCode.BadRequest, s3);
        Assert.True(p3["errors"]!.AsObject().ContainsKey("edited_message"));
    }

    [Fact]
    public async Task Unauthenticated_calls_are_401()
    {
        using var anonymous = fixture.App.ClientWithKey(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(anonymous, "/personalize", Body())).Status);
    }
}
