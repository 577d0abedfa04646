using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OutreachOS.Guardrails.Contracts;
using OutreachOS.Llm;
using OutreachOS.Triage.Contracts;
using OutreachOS.Triage.Pii;
using OutreachOS.Triage.Templates;

namespace OutreachOS.Triage.Responses;

/// <summary>
/// A rendered reply and its guardrail verdict. Text and subject still carry redaction placeholders.
/// <see cref="TemplateProblems"/>: what is wrong with the stored template it was filled from (or the values), as
/// <c>field: reason</c>; such a reply is never sent automatically.
/// </summary>
internal sealed record ComposedReply(
    string TemplateId, string Subject, string Text, GuardrailReport Report, IReadOnlyList<string> Sources, string? Cc,
    bool Paraphrased, string? Provider, string? Model, decimal CostUsd, double LatencyMs, IReadOnlyList<string>? TemplateProblems = null);

/// <summary>
/// Template → (optional paraphrase) → guardrails. The guardrails' sources are what the organization approved (its
/// template values: slots, links, pricing paragraphs, ETA window, alias, signature) plus the customer's message body and
/// address (not their display name or subject, which templates echo): anything else a reply states — a number, an offer,
/// a discount, a response-time promise, a link — is unsourced and blocks an automatic send.
/// </summary>
internal sealed partial class ReplyComposer(TemplateRenderer renderer, IGuardrailEvaluator guardrails, ResponseOptions options,
    IServiceProvider services, ILogger<ReplyComposer> logger)
{
    public const string ParaphraseTask = "triage.paraphrase.v1";

    /// <param name="redactForModel">The organization's <c>pii.redact_before_llm</c>: the paraphrasing model then sees placeholders.</param>
    public async Task<ComposedReply> ComposeAsync(InboundDecided d, TemplatesResponse templates, bool redactForModel, CancellationToken ct)
    {
        var (id, template) = TemplateStore.Select(templates, d.Classification.Intent);
        var model = ReplyModel.Build(d, templates.Values, ReplyModel.ReplySubject(d.Message.Subject));
        var problems = templates.ProblemsOf(id).ToList();
        string subject, text;
        try
        {
            (subject, text) = Render(template, d, model);
        }
        catch (TemplateCompileException e)
        {
            // A stored template that does not render at all (a malformed block stored before validation): the reviewer gets
            // the built-in template of that id (else the generic one) rather than no draft.
            var builtIn = DefaultTemplates.All.ContainsKey(id) ? id : DefaultTemplates.Generic;
            problems.Add($"templates.{id}: does not render ({e.Message}); the draft uses the built-in '{builtIn}' template");
            (subject, text) = Render(DefaultTemplates.All[builtIn], d, model);
        }

        if (problems.Count > 0)
        {
            logger.LogWarning("Template {TemplateId} (version {Version}) of organization {OrganizationId} is invalid: {Problems}; inbound {InboundId} is not sent automatically",
                id, templates.Version, d.OrganizationId, string.Join("; ", problems), d.InboundId);
        }

        var sources = Sources(d, templates.Values, model);

        var paraphrased = false;
        string? provider = null, modelName = null;
        decimal cost = 0;
        double latency = 0;
        if (options.ParaphraseEnabled && services.GetService<ILlmClient>() is { } llm)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                // The rendered reply holds the customer's values in clear (greeting name, maybe their subject or address) and
                // the organization's contact details. With redaction on, the model sees them as placeholders (the classifier's
                // numbering continued, the sender's name and address by value) and they are put back in its answer at once.
                var (forModel, map) = ForModel(d, text, redactForModel);
                var completion = await llm.CompleteAsync(ParaphrasePrompt(forModel, options.ParaphraseModel), ct);
                var candidate = Redactions.Restore(completion.Text.Trim(), map);
                if (PiiRedactor.PlaceholdersIn(candidate).Except(PiiRedactor.PlaceholdersIn(text)).FirstOrDefault() is { } invented)
                {
                    // A placeholder nobody can fill would reach the customer as "[EMAIL_7]": keep the template text.
                    logger.LogWarning("Paraphrase for inbound {InboundId} has an unknown placeholder {Placeholder}; using the template text", d.InboundId, invented);
                }
                else if (candidate.Length > 0)
                {
                    text = candidate;
                    paraphrased = true;
                }

                (provider, modelName, cost) = (completion.Provider, completion.Model, completion.CostUsd);
            }
            catch (LlmCallFailedException e)
            {
                // A paraphrase is optional: the approved template text is still a valid reply. A billed answer that could not
                // be used (a refusal) still cost money, so it is recorded with its model.
                logger.LogWarning(e, "Paraphrase failed for inbound {InboundId}; using the template text", d.InboundId);
                if (e.CostUsd > 0m || e.InputTokens > 0 || e.OutputTokens > 0)
                {
                    (provider, modelName, cost) = (e.Provider, e.Model, e.CostUsd);
                }
            }

            latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        var report = await CheckAsync(subject, text, sources, d.Message.Subject, d.OrganizationId, ct);
        var cc = id == "referral_partner" && !string.IsNullOrWhiteSpace(templates.Values.PartnerAlias) ? templates.Values.PartnerAlias : null;
        return new ComposedReply(id, subject, text, report, sources, cc, paraphrased, provider, modelName, cost, latency, problems);
    }

    private (string Subject, string Text) Render(ReplyTemplate template, InboundDecided d, IReadOnlyDictionary<string, object?> model)
    {
        var subject = renderer.RenderSubject(template.Subject ?? "{{reply_subject}}", model);
        if (subject.Length == 0)
        {
            subject = ReplyModel.ReplySubject(d.Message.Subject);
        }

        return (subject, renderer.RenderBody(template.Body ?? string.Empty, model));
    }

    /// <summary>
    /// The guardrails on a reply. <paramref name="customerSubject"/> (the subject the customer wrote) is not a source for the
    /// reply, but a reply's subject line quotes it ("Re: Invoice 4711"): findings in the subject line are judged again with
    /// that subject, links, addresses and phone numbers removed, as a source. So the figures of the customer's own subject
    /// may stand in the "Re:" line, and nothing from it sources the body; a link, address or phone in it still blocks.
    /// </summary>
    public async Task<GuardrailReport> CheckAsync(string subject, string text, IReadOnlyList<string> sources, string? customerSubject,
        Guid organizationId, CancellationToken ct)
    {
        var report = await EvaluateAsync(subject, text, sources, organizationId, ct);
        if (string.IsNullOrWhiteSpace(customerSubject) || !report.Flags.Any(f => f.Span?.Part == MessagePart.Subject))
        {
            return report;
        }

        var quoted = await EvaluateAsync(subject, text, [.. sources, WithoutContacts(customerSubject)], organizationId, ct);
        return new GuardrailReport(
            [.. report.Flags.Where(f => f.Span?.Part != MessagePart.Subject), .. quoted.Flags.Where(f => f.Span?.Part == MessagePart.Subject)],
            report.Timings);
    }

    private ValueTask<GuardrailReport> EvaluateAsync(string subject, string text, IReadOnlyList<string> sources, Guid organizationId, CancellationToken ct) =>
        guardrails.EvaluateAsync(new GuardrailInput
        {
            Channel = MessageChannel.Email,
            // The reply really is a reply: the "fake Re:" rule of first messages does not apply to it.
            Subject = ReplyModel.WithoutReplyPrefix(subject),
            Message = text,
            SourceTexts = sources,
            Requirements = GuardrailRequirements.InboundReply,
            OrganizationId = organizationId,
        }, ct);

    /// <summary>The text without links, bare domains, e-mail addresses and phone numbers (and the other kinds the redactor finds).</summary>
    internal static string WithoutContacts(string text) =>
        PiiRedactor.WithoutPlaceholders(LinkPattern().Replace(PiiRedactor.RedactOne(text).Text, " "), " ");

    [GeneratedRegex(@"(?:https?://|www\.)\S+|(?<![\p{L}\p{N}@])(?:[\p{L}\p{N}\-]+\.)+\p{L}{2,}(?![\p{L}\p{N}])(?:/\S*)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LinkPattern();

    /// <summary>The text a paraphrasing model may see, and the map that puts its placeholders back (empty: nothing redacted).</summary>
    internal static (string Text, IReadOnlyDictionary<string, string> Map) ForModel(InboundDecided d, string text, bool redact)
    {
        if (!redact)
        {
            return (text, new Dictionary<string, string>());
        }

        var redactor = new PiiRedactor(d.Redactions)
            .KnowSender(Redactions.Restore(d.Message.From.Name ?? "", d.Redactions), Redactions.Restore(d.Message.From.Email, d.Redactions))
            .KnowParticipants(d.Message.To.Concat(d.Message.Cc).Select(a => ((string?)Redactions.Restore(a.Name ?? "", d.Redactions), (string?)Redactions.Restore(a.Email, d.Redactions))));
        var redacted = redactor.Redact(text);
        return (redacted, new Dictionary<string, string>(redactor.Map, StringComparer.Ordinal));
    }

    internal static LlmPrompt ParaphrasePrompt(string text, string? model) => new(
        ParaphraseTask,
        """
        You rewrite a customer-service e-mail reply so that it reads naturally. Keep every fact, number, date, link,
        e-mail address and placeholder in square brackets (such as [EMAIL_1]) exactly as written. Do not add facts,
        offers, discounts, prices, dates, deadlines or promises of any kind. Answer with the rewritten reply text only.
        """,
        "Reply to rewrite (between the markers):\n<<<REPLY\n" + text + "\nREPLY>>>",
        model,
        0.3,
        null,
        null,
        800);

    internal static IReadOnlyList<string> Sources(InboundDecided d, TemplateValues v, IReadOnlyDictionary<string, object?> model)
    {
        var list = new List<string>();
        void Add(string? s)
        {
            if (!string.IsNullOrWhiteSpace(s))
            {
                list.Add(s.Trim());
            }
        }

        // The template's own wording is deliberately not a source: an organization's template that promises a response
        // time or an offer is checked like any other text; such content belongs in the approved values.
        Add(v.Signature);
        Add(v.BookingLink);
        Add(v.EtaWindow);
        Add(v.PartnerAlias);
        foreach (var item in (v.Slots ?? []).Concat(v.PricingParagraphs ?? []).Concat(v.DocLinks ?? []))
        {
            Add(item);
        }

        // The customer's body is what the reply answers. Their display name and subject are not sources: templates echo them
        // (greeting, "Re:" subject), so a link, address, phone or figure an attacker wrote there would source itself. Only
        // a personal-looking name (letters) is added, so the greeting's name is known without sourcing anything else.
        Add(d.Message.Text);
        Add(ReplyModel.SenderNames(d).Full);
        Add(d.Message.From.Email);
        Add(model["ticket_id"] as string);
        return list;
    }

    internal static IReadOnlyList<ReplyRiskFlag> ToEventFlags(GuardrailReport report) =>
        [.. report.Flags.Select(f => new ReplyRiskFlag(
            f.Code,
            f.Severity == RiskSeverity.Block ? "BLOCK" : "WARN",
            f.Detail,
            f.Span is { } s ? new ReplyRiskSpan(s.Start, s.Length, s.Text, s.Part == MessagePart.Subject ? "SUBJECT" : "BODY") : null))];
}

/// <summary>Offline provider's answer to the paraphrase task: the reply unchanged (deterministic, grounded in the input).</summary>
internal sealed class ParaphraseOfflineHandler : IOfflineTaskHandler
{
    public string Task => ReplyComposer.ParaphraseTask;

    public string Complete(LlmPrompt prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        const string open = "<<<REPLY\n", close = "\nREPLY>>>";
        var start = prompt.User.IndexOf(open, StringComparison.Ordinal);
        var end = prompt.User.LastIndexOf(close, StringComparison.Ordinal);
        return start >= 0 && end > start ? prompt.User[(start + open.Length)..end] : prompt.User;
    }
}
