using Microsoft.AspNetCore.Http;
using Npgsql;
using OutreachOS.BuildingBlocks.Documents;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.BuildingBlocks.Postgres;
using OutreachOS.BuildingBlocks.Web;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Responses;
using OutreachOS.Triage.Smtp;

namespace OutreachOS.Triage.Drafts;

/// <summary><see cref="Override"/>: send an edit despite BLOCK guardrail findings (recorded with who and which findings).</summary>
internal sealed record ApproveDraftRequest(string? EditedText, bool? Override = null);

internal sealed record RejectDraftRequest(string? Reason);

/// <summary>
/// Approve (send, unless dry-run) or reject a pending draft. Decisions on one draft are serialised by a transaction-scoped
/// advisory lock held for the whole action, so of two concurrent approvals one wins and the other answers 409. The lock
/// takes no transaction id: while the mail server is slow, the event log's readers are not held back (a row lock would
/// hold back every organization's events until the SMTP dialogue ends, ADR 0002). The events and the document change in
/// one short write at the end, which a client's disconnect cannot cancel once the mail may be out. Used by the HTTP API
/// and the Slack buttons.
/// The text to send, edited or not, goes through the guardrails like a generated reply (<see cref="DraftGuardrails"/>):
/// a BLOCK finding answers 422 with the findings and sends nothing (the draft stays PENDING) unless <c>override</c> is
/// set, which is recorded; WARN findings are recorded and returned but do not stop the send.
/// </summary>
internal sealed class DraftActions(NpgsqlDataSource dataSource, IEventStore store, ReplySender sender, SendLedger sends, CrmNotes crm,
    DraftGuardrails guardrails, TimeProvider time)
{
    public const int MaxTextLength = 20_000;

    public Task<IResult> ApproveAsync(Guid tenantId, Guid draftId, string? editedText, string approvedBy, CancellationToken ct) =>
        ApproveAsync(tenantId, draftId, editedText, overrideBlock: false, approvedBy, ct);

    public async Task<IResult> ApproveAsync(Guid tenantId, Guid draftId, string? editedText, bool overrideBlock, string approvedBy, CancellationToken ct)
    {
        if (editedText is not null)
        {
            var errors = new FieldErrors().Required("edited_text", editedText, MaxTextLength);
            if (errors.Any)
            {
                return errors.ToProblem();
            }
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (d, problem) = await LockPendingAsync(tx, tenantId, draftId, ct);
        if (d is null)
        {
            return problem!;
        }

        var final = editedText is null ? d.Text : Normalize(editedText);
        var distance = Levenshtein.Distance(d.Text, final);
        var now = time.GetUtcNow();
        // The text about to be sent is checked, edited or not: an edit can add an unsourced claim or an offer, and the
        // organization's guardrail policy may have changed since the draft was written (a new forbidden phrase or
        // competitor), or the draft may carry BLOCK findings from the start. Sending BLOCK findings takes an override.
        var report = await guardrails.CheckAsync(tenantId, d, final, ct);
        var finalFlags = ReplyComposer.ToEventFlags(report);
        var blocking = finalFlags.Where(f => f.Severity == "BLOCK").ToList();
        if (blocking.Count > 0 && !overrideBlock)
        {
            if (!await StillThereAsync(tx, tenantId, draftId))
            {
                return Erased(draftId, sent: false);
            }
            await AppendAsync(tx, tenantId, d.InboundId,
                [new InboundDraftEditChecked(d.InboundId, d.DraftId, d.DecisionId, final, false, finalFlags, false, approvedBy, now)], CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
            return Blocked(draftId, distance > 0, finalFlags, blocking);
        }

        var events = new List<object>
        {
            new InboundDraftEditChecked(d.InboundId, d.DraftId, d.DecisionId, final, blocking.Count == 0, finalFlags, blocking.Count > 0, approvedBy, now),
        };
        var overriddenBy = blocking.Count > 0 ? approvedBy : null;
        if (overriddenBy is not null)
        {
            events.Add(new InboundDraftBlockOverridden(d.InboundId, d.DraftId, d.DecisionId, blocking, approvedBy, now));
        }

        events.Add(new InboundDraftApproved(d.InboundId, d.DraftId, distance > 0, d.Text, final, distance, approvedBy, now));
        string sendStatus;
        if (d.DryRun)
        {
            events.Add(new InboundSendSkipped(d.InboundId, d.DecisionId, "DRY_RUN", now));
            sendStatus = "DRY_RUN";
        }
        else
        {
            var mail = ReplyMail.Build(d.DecisionId, sender.From, d.From, d.Cc, d.Subject, final, d.OriginalMessageId, d.OriginalReferences, d.Redactions, auto: false);
            SendResult result;
            try
            {
                result = await sender.SendOnceAsync(tenantId, d.DecisionId, d.InboundId, mail, ct,
                    whileDocument: (DocumentStore.TypeName<DraftRecord>(), draftId.ToString()));
            }
            catch (MailNotSentException e)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Mail not sent",
                    detail: $"The mail server did not accept the reply; the draft stays PENDING. {e.Message}",
                    type: "https://outreachos.dev/problems/mail-not-sent");
            }

            if (result == SendResult.Withdrawn)
            {
                return Erased(draftId, sent: false);
            }
            if (result is SendResult.Sent or SendResult.AlreadySent)
            {
                events.Add(new InboundReplySent(d.InboundId, d.DecisionId, d.DraftId, mail.MessageId, string.Join(", ", mail.To.Select(a => a.Email)),
                    mail.Subject, false, now));
                sendStatus = "SENT";
            }
            else
            {
                sendStatus = result == SendResult.NotConfigured ? "MAIL_NOT_CONFIGURED" : "SEND_OUTCOME_UNKNOWN";
                events.Add(new InboundSendSkipped(d.InboundId, d.DecisionId, sendStatus, now));
            }
        }

        var updated = d with
        {
            Status = DraftStatus.Approved, FinalText = final, EditDistance = distance, DecidedBy = approvedBy, DecidedAt = now, SendStatus = sendStatus,
            FinalRiskFlags = finalFlags, BlockOverriddenBy = overriddenBy,
        };
        if (!await CommitAsync(tx, tenantId, updated, events))
        {
            return Erased(draftId, sent: sendStatus == "SENT");
        }
        await LogCrmAsync(tenantId, updated, $"Draft reply to \"{d.OriginalSubject}\" approved by {approvedBy} ({sendStatus}, edit distance {distance}).", ct);
        return TypedResults.Ok(updated.ToView());
    }

    public async Task<IResult> RejectAsync(Guid tenantId, Guid draftId, string? reason, string rejectedBy, CancellationToken ct)
    {
        var errors = new FieldErrors().Required("reason", reason, 2000);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (d, problem) = await LockPendingAsync(tx, tenantId, draftId, ct);
        if (d is null)
        {
            return problem!;
        }

        // A reply that reached the mail server before its approval could be recorded (a crash in between) cannot be
        // rejected any more: approving records it as sent, without a second mail.
        if (await sends.StatusAsync(tenantId, d.DecisionId, ct) is { } status)
        {
            return Problems.Conflict($"A reply to draft {draftId} was already handed to the mail server ({status}); it cannot be rejected. "
                + "Approve it to record the send (no second mail goes out).");
        }

        var now = time.GetUtcNow();
        var updated = d with { Status = DraftStatus.Rejected, DecidedBy = rejectedBy, DecidedAt = now, RejectReason = reason!.Trim() };
        if (!await CommitAsync(tx, tenantId, updated, [new InboundDraftRejected(d.InboundId, d.DraftId, reason.Trim(), rejectedBy, now)]))
        {
            return Erased(draftId, sent: false);
        }
        await LogCrmAsync(tenantId, updated, $"Draft reply to \"{d.OriginalSubject}\" rejected by {rejectedBy}: {reason.Trim()}", ct);
        return TypedResults.Ok(updated.ToView());
    }

    /// <summary>
    /// Takes the draft's advisory lock (concurrent decisions queue here), then loads it: the read's snapshot is taken after
    /// the lock, so it sees the previous holder's decision. 404 when absent, 409 once decided.
    /// </summary>
    private static async Task<(DraftRecord? Draft, IResult? Problem)> LockPendingAsync(NpgsqlTransaction tx, Guid tenantId, Guid draftId, CancellationToken ct)
    {
        await using (var batch = new NpgsqlBatch(tx.Connection, tx) { BatchCommands = { AdvisoryLocks.TransactionLock($"triage-draft:{tenantId:N}:{draftId:N}") } })
        {
            await batch.ExecuteNonQueryAsync(ct);
        }
        var doc = await DocumentStore.GetAsync<DraftRecord>(tx, tenantId, draftId.ToString(), forUpdate: false, ct);
        if (doc is null)
        {
            return (null, Problems.NotFound($"Draft {draftId}"));
        }

        return doc.Data.Status == DraftStatus.Pending
            ? (doc.Data, null)
            : (null, Problems.Conflict($"Draft {draftId} is already {doc.Data.Status}."));
    }

    /// <summary>
    /// Writes the decision and commits. Not with the request's token: the mail may be out already, and its record must not
    /// be lost to a client disconnect. False (nothing written) when the draft was erased meanwhile (ADR 0030): writing it
    /// back would bring the erased content back.
    /// </summary>
    private async Task<bool> CommitAsync(NpgsqlTransaction tx, Guid tenantId, DraftRecord updated, IEnumerable<object> events)
    {
        if (!await StillThereAsync(tx, tenantId, updated.DraftId))
        {
            return false;
        }
        await DocumentStore.UpsertAsync(tx, tenantId, updated.DraftId.ToString(), updated, CancellationToken.None);
        await AppendAsync(tx, tenantId, updated.InboundId, events, CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
        return true;
    }

    /// <summary>
    /// Locks the draft's row for the write that follows; false, with the transaction rolled back, when an erasure removed
    /// it since it was read (its decision must not write the erased content back).
    /// </summary>
    private static async Task<bool> StillThereAsync(NpgsqlTransaction tx, Guid tenantId, Guid draftId)
    {
        if (await DocumentStore.LockAsync<DraftRecord>(tx, tenantId, draftId.ToString(), CancellationToken.None))
        {
            return true;
        }
        await tx.RollbackAsync(CancellationToken.None);
        return false;
    }

    private static IResult Erased(Guid draftId, bool sent) =>
        TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Draft erased",
            detail: $"Draft {draftId} was erased while it was being decided (ADR 0030); "
                + (sent ? "the reply had already gone to the mail server, and " : "nothing was sent, and ") + "nothing was recorded.",
            type: "https://outreachos.dev/problems/erased");

    private Task AppendAsync(NpgsqlTransaction tx, Guid tenantId, Guid inboundId, IEnumerable<object> events, CancellationToken ct) =>
        store.AppendManyAsync(tx, [new StreamAppend(tenantId, InboundStreams.StreamId(inboundId), InboundStreams.StreamType,
            ExpectedVersion.Any, [.. events.Select(e => EventToAppend.Create(e))])], ct);

    /// <summary>422: the text to send has BLOCK findings. Every finding is listed (code, severity, detail, span) so a client can mark them.</summary>
    private static IResult Blocked(Guid draftId, bool edited, IReadOnlyList<ReplyRiskFlag> findings, IReadOnlyList<ReplyRiskFlag> blocking) =>
        TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity,
            title: edited ? "Edited reply blocked by guardrails" : "Draft reply blocked by guardrails",
            detail: $"The {(edited ? "edited text" : "text")} of draft {draftId} has blocking guardrail findings ({string.Join(", ", blocking.Select(f => f.Code).Distinct())}); "
                + $"nothing was sent and the draft stays PENDING. {(edited ? "Fix the text" : "Edit the text")}, or send \"override\": true to send it anyway (recorded).",
            type: "https://outreachos.dev/problems/draft-blocked",
            extensions: new Dictionary<string, object?>
            {
                ["field"] = edited ? "edited_text" : null,
                ["blocking_codes"] = blocking.Select(f => f.Code).Distinct().ToList(),
                ["findings"] = findings.Select(f => new Dictionary<string, object?>
                {
                    ["code"] = f.Code,
                    ["severity"] = f.Severity,
                    ["detail"] = f.Detail,
                    ["span"] = f.Span is { } s
                        ? new Dictionary<string, object?> { ["start"] = s.Start, ["length"] = s.Length, ["text"] = s.Text, ["part"] = s.Part }
                        : null,
                }).ToList(),
            });

    private async Task LogCrmAsync(Guid tenantId, DraftRecord d, string note, CancellationToken ct)
    {
        if (await crm.LogAsync(tenantId, d.InboundId, Redactions.Restore(d.From.Email, d.Redactions), note, ct) is { } logged)
        {
            await store.AppendAsync(tenantId, InboundStreams.StreamId(d.InboundId), InboundStreams.StreamType, ExpectedVersion.Any,
                [EventToAppend.Create(logged)], ct);
        }
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();
}
