namespace OutreachOS.Guardrails.Contracts;

/// <summary>Stable codes of <see cref="RiskFlag"/>s, grouped by check. The README lists their severities.</summary>
public static class RiskCodes
{
    // Length
    public const string BodyEmpty = "BODY_EMPTY";
    public const string MaxWords = "LENGTH_MAX_WORDS";
    public const string SmsTooLong = "SMS_TOO_LONG";
    public const string SmsUnicode = "SMS_UNICODE";
    public const string MaxCharacters = "LENGTH_MAX_CHARS";
    public const string SubjectMissing = "SUBJECT_MISSING";
    public const string SubjectTooLong = "SUBJECT_TOO_LONG";
    public const string SubjectFakeReply = "SUBJECT_FAKE_REPLY";
    public const string SubjectAllCaps = "SUBJECT_ALL_CAPS";
    public const string SubjectMultiline = "SUBJECT_MULTILINE";

    // Spam and forbidden phrases
    public const string SpamPhrase = "SPAM_PHRASE";
    public const string AggressiveCta = "AGGRESSIVE_CTA";
    public const string ForbiddenPhrase = "FORBIDDEN_PHRASE";
    public const string CompetitorMention = "COMPETITOR_MENTION";

    // Unsourced claims (hallucination)
    public const string UnsourcedNumber = "UNSOURCED_NUMBER";
    public const string UnsourcedPercent = "UNSOURCED_PERCENT";
    public const string UnsourcedMoney = "UNSOURCED_MONEY";
    public const string UnsourcedYear = "UNSOURCED_YEAR";
    public const string UnsourcedDate = "UNSOURCED_DATE";
    public const string UnsourcedTime = "UNSOURCED_TIME";
    public const string UnsourcedCustomer = "UNSOURCED_CUSTOMER";
    public const string UnsourcedFunding = "UNSOURCED_FUNDING";
    public const string UnsourcedAward = "UNSOURCED_AWARD";
    public const string UnsourcedRanking = "UNSOURCED_RANKING";
    public const string UnsourcedMetric = "UNSOURCED_METRIC";
    public const string UnsourcedName = "UNSOURCED_NAME";

    /// <summary>A figure from the lead's context claimed as the sender's own result ("we cut costs by 40%").</summary>
    public const string MisattributedClaim = "MISATTRIBUTED_CLAIM";

    // Required elements
    public const string GreetingMissing = "GREETING_MISSING";
    public const string GreetingMissingName = "GREETING_MISSING_NAME";
    public const string GreetingWrongName = "GREETING_WRONG_NAME";
    public const string CtaMissing = "CTA_MISSING";
    public const string CtaOffGoal = "CTA_OFF_GOAL";
    public const string RelevanceMissing = "RELEVANCE_MISSING";
    public const string RelevanceNoSources = "RELEVANCE_NO_SOURCES";

    // Framework structure
    public const string FrameworkPartMissing = "FRAMEWORK_PART_MISSING";
    public const string FrameworkOrder = "FRAMEWORK_ORDER";

    // Safety
    public const string InappropriateWording = "INAPPROPRIATE_WORDING";
    public const string UnsourcedPromise = "UNSOURCED_PROMISE";
    public const string UnsourcedPii = "UNSOURCED_PII";
    public const string UnsourcedUrl = "UNSOURCED_URL";

    /// <summary>A short imperative fix for a code, phrased for a model's retry prompt.</summary>
    public static string FixHint(string code) => code switch
    {
        BodyEmpty => "Write a message body.",
        MaxWords => "Shorten the message to the word limit.",
        SmsTooLong => "Shorten the SMS to fit in at most 2 segments.",
        SmsUnicode => "Use plain characters only (no emoji or curly quotes) so the SMS stays GSM-7.",
        MaxCharacters => "Shorten the message to the character limit.",
        SubjectMissing => "Add a short subject line.",
        SubjectTooLong => "Shorten the subject line.",
        SubjectFakeReply => "Do not start the subject with Re:/Fwd: on a first message.",
        SubjectAllCaps => "Do not write the subject in capitals.",
        SubjectMultiline => "Keep the subject on one line.",
        SpamPhrase => "Remove spam-trigger wording.",
        AggressiveCta => "Use a low-pressure call to action.",
        ForbiddenPhrase => "Remove phrases this organization forbids.",
        CompetitorMention => "Do not mention competitors.",
        UnsourcedNumber or UnsourcedPercent or UnsourcedMoney or UnsourcedYear
            => "Use only numbers that appear in the provided context; otherwise remove them.",
        UnsourcedDate or UnsourcedTime => "Use only dates and times that appear in the provided context.",
        UnsourcedCustomer => "Name only customers that appear in the provided context.",
        UnsourcedFunding => "Mention funding only if the provided context mentions it.",
        UnsourcedAward => "Mention awards only if the provided context mentions them.",
        UnsourcedRanking => "Do not claim rankings or leadership unless the provided context states them.",
        UnsourcedMetric => "Do not claim results or growth figures that are not in the provided context.",
        MisattributedClaim => "Do not present figures about the lead or others as your own results; use them only about whom the context says.",
        UnsourcedName => "Check names that do not appear in the provided context.",
        GreetingMissing or GreetingMissingName => "Open with a greeting that uses the lead's first name.",
        GreetingWrongName => "Greet the lead by their correct first name.",
        CtaMissing => "End with one clear call to action matching the goal.",
        CtaOffGoal => "Make the call to action match the goal.",
        RelevanceMissing => "Give one specific reason for reaching out, taken from the provided context.",
        RelevanceNoSources => "Context was missing; relevance could not be checked.",
        FrameworkPartMissing or FrameworkOrder => "Follow the requested framework's structure.",
        InappropriateWording => "Remove inappropriate or discriminatory wording.",
        UnsourcedPromise => "Do not promise discounts, free offers, prices, guarantees or response times that are not in the provided context.",
        UnsourcedPii => "Do not include email addresses or phone numbers that are not in the provided context.",
        UnsourcedUrl => "Use only links that appear in the provided context.",
        _ => "Fix this issue.",
    };
}
