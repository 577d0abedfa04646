using OutreachOS.Guardrails.Checks;
using OutreachOS.Guardrails.Contracts;
using static OutreachOS.UnitTests.Guardrails.GuardrailFixtures;

namespace OutreachOS.UnitTests.Guardrails;

/// <summary>A testimonial names who vouches for the sender: like a customer claim, the input must give it.</summary>
public sealed class TestimonialTests
{
    private static List<RiskFlag> Customers(GuardrailInput input) =>
        [.. Run<UnsourcedClaimsCheck>(input).Where(f => f.Code == RiskCodes.UnsourcedCustomer)];

    [Theory]
    [InlineData("Hi Sarah, Flexport's sales team said it was the best tool they had tried.", "Flexport")]
    [InlineData("Hi Sarah, as Flexport's VP of Sales put it, ramp time finally stopped being the bottleneck.", "Flexport")]
    [InlineData("Hi Sarah, Convoy told us their reps ramped in half the usual time.", "Convoy")]
    [InlineData("Hi Sarah, \"It cut our ramp time in half,\" says Jane Doe, VP at Flexport.", "Jane Doe")]
    [InlineData("Hi Sarah, according to Gartner, teams like yours waste weeks on ramp time.", "Gartner")]
    [InlineData("Hi Sarah, Uber Freight's head of sales recently called us indispensable.", "Uber Freight")]
    public void An_invented_testimonial_is_blocked(string body, string span)
    {
        var flags = Customers(Email(body, subject: "Quick question"));
        var flag = Assert.Single(flags, f => f.Span!.Text == span);
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, body, span);
        Assert.Contains("vouching", flag.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_company_after_a_quoted_speaker_is_blocked_too()
    {
        var body = "Hi Sarah, \"It cut our ramp time in half,\" says Jane Doe, VP at Flexport.";
        Assert.Equal(["Jane Doe", "Flexport"], Customers(Email(body, subject: "Quick question")).Select(f => f.Span!.Text));
    }

    [Theory]
    [InlineData("Hi Sarah, Flexport's sales team said it was the best tool they had tried.", "Customers include Flexport and Convoy")]
    [InlineData("Hi Sarah, Convoy told us their reps ramped in half the usual time.", "Customer quote (Convoy): our reps ramped in half the usual time")]
    [InlineData("Hi Sarah, \"It cut our ramp time in half,\" says Jane Doe, VP at Flexport.", "Testimonial: Jane Doe, VP at Flexport: it cut our ramp time in half. Flexport is a customer.")]
    public void A_testimonial_the_input_gives_passes(string body, string sender) =>
        Assert.Empty(Customers(Email(body, subject: "Quick question") with { SourceTexts = [.. Sources, sender] }));

    [Fact]
    public void Long_runs_of_names_quotes_and_roles_are_read_without_the_patterns_timing_out()
    {
        // The patterns carry a match timeout (a timeout throws); these inputs must be read in linear passes, and the
        // testimonial at the end of each is still found.
        var names = string.Join(' ', Enumerable.Repeat("Flexport", 5000));
        var roles = string.Join(' ', Enumerable.Repeat("Flexport's team of sales", 2000));
        var quote = "\"" + new string('x', 290) + "\"" + string.Concat(Enumerable.Repeat(" says Jane, VP at", 2000));
        (string Body, string Named)[] cases =
        [
            (names + " said it works.", "Flexport"),
            (roles + " said it works.", "Flexport"),
            (quote, "Jane"),
            (string.Concat(Enumerable.Repeat("according to ", 3000)) + "Gartner", "Gartner"),
            // The unnamed speakers' pattern: quantifiers, adjectives, roles and asides repeated without the verb.
            (string.Concat(Enumerable.Repeat("one of our happy new customers, ", 2000)) + "customers tell us", "customers tell us"),
            (string.Concat(Enumerable.Repeat("a VP of Sales at a fintech firm ", 1500)) + "a VP at a bank told me", "a VP at a bank told me"),
            (string.Concat(Enumerable.Repeat("many of the users, " + new string('x', 50) + ", ", 1000)) + "users say", "users say"),
        ];
        foreach (var (body, named) in cases)
        {
            var flags = Customers(Email("Hi Sarah, " + body, subject: "Quick question") with { MaxWords = null });
            Assert.Contains(flags, f => f.Span!.Text.EndsWith(named, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("Hi Sarah, you said on LinkedIn that ramp time is the bottleneck.")]
    [InlineData("Hi Sarah, Acme Logistics' CEO said the Chicago office is a priority.")]
    [InlineData("Hi Sarah, she said the Chicago office opened this year.")]
    [InlineData("Hi Sarah, our CEO said we should reach out about ramp time.")]
    [InlineData("Hi Sarah, a colleague says HubSpot sequences help with ramp time.")]
    [InlineData("Hi Sarah, as you put it on the podcast, ramp time is the bottleneck.")]
    public void Words_that_quote_the_lead_or_nobody_in_particular_are_not_testimonials(string body) =>
        Assert.Empty(Customers(Email(body, subject: "Quick question")));

    [Theory]
    [InlineData("Hi Sarah, one of our clients told us it halved their ramp time.", "one of our clients told us")]
    [InlineData("Hi Sarah, customers tell us onboarding takes a day.", "customers tell us")]
    [InlineData("Hi Sarah, Customers tell us onboarding takes a day.", "Customers tell us")]
    [InlineData("Hi Sarah, many of our customers say it pays for itself.", "many of our customers say")]
    [InlineData("Hi Sarah, our users rave about the HubSpot drafts.", "our users rave")]
    [InlineData("Hi Sarah, a VP of Sales at a fintech told me ramp time was her biggest problem.", "a VP of Sales at a fintech told me")]
    [InlineData("Hi Sarah, one happy customer, a broker in Ohio, called it the best tool they had tried.", "one happy customer, a broker in Ohio, called it")]
    public void Feedback_from_customers_nobody_names_is_blocked(string body, string span)
    {
        var flag = Assert.Single(Customers(Email(body, subject: "Quick question")));
        Assert.Equal(RiskSeverity.Block, flag.Severity);
        AssertSpan(flag, body, span);
        Assert.Contains("gives no such feedback", flag.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Hi Sarah, your customers tell you what they need, and we help reps answer faster.")]
    [InlineData("Hi Sarah, what do your clients say about delivery times?")]
    [InlineData("Hi Sarah, Acme Logistics' customers told us nothing we did not know.")]
    [InlineData("Hi Sarah, we help reps reply to customers in their first week.")]
    public void The_leads_customers_are_not_a_testimonial_for_the_sender(string body) =>
        Assert.Empty(Customers(Email(body, subject: "Quick question")));

    [Fact]
    public void Feedback_the_sender_vouches_for_sources_it_and_the_leads_context_does_not()
    {
        var body = "Hi Sarah, customers tell us onboarding takes a day.";
        var feedback = "Sender proof: G2 review, onboarding takes a day";
        Assert.Empty(Customers(Email(body, subject: "Quick question") with { SourceTexts = [.. Sources, feedback] }));
        Assert.Empty(Customers(Email(body, subject: "Quick question") with
        {
            SourceTexts = [.. Sources, feedback],
            TrustedSourceTexts = ["acme-logistics.com", feedback],
        }));

        // The lead's context reports what the lead's customers said: not the sender's feedback.
        var leads = Email(body, subject: "Quick question") with
        {
            SourceTexts = [.. Sources, "Signals: Acme Logistics' customers told us deliveries run late"],
            TrustedSourceTexts = ["acme-logistics.com"],
        };
        Assert.Single(Customers(leads));

        // Nor does the lead's context holding the very phrase.
        var echoed = "Hi Sarah, customers told us deliveries run late.";
        Assert.Single(Customers(Email(echoed, subject: "Quick question") with
        {
            SourceTexts = [.. Sources, "Signals: Acme Logistics' customers told us deliveries run late"],
            TrustedSourceTexts = ["acme-logistics.com"],
        }));
    }

    [Fact]
    public void The_generated_matchers_agree_with_the_interpreter_on_word_salad()
    {
        // Lazy quantifiers made this SDK's source-generated matcher hang for a minute past its timeout, throw
        // IndexOutOfRangeException, or match what the pattern does not (see Testimonials). Runs of the patterns' own words,
        // in a fixed pseudo-random order, must get the interpreter's answer from the generated code.
        string[] words =
        [
            "a", "an", "one", "One", "of", "our", "the", "many", "VP", "Sales", "at", "from", "fintech", "firm", "customers",
            "Customers", "customer", "clients", "users", "said", "says", "told", "tell", "us", "me", "called", "it", "Flexport",
            "Jane", "Doe", "Doe's", "according", "to", "Gartner", "happy", "new", "also", "recently", "Head", "head", "team",
            "CEO", "in", "Ohio", "put", "rave", "\"", "“", "”", "x,",
        ];
        var random = new Random(20261203);
        var interpreted = Testimonials.Patterns
            .Select(p => (Generated: p, Interpreted: new System.Text.RegularExpressions.Regex(p.ToString(), p.Options, TimeSpan.FromSeconds(5))))
            .ToList();
        for (var i = 0; i < 4000; i++)
        {
            var text = string.Join(' ', Enumerable.Range(0, random.Next(1, 30)).Select(_ => words[random.Next(words.Length)]));
            foreach (var (generated, reference) in interpreted)
            {
                Assert.Equal(
                    reference.Matches(text).Select(m => (m.Index, m.Value)),
                    generated.Matches(text).Select(m => (m.Index, m.Value)));
            }
        }
    }
}
