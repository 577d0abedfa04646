using OutreachOS.Guardrails.Checks;
using OutreachOS.Guardrails.Contracts;
using static OutreachOS.UnitTests.Guardrails.GuardrailFixtures;

namespace OutreachOS.UnitTests.Guardrails;

public sealed class UnsourcedClaimsCheckTests
{
    [Theory]
    [InlineData("Customers book 12% more meetings with Outreachly.", "Signals: hiring 12 SDRs", "12%")]
    [InlineData("Teams see 2% more replies.", "Funding: $2M seed", "2%")]
    [InlineData("Our drafts lift replies by 40%.", "40 regional retailers", "40%")]
    public void A_percentage_is_sourced_only_by_a_percentage(string body, string source, string span)
    {
        var flag = Single(Run<UnsourcedClaimsCheck>(WithSources(body, source)), RiskCodes.UnsourcedPercent);
        AssertSpan(flag, body, span);
    }

    [Fact]
    public void A_duration_in_the_goal_does_not_source_a_percentage()
    {
        var body = "Teams see a 15% jump in replies. Open to a 15-min call?";
        var input = WithSources(body, "freight software") with { Goal = "book a 15-min call" };
        AssertSpan(Single(Run<UnsourcedClaimsCheck>(input), RiskCodes.UnsourcedPercent), body, "15%");
    }

    [Fact]
    public void A_count_is_sourced_neither_by_a_percentage_nor_by_the_figure_inside_an_amount()
    {
        var body = "You added 2 carriers and 40 retailers.";
        var flags = Run<UnsourcedClaimsCheck>(WithSources(body, "Funding: $2M seed", "40% growth in shipments"))
            .Where(f => f.Code == RiskCodes.UnsourcedNumber).ToList();
        Assert.Equal(["2", "40"], flags.Select(f => f.Span!.Text));
    }

    [Fact]
    public void A_year_of_a_sourced_date_sources_the_year()
    {
        Assert.Empty(Run<UnsourcedClaimsCheck>(WithSources("Since 2024 you ship from Chicago.", "Chicago office opened 2024-03-05")));
    }

    [Theory]
    [InlineData("We work with Stripe, Notion and Ramp.", "Stripe|Notion|Ramp")]
    [InlineData("Teams like Ramp and Gong rely on us.", "Ramp|Gong")]
    [InlineData("Ramp and Gong both rely on us.", "Ramp|Gong")]
    [InlineData("Reps at Notion use our drafts daily.", "Notion")]
    [InlineData("We partner with Flexport and Gong.", "Flexport|Gong")]
    public void Names_in_a_customer_claim_need_to_be_presented_as_customers_in_the_sources(string body, string names)
    {
        // "Gong" is in the lead's tech stack and "ramp" is a common word in the keywords: neither makes a customer.
        var flags = Run<UnsourcedClaimsCheck>(WithSources(body, Sources)).Where(f => f.Code == RiskCodes.UnsourcedCustomer).ToList();

        Assert.Equal(names.Split('|'), flags.Select(f => f.Span!.Text));
        Assert.All(flags, f => Assert.Equal(RiskSeverity.Block, f.Severity));
    }

    [Theory]
    [InlineData("We work with Stripe and Ramp.", "Customer logos: Stripe, Ramp")]
    [InlineData("Teams like Ramp rely on us.", "Case study: Ramp halved rep ramp time")]
    [InlineData("Teams at companies like Acme Logistics hire SDRs in waves.", "freight")]
    [InlineData("Recruiters rely on us for this.", "freight")]
    [InlineData("SDR teams on HubSpot use our drafts.", "Tech stack: HubSpot")]
    [InlineData("Outreachly works with HubSpot.", "Tech stack: HubSpot", "Sender: Tom Baker, Outreachly")]
    public void Sourced_customers_the_lead_itself_and_plain_words_are_not_customer_claims(string body, params string[] sources)
    {
        var input = WithSources(body, sources) with { LeadCompany = "Acme Logistics" };
        var flags = Run<UnsourcedClaimsCheck>(input);
        Assert.True(flags.Count == 0, Describe(flags));
    }

    [Theory]
    [InlineData("Stripe relies on us for outbound.", "Stripe")]
    [InlineData("Stripe uses us for every new rep.", "Stripe")]
    [InlineData("Stripe trusts us with its outbound.", "Stripe")]
    [InlineData("Stripe runs on our platform.", "Stripe")]
    [InlineData("Stripe chose us last year.", "Stripe")]
    [InlineData("Notion switched to us in the spring.", "Notion")]
    [InlineData("Good question. Ramp depends on us for its SDR onboarding.", "Ramp")]
    [InlineData("Hi Sarah,\n\nGong relies on us.", "Gong")]
    [InlineData("Stripe is a customer of ours.", "Stripe")]
    [InlineData("Stripe has been using our drafts since spring.", "Stripe")]
    [InlineData("Last spring Notion ran on our platform.", "Notion")]
    public void A_name_opening_a_sentence_before_a_reliance_verb_is_a_customer_claim(string body, string span)
    {
        var flag = Single(Run<UnsourcedClaimsCheck>(WithSources(body, Sources)), RiskCodes.UnsourcedCustomer);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, body, span);
    }

    [Theory]
    [InlineData("Teams rely on us for this.")]
    [InlineData("Most teams rely on us for this.")]
    [InlineData("Everyone relies on us for this.")]
    [InlineData("Sales leaders rely on us for this.")]
    [InlineData("Recruiters chose us for this.")]
    [InlineData("Brokers switched to us last year.")]
    [InlineData("Marketing relies on us for the first touch.")]
    [InlineData("Nobody relies on us blindly.")]
    [InlineData("Stripe relies on us.", "Customers include Stripe and Ramp.")]
    [InlineData("Acme Logistics relies on its reps.")]
    [InlineData("Our customers love the drafts.")]
    [InlineData("Reps are using our drafts daily.")]
    [InlineData("In Chicago, a customer asked me the same.")]
    [InlineData("Acme Logistics is a customer of several carriers.")]
    public void A_common_word_or_a_sourced_customer_opening_a_sentence_is_not_an_unsourced_customer(string body, params string[] sources)
    {
        var input = WithSources(body, [.. Sources, .. sources]) with { LeadCompany = "Acme Logistics" };
        var flags = Run<UnsourcedClaimsCheck>(input).Where(f => f.Code == RiskCodes.UnsourcedCustomer).ToList();
        Assert.True(flags.Count == 0, Describe(flags));
    }

    [Theory]
    [InlineData("Salesforce relies on us.", "Customers include Ramp. We integrate with Salesforce and HubSpot.", "Salesforce")]
    [InlineData("We work with Salesforce.", "Our customer Ramp uses Salesforce.", "Salesforce")]
    [InlineData("Trusted by HubSpot.", "Case study: Ramp moved off HubSpot in a week", "HubSpot")]
    [InlineData("We work with Notion.", "Customers: Ramp; integrations: Notion, Slack", "Notion")]
    [InlineData("We partner with Slack.", "Ramp is a customer and lives in Slack.", "Slack")]
    public void Only_names_the_sources_present_as_customers_source_a_customer_claim(string body, string source, string span)
    {
        var flag = Single(Run<UnsourcedClaimsCheck>(WithSources(body, source)), RiskCodes.UnsourcedCustomer);
        AssertSpan(flag, body, span);
    }

    [Theory]
    [InlineData("Stripe, Ramp and Notion rely on us.", "Customers include Stripe, Ramp and Notion.")]
    [InlineData("We work with Ramp.", "Our customer Ramp uses Salesforce.")]
    [InlineData("Trusted by Gong and Ramp.", "Trusted by Gong and Ramp")]
    [InlineData("Ramp relies on us.", "Ramp is a customer.")]
    [InlineData("Ramp and Gong rely on us.", "Ramp and Gong are both customers of ours.")]
    [InlineData("Ramp relies on us.", "Ramp uses our product every day.")]
    [InlineData("Notion relies on us.", "Customer logos: Stripe, Notion")]
    [InlineData("We work with Goldman Sachs.", "Clients such as Goldman Sachs and Brex signed in 2024.")]
    [InlineData("We helped Brex.", "Customers include Ramp. We also helped Brex cut ramp time.")]
    public void Names_presented_as_customers_in_their_own_phrase_source_a_customer_claim(string body, string source)
    {
        var flags = Run<UnsourcedClaimsCheck>(WithSources(body, source)).Where(f => f.Code == RiskCodes.UnsourcedCustomer).ToList();
        Assert.True(flags.Count == 0, Describe(flags));
    }

    [Theory]
    [InlineData("We help 2,000 teams.", "Founded in 2000.", "2,000")]
    [InlineData("We help 1,999 teams.", "Founded in 1999.", "1,999")]
    [InlineData("We help 2,024 teams.", "Since 2024 the team grew.", "2,024")]
    public void A_number_with_a_thousands_separator_is_a_count_that_a_year_does_not_source(string body, string source, string span)
    {
        var flags = Run<UnsourcedClaimsCheck>(WithSources(body, source));
        AssertSpan(Single(flags, RiskCodes.UnsourcedNumber), body, span);
        Assert.DoesNotContain(flags, f => f.Code == RiskCodes.UnsourcedYear);
    }

    [Theory]
    [InlineData("We help 2,000 teams.", "2000 teams")]
    [InlineData("We help 2,000 teams.", "2,000")]
    [InlineData("We help 2,000 teams.", "2 000 teams")]
    [InlineData("We help 2,000 teams.", "2k teams")]
    [InlineData("We help 2000 teams.", "2,000 teams")]
    [InlineData("We help 2,024 teams.", "2024 teams")]
    [InlineData("We help 2,000 marketers.", "2000 marketers")]
    [InlineData("Since 2000 you ship from Chicago.", "Founded in 2000")]
    public void A_thousands_separated_count_is_sourced_by_the_same_count_in_any_notation(string body, string source)
    {
        var flags = Run<UnsourcedClaimsCheck>(WithSources(body, source))
            .Where(f => f.Code is RiskCodes.UnsourcedNumber or RiskCodes.UnsourcedYear).ToList();
        Assert.True(flags.Count == 0, Describe(flags));
    }

    [Fact]
    public void A_count_does_not_source_a_year()
    {
        var body = "Since 2000 you ship from Chicago.";
        AssertSpan(Single(Run<UnsourcedClaimsCheck>(WithSources(body, "2,000 teams")), RiskCodes.UnsourcedYear), body, "2000");
    }

    [Theory]
    [InlineData("Saw you just raised a new round.", "Freight brokerage for retailers around the Midwest.", "raised", RiskCodes.UnsourcedFunding)]
    [InlineData("Congrats on the new funding round!", "Refund automation for retailers.", "new funding", RiskCodes.UnsourcedFunding)]
    [InlineData("Congrats on being acquired by Flexport!", "Focus: lower customer acquisition cost", "being acquired", RiskCodes.UnsourcedFunding)]
    [InlineData("Congrats on the acquisition!", "Focus: lower customer acquisition cost", "the acquisition", RiskCodes.UnsourcedFunding)]
    [InlineData("Congrats on the award!", "Uses revenue recognition software", "award", RiskCodes.UnsourcedAward)]
    public void Claim_evidence_must_start_a_word_of_the_sources(string body, string source, string span, string code)
    {
        var flag = Single(Run<UnsourcedClaimsCheck>(WithSources(body, source)), code);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, body, span);
    }

    [Theory]
    [InlineData("We cut ramp time by 40%.", "Executive summary: 40% faster onboarding", "cut")]
    [InlineData("Our drafts lift reply rates by 40%.", "Forklift fleet: 40% utilisation", "lift")]
    public void Metric_evidence_must_start_a_word_of_the_sources(string body, string source, string span)
    {
        var flag = Single(Run<UnsourcedClaimsCheck>(WithSources(body, source)), RiskCodes.UnsourcedMetric);
        AssertSpan(flag, body, span);
    }

    [Theory]
    [InlineData("Saw you just raised a new round.", "Raised a seed round led by Accel")]
    [InlineData("Congrats on being acquired by Flexport!", "News: Acme was acquired by Flexport in March")]
    [InlineData("Congrats on the award!", "Won the Freight Tech award")]
    [InlineData("Congrats on the award!", "Named a leader by Gartner")]
    [InlineData("We cut ramp time by 40%.", "Customers cut ramp time by 40%")]
    public void Claims_with_word_evidence_in_the_sources_pass(string body, string source)
    {
        var flags = Run<UnsourcedClaimsCheck>(WithSources(body, source))
            .Where(f => f.Code is RiskCodes.UnsourcedFunding or RiskCodes.UnsourcedAward or RiskCodes.UnsourcedMetric).ToList();
        Assert.True(flags.Count == 0, Describe(flags));
    }

    [Theory]
    [InlineData("Outreachly helps you lower customer acquisition cost.")]
    [InlineData("The acquisition of new carriers gets expensive.")]
    [InlineData("Is your acquisition strategy still outbound-first?")]
    [InlineData("Leads acquired by cold calls convert worse.")]
    public void The_word_acquisition_without_a_claim_shape_is_not_a_funding_claim(string body)
    {
        Assert.DoesNotContain(Run<UnsourcedClaimsCheck>(WithSources(body, "freight")), f => f.Code == RiskCodes.UnsourcedFunding);
    }

    [Fact]
    public void A_claim_phrase_is_not_sourced_across_two_source_fields()
    {
        var body = "Congrats on the Series B!";
        var flag = Single(Run<UnsourcedClaimsCheck>(WithSources(body, "Sponsors a TV series", "B corp certified")), RiskCodes.UnsourcedFunding);
        AssertSpan(flag, body, "Series B");
    }

    private static GuardrailInput WithSources(string body, params string[] sources) =>
        Email(body, subject: "Quick question") with { SourceTexts = sources, LeadCompany = null, Goal = null };

    [Fact]
    public void The_clean_email_has_no_unsourced_claim()
    {
        var flags = Run<UnsourcedClaimsCheck>(Email(CleanEmailBody));
        Assert.True(flags.Count == 0, Describe(flags));
    }

    [Fact]
    public void A_planted_percentage_is_blocked_with_its_span()
    {
        var body = "Acme grew 40% last quarter.";
        var flags = Run<UnsourcedClaimsCheck>(WithSources(body, "Acme sells freight software."));

        var flag = Single(flags, RiskCodes.UnsourcedPercent);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, body, "40%");
        Assert.Equal(10, flag.Span!.Start);
    }

    [Theory]
    [InlineData("Acme grew 40% last quarter.", "Shipments: 40 percent growth")]
    [InlineData("Acme grew forty percent last quarter.", "40% growth in Q3")]
    [InlineData("Acme grew 40 per cent last quarter.", "growth of 39.7%")]
    [InlineData("They raised $2M in March.", "raised 2,000,000 dollars in funding")]
    [InlineData("They raised 2 million.", "Funding: $2M seed")]
    [InlineData("They raised $2.5M.", "raised 2.5 million")]
    [InlineData("Revenue passed 10k accounts.", "10,000 accounts")]
    [InlineData("They raised $2M.", "Seed round of US$2M")]
    [InlineData("Acme grew 40% last quarter.", "成長率 ４０％")]
    [InlineData("Acme grew 40% last quarter.", "نمو ٤٠٪")]
    [InlineData("We help 1\u202F000 teams.", "1,000 teams")]
    [InlineData("We help 1,000 teams.", "1\u00A0000 teams")]
    [InlineData("We help 1 000 teams.", "1\u2009000 teams")]
    public void A_figure_present_in_the_sources_in_another_notation_is_sourced(string body, string source)
    {
        var flags = Run<UnsourcedClaimsCheck>(WithSources(body, source))
            .Where(f => f.Code is RiskCodes.UnsourcedPercent or RiskCodes.UnsourcedMoney or RiskCodes.UnsourcedNumber)
            .ToList();
        Assert.True(flags.Count == 0, Describe(flags));
    }

    [Theory]
    [InlineData("Hi Sarah, does Tuesday at \uFF13pm work?", "\uFF13pm")]
    [InlineData("Hi Sarah, does Tuesday at \u0663pm work?", "\u0663pm")]
    [InlineData("Hi Sarah, does Tuesday at \u0967\u096A:\u0969\u0966 work?", "\u0967\u096A:\u0969\u0966")]
    public void A_time_written_with_non_ascii_digits_is_read_instead_of_throwing(string body, string span)
    {
        var flag = Single(Run<UnsourcedClaimsCheck>(WithSources(body, "freight")), RiskCodes.UnsourcedTime);
        AssertSpan(flag, body, span);
    }

    [Fact]
    public void Dates_written_with_non_ascii_digits_are_read_instead_of_throwing()
    {
        var body = "We shipped on March \uFF15 and on \u0662\u0660\u0662\u0664-\u0660\u0663-\u0660\u0665.";
        var flags = Run<UnsourcedClaimsCheck>(WithSources(body, "Launch: June 12th"));
        Assert.Equal(
            ["March \uFF15", "\u0662\u0660\u0662\u0664-\u0660\u0663-\u0660\u0665"],
            flags.Where(f => f.Code == RiskCodes.UnsourcedDate).Select(f => f.Span!.Text));
    }

    [Fact]
    public void Source_figures_written_with_non_ascii_digits_are_indexed_instead_of_throwing()
    {
        var body = "We are open 9:00-18:00, and 40% of your loads are retail.";
        var flags = Run<UnsourcedClaimsCheck>(WithSources(body, "営業時間 ９:００-１８:００", "比率 ４０％"));
        Assert.True(flags.Count == 0, Describe(flags));
    }

    [Theory]
    [InlineData("Teams see \uFF14\uFF10\uFF05 more replies.", "\uFF14\uFF10\uFF05")]
    [InlineData("Teams see \u0664\u0660\u066A more replies.", "\u0664\u0660\u066A")]
    public void A_percentage_in_full_width_or_arabic_indic_digits_is_blocked(string body, string span)
    {
        var flag = Single(Run<UnsourcedClaimsCheck>(WithSources(body, "freight")), RiskCodes.UnsourcedPercent);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, body, span);
        Assert.Contains(span, flag.Detail, StringComparison.Ordinal); // the detail quotes what was written
    }

    [Fact]
    public void No_decimal_digit_of_any_script_makes_the_extraction_throw()
    {
        for (var c = char.MinValue; c < char.MaxValue; c++)
        {
            if (char.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.DecimalDigitNumber)
            {
                continue;
            }

            var d = c.ToString();
            var body = $"Hi Sarah, {d}{d}:{d}{d} or {d}pm on March {d}, {d}/{d}/{d}{d} or {d}{d}{d}{d}-0{d}-0{d}? {d}{d}% and ${d}M.";
            var flags = Run<UnsourcedClaimsCheck>(WithSources(body, $"open {d}:{d}{d}, {d},{d}{d}{d}.5 loads"));
            Assert.True(flags.Any(f => f.Code == RiskCodes.UnsourcedMoney && f.Span!.Text == $"${d}M"), $"U+{(int)c:X4}: {Describe(flags)}");
        }
    }

    [Theory]
    [InlineData("Teams like yours saved US$2M last year.", "US$2M")]
    [InlineData("Teams like yours saved A$500k last year.", "A$500k")]
    [InlineData("Teams like yours saved HK$3M last year.", "HK$3M")]
    [InlineData("Teams like yours saved R$40k last year.", "R$40k")]
    [InlineData("Teams like yours saved USD 2M last year.", "USD 2M")]
    public void An_amount_with_a_country_prefixed_currency_is_blocked_as_money(string body, string span)
    {
        var flag = Single(Run<UnsourcedClaimsCheck>(WithSources(body, "freight")), RiskCodes.UnsourcedMoney);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, body, span);
    }

    [Theory]
    [InlineData("Hi Sarah,40% of brokers ramp slowly.", "40%", RiskCodes.UnsourcedPercent)]
    [InlineData("Good question.40% of brokers ramp slowly.", "40%", RiskCodes.UnsourcedPercent)]
    [InlineData("Hi Sarah,$40k goes to ramp.", "$40k", RiskCodes.UnsourcedMoney)]
    [InlineData("Since FY2023 brokers ramp slowly.", "FY2023", RiskCodes.UnsourcedYear)]
    [InlineData("Since FY24 brokers ramp slowly.", "FY24", RiskCodes.UnsourcedYear)]
    public void A_figure_glued_to_punctuation_or_to_a_fiscal_year_prefix_is_checked(string body, string span, string code)
    {
        AssertSpan(Single(Run<UnsourcedClaimsCheck>(WithSources(body, "freight")), code), body, span);
    }

    [Fact]
    public void A_fiscal_year_is_sourced_by_the_plain_year()
    {
        var flags = Run<UnsourcedClaimsCheck>(WithSources("Since FY2024 brokers ramp slowly.", "Opened a Chicago office in 2024"));
        Assert.DoesNotContain(flags, f => f.Code is RiskCodes.UnsourcedYear or RiskCodes.UnsourcedNumber);
    }

    [Theory]
    [InlineData("Our v2.0 SDK and the Python3.11 agent run inside HubSpot.")]
    [InlineData("The export lands in report.2023.csv on your side.")]
    [InlineData("Ticket abc,123,def is closed.")]
    [InlineData("The BUS$2 route is closed.")]
    public void Version_strings_and_dotted_ids_are_not_figures(string body)
    {
        var flags = Run<UnsourcedClaimsCheck>(WithSources(body, "freight"))
            .Where(f => f.Code is RiskCodes.UnsourcedNumber or RiskCodes.UnsourcedPercent or RiskCodes.UnsourcedMoney or RiskCodes.UnsourcedYear)
            .ToList();
        Assert.True(flags.Count == 0, Describe(flags));
    }

    [Theory]
    [InlineData("We help 1\u00A0000 teams.", "1\u00A0000", "1000")]
    [InlineData("We help 1\u202F000 teams.", "1\u202F000", "1000")]
    [InlineData("We help 1\u2009000 teams.", "1\u2009000", "1000")]
    [InlineData("We help 1 000 teams.", "1 000", "1000")]
    [InlineData("We help 2\u202F500\u202F000 teams.", "2\u202F500\u202F000", "2500000")]
    public void A_number_grouped_by_spaces_is_one_number(string body, string span, string value)
    {
        var flag = Single(Run<UnsourcedClaimsCheck>(WithSources(body, "freight")), RiskCodes.UnsourcedNumber);
        AssertSpan(flag, body, span);
        Assert.Contains($"value {value}", flag.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Space_grouping_needs_a_short_leading_group_and_groups_of_exactly_three_digits()
    {
        var body = "In 2024 100 teams and 12 3456 reps joined.";
        var flags = Run<UnsourcedClaimsCheck>(WithSources(body, "freight"))
            .Where(f => f.Code is RiskCodes.UnsourcedNumber or RiskCodes.UnsourcedYear);
        Assert.Equal(["2024", "100", "12", "3456"], flags.Select(f => f.Span!.Text));
    }

    [Fact]
    public void A_planted_amount_is_blocked_as_money()
    {
        var body = "Congrats on the $20M round!";
        var flag = Single(Run<UnsourcedClaimsCheck>(WithSources(body, "Raised a funding round in 2024")), RiskCodes.UnsourcedMoney);
        AssertSpan(flag, body, "$20M");
    }

    [Fact]
    public void Numbers_in_the_goal_count_as_sourced()
    {
        var input = WithSources("Open to a 15-min call?", "freight software") with { Goal = "book a 15-min call" };
        Assert.Empty(Run<UnsourcedClaimsCheck>(input));
    }

    [Fact]
    public void A_planted_year_and_date_are_blocked_and_a_sourced_date_in_another_format_is_not()
    {
        var body = "Since 2019 you ship on March 5 and on 12 June.";
        var flags = Run<UnsourcedClaimsCheck>(WithSources(body, "Launch: June 12th"));

        AssertSpan(Single(flags, RiskCodes.UnsourcedYear), body, "2019");
        AssertSpan(Single(flags, RiskCodes.UnsourcedDate), body, "March 5");
    }

    [Fact]
    public void Letters_glued_to_digits_are_not_numbers_but_a_quarter_is_a_period()
    {
        var body = "Most B2B teams on G2 plan their Q3 pipeline now.";
        var flags = Run<UnsourcedClaimsCheck>(WithSources(body, "B2B freight, listed on G2"));
        AssertSpan(Single(flags, RiskCodes.UnsourcedDate), body, "Q3");
        Assert.DoesNotContain(flags, f => f.Code == RiskCodes.UnsourcedNumber);
    }

    [Fact]
    public void A_proposed_time_that_is_not_in_the_context_only_warns()
    {
        var flag = Single(Run<UnsourcedClaimsCheck>(WithSources("Does Tuesday at 2pm work?", "freight")), RiskCodes.UnsourcedTime);
        Assert.Equal(RiskSeverity.Warn, flag.Severity);
    }

    [Fact]
    public void Named_customers_not_in_the_context_are_blocked_one_by_one()
    {
        var body = "We work with customers like Stripe, Notion and Goldman Sachs.";
        var flags = Run<UnsourcedClaimsCheck>(WithSources(body, "Customer logos: Stripe"))
            .Where(f => f.Code == RiskCodes.UnsourcedCustomer).ToList();

        Assert.Equal(["Notion", "Goldman Sachs"], flags.Select(f => f.Span!.Text));
        Assert.All(flags, f => Assert.Equal(RiskSeverity.Block, f.Severity));
    }

    [Fact]
    public void Trusted_by_a_sourced_customer_passes()
    {
        Assert.Empty(Run<UnsourcedClaimsCheck>(WithSources("We are trusted by Stripe.", "Case study: Stripe")));
    }

    [Theory]
    [InlineData("Congrats on the Series B!", "Series B", RiskCodes.UnsourcedFunding)]
    [InlineData("Saw that you just raised a new round.", "raised", RiskCodes.UnsourcedFunding)]
    [InlineData("Our award-winning team can help.", "award-winning", RiskCodes.UnsourcedAward)]
    [InlineData("We are the #1 tool for SDRs.", "#1", RiskCodes.UnsourcedRanking)]
    [InlineData("We are the leading provider of outbound tools.", "leading provider", RiskCodes.UnsourcedRanking)]
    [InlineData("We're one of the top 10 vendors.", "top 10", RiskCodes.UnsourcedRanking)]
    public void Funding_award_and_ranking_claims_need_the_context(string body, string span, string code)
    {
        var flags = Run<UnsourcedClaimsCheck>(WithSources(body, "Freight brokerage for retailers."));
        var flag = Single(flags, code);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, body, span);
    }

    [Fact]
    public void A_funding_claim_present_in_the_context_passes()
    {
        Assert.Empty(Run<UnsourcedClaimsCheck>(WithSources("Congrats on the Series B!", "News: closed a Series B led by Accel")));
    }

    [Fact]
    public void A_metric_claim_without_support_is_blocked_but_a_plain_pitch_is_not()
    {
        var claim = "We helped teams double their reply rates.";
        AssertSpan(Single(Run<UnsourcedClaimsCheck>(WithSources(claim, "freight")), RiskCodes.UnsourcedMetric), claim, "double");

        Assert.Empty(Run<UnsourcedClaimsCheck>(WithSources("We help teams grow pipeline.", "freight")));
    }

    [Fact]
    public void An_unknown_capitalized_name_mid_sentence_is_warned()
    {
        var body = "I spoke with Jennifer Lawrence about your freight team.";
        var flag = Single(Run<UnsourcedClaimsCheck>(WithSources(body, "freight")), RiskCodes.UnsourcedName);
        Assert.Equal(RiskSeverity.Warn, flag.Severity);
        AssertSpan(flag, body, "Jennifer Lawrence");
    }

    [Fact]
    public void A_capitalized_first_word_days_and_acronyms_are_not_names()
    {
        var body = "Curious whether the CRM data from HubSpot reaches your SDRs by Monday.";
        Assert.Empty(Run<UnsourcedClaimsCheck>(WithSources(body, "Tech stack: HubSpot")));
    }
}

/// <summary>Review findings: customer claims not worded "us/our" (each paired with a sourced or harmless counterpart).</summary>
public sealed class CustomerClaimWordingTests
{
    [Theory]
    [InlineData("Stripe, Ramp and Brex use Outreachly to onboard reps.", "Stripe|Ramp|Brex")]
    [InlineData("Our customers include Stripe and Brex.", "Stripe|Brex")]
    [InlineData("Our clients are Stripe and Brex.", "Stripe|Brex")]
    [InlineData("Brex is among our happiest users.", "Brex")]
    [InlineData("Reps at Stripe and Brex use Outreachly every day.", "Stripe|Brex")]
    [InlineData("Stripe relies on Outreachly for outbound.", "Stripe")]
    public void A_customer_claim_naming_the_product_or_our_customers_is_blocked(string body, string names)
    {
        var flags = Run<UnsourcedClaimsCheck>(Email(body)).Where(f => f.Code == RiskCodes.UnsourcedCustomer).ToList();

        Assert.Equal(names.Split('|'), flags.Select(f => f.Span!.Text));
        Assert.All(flags, f => Assert.Equal(RiskSeverity.Block, f.Severity));
    }

    [Theory]
    [InlineData("Stripe, Ramp and Brex use Outreachly to onboard reps.", "Customers include Stripe, Ramp and Brex")]
    [InlineData("Our customers include Stripe and Brex.", "Customer logos: Stripe, Brex")]
    [InlineData("Our clients are Stripe and Brex.", "Stripe and Brex are clients of ours")]
    [InlineData("Brex is among our happiest users.", "Case study: Brex")]
    [InlineData("Reps at Stripe and Brex use Outreachly every day.", "Stripe and Brex rely on us")]
    [InlineData("Reps at Acme Logistics use HubSpot every day.", "Tech stack: HubSpot")]
    [InlineData("Your SDR teams on HubSpot use Outreachly drafts.", "Tech stack: HubSpot")]
    [InlineData("Recruiters use LinkedIn every day.", "freight")]
    [InlineData("Most teams use AI for research now.", "freight")]
    [InlineData("Our customers include teams like yours.", "freight")]
    [InlineData("Acme Logistics is among our ideal users.", "freight")]
    public void A_sourced_customer_the_lead_a_tool_or_a_plain_word_is_not_an_unsourced_customer(string body, string source)
    {
        var input = Email(body) with { SourceTexts = [.. Sources, source] };
        var flags = Run<UnsourcedClaimsCheck>(input).Where(f => f.Code == RiskCodes.UnsourcedCustomer).ToList();
        Assert.True(flags.Count == 0, Describe(flags));
    }
}

/// <summary>Review findings: multipliers, fractions and spelled or order-of-magnitude counts need a source of the same kind.</summary>
public sealed class MultiplierAndMagnitudeClaimTests
{
    [Theory]
    [InlineData("Reps ramp 12 times faster with Outreachly.", "12 times faster", RiskCodes.UnsourcedMetric)]
    [InlineData("Reps book 15 times more meetings with Outreachly.", "15 times more", RiskCodes.UnsourcedMetric)]
    [InlineData("Reps see a tenfold lift in replies.", "tenfold", RiskCodes.UnsourcedMetric)]
    [InlineData("Reps see a 10-fold lift in replies.", "10-fold", RiskCodes.UnsourcedMetric)]
    [InlineData("Teams cut ramp time in half with Outreachly.", "in half", RiskCodes.UnsourcedMetric)]
    [InlineData("Outreachly halves ramp time for new reps.", "halves", RiskCodes.UnsourcedMetric)]
    [InlineData("Outreachly is used by over five hundred companies.", "five hundred", RiskCodes.UnsourcedNumber)]
    [InlineData("Thousands of reps rely on Outreachly daily.", "Thousands of", RiskCodes.UnsourcedNumber)]
    [InlineData("Hundreds of brokers trust Outreachly.", "Hundreds of", RiskCodes.UnsourcedNumber)]
    public void A_multiplier_fraction_or_magnitude_without_a_source_of_its_kind_is_blocked(string body, string span, string code)
    {
        // The fixture's "hiring 12 SDRs" is a count: it sources neither "12 times faster" nor "thousands of".
        var flags = Run<UnsourcedClaimsCheck>(Email(body));
        var flag = Assert.Single(flags, f => f.Code == code && f.Span?.Text == span);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, body, span);
    }

    [Theory]
    [InlineData("Reps ramp 12 times faster with Outreachly.", "Case study: reps ramped 12x faster")]
    [InlineData("Reps book 15 times more meetings with Outreachly.", "Case study: 15 times more meetings booked")]
    [InlineData("Reps see a tenfold lift in replies.", "Case study: replies grew 10-fold")]
    [InlineData("Teams cut ramp time in half with Outreachly.", "Case study: Ramp halved rep ramp time")]
    [InlineData("Outreachly halves ramp time for new reps.", "Case study: ramp time cut in half")]
    [InlineData("Outreachly is used by over five hundred companies.", "Sender: Outreachly, used by 500 companies")]
    [InlineData("Thousands of reps rely on Outreachly daily.", "Sender: 2,000 reps use Outreachly")]
    [InlineData("Your brokers move hundreds of loads a week.", "Summary: moves hundreds of loads a week")]
    [InlineData("Happy to walk you through it in half an hour.", "freight")]
    [InlineData("Ramp time matters more than ever for new reps.", "freight")]
    public void A_multiplier_or_magnitude_with_a_source_of_its_kind_or_a_harmless_phrase_passes(string body, string source)
    {
        var input = Email(body) with { SourceTexts = [.. Sources, source] };
        var flags = Run<UnsourcedClaimsCheck>(input).Where(f => f.Severity == RiskSeverity.Block).ToList();
        Assert.True(flags.Count == 0, Describe(flags));
    }

    [Fact]
    public async Task A_long_message_of_the_new_claim_shapes_is_checked_in_linear_time()
    {
        // Shapes the new patterns read (multipliers, halves, magnitudes, names before a product verb), 5,000+ words.
        var sentence = "Reps at Stripe Brex Ramp Gong Notion use Outreachly and ramp 12 times faster, a tenfold lift, in half, "
            + "halving ramp, thousands of reps, five hundred companies; Our customers include Stripe and Brex. Brex is among our happiest users. ";
        var body = "Hi Sarah,\n\n" + string.Concat(Enumerable.Repeat(sentence, 5_000 / 40 + 1))
            + string.Join(' ', Enumerable.Repeat("Stripe Uses", 400)) + "\n\nBest,\nTom";
        var input = Email(body) with { MaxWords = null };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var report = await EvaluateAsync(input);
        watch.Stop();
        Assert.False(report.Passed);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
    }
}

/// <summary>Review findings: a spelled "one" in the lead context does not launder a ranking or a count.</summary>
public sealed class SpelledOneLaunderingTests
{
    private const string Busiest = "Summary: one of the busiest brokers in the Midwest";

    [Theory]
    [InlineData("Outreachly is the number 1 outbound tool for freight teams.", "number 1", RiskCodes.UnsourcedRanking)]
    [InlineData("Outreachly is the No 1 outbound tool for freight teams.", "No 1", RiskCodes.UnsourcedRanking)]
    [InlineData("Outreachly is the number one outbound tool for freight teams.", "number one", RiskCodes.UnsourcedRanking)]
    [InlineData("Outreachly books 1 extra meeting per rep each week.", "1", RiskCodes.UnsourcedNumber)]
    public void A_pronoun_one_in_the_sources_does_not_source_a_ranking_or_a_count(string body, string span, string code)
    {
        var input = Email(body) with { SourceTexts = [.. Sources, Busiest] };
        var flag = Assert.Single(Run<UnsourcedClaimsCheck>(input), f => f.Code == code);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, body, span);
    }

    [Theory]
    [InlineData("You're one of the busiest brokers in the Midwest.", Busiest)]
    [InlineData("Outreachly is the number 1 outbound tool for freight teams.", "Sender: Outreachly, number 1 outbound tool on G2")]
    [InlineData("Congrats on opening 1 new office in Chicago.", "Signals: opened one new office in Chicago")]
    public void A_sourced_ranking_a_spelled_count_or_the_pronoun_itself_passes(string body, string source)
    {
        var input = Email(body) with { SourceTexts = [.. Sources, source] };
        var flags = Run<UnsourcedClaimsCheck>(input).Where(f => f.Severity == RiskSeverity.Block).ToList();
        Assert.True(flags.Count == 0, Describe(flags));
    }
}

/// <summary>Review findings: ranking claims worded "the only platform" or "leads the market".</summary>
public sealed class OnlyAndMarketLeaderRankingTests
{
    [Theory]
    [InlineData("Outreachly is the only platform built for freight.", "the only platform")]
    [InlineData("Outreachly leads the market in freight outbound.", "leads the market")]
    [InlineData("Outreachly is leading the industry on rep ramp.", "leading the industry")]
    public void An_only_or_market_leader_claim_is_an_unsourced_ranking(string body, string span)
    {
        var flag = Single(Run<UnsourcedClaimsCheck>(Email(body)), RiskCodes.UnsourcedRanking);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, body, span);
    }

    [Theory]
    [InlineData("Outreachly is the only platform built for freight.", "Sender: Outreachly, the only platform built for freight")]
    [InlineData("Acme Logistics leads the market in Midwest freight.", "Summary: Acme Logistics leads the market in Midwest freight")]
    [InlineData("Acme Logistics is not the only broker hiring SDRs.", "freight")]
    [InlineData("Happy to share how reps turn leads into meetings.", "freight")]
    public void A_sourced_ranking_or_a_plain_only_or_leads_passes(string body, string source)
    {
        var input = Email(body) with { SourceTexts = [.. Sources, source] };
        var flags = Run<UnsourcedClaimsCheck>(input).Where(f => f.Severity == RiskSeverity.Block).ToList();
        Assert.True(flags.Count == 0, Describe(flags));
    }
}

public sealed class InboundReplyClaimTests
{
    [Fact]
    public void A_sourced_order_number_with_a_hash_is_neither_a_ranking_nor_an_unsourced_number()
    {
        var input = new GuardrailInput
        {
            Channel = MessageChannel.Email,
            Subject = "Your order",
            Message = "Thanks for reaching out. Your order #48213 shipped on May 3.",
            SourceTexts = ["Order 48213 shipped 2025-05-03"],
            Requirements = GuardrailRequirements.InboundReply,
        };
        var flags = GuardrailFixtures.Run<UnsourcedClaimsCheck>(input);
        Assert.True(flags.Count == 0, GuardrailFixtures.Describe(flags));
    }
}
