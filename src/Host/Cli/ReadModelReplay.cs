using OutreachOS.Analytics.Projection;
using OutreachOS.BuildingBlocks.EventStore;
using OutreachOS.Credits.Ledger;
using OutreachOS.Generation.Projection;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.InboundView;

namespace OutreachOS.Host.Cli;

/// <summary>
/// Rebuilds, for a compliance export, the read-model states of one stream from exactly the events being exported (pure
/// folds, no database): what an auditor needs to check that what the product showed follows from the verified log.
/// The host may use module internals for this (it is the composition root; InternalsVisibleTo covers it).
/// </summary>
internal static class ReadModelReplay
{
    public static IReadOnlyDictionary<string, object?> Rebuild(VerifiedStream stream)
    {
        var events = stream.Events;
        var models = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        switch (stream.Info.StreamType)
        {
            case InboundStreams.StreamType when events.Count > 0 && events[0].Data is InboundMessageReceived received:
            {
                // The same fold GET /inbound/{id} serves (redaction values masked as there).
                models["inbound_view"] = InboundViewEndpoint.Fold(received.InboundId, stream);
                break;
            }
            case "personalization":
            {
                // The same fold GET /personalize/{id} serves.
                models["personalization_record"] = PersonalizationEvolve.Fold(events);
                break;
            }
            case "credit_ledger":
            {
                var state = CreditLedgerState.Fold(events.Where(e => e.Data is not null).Select(e => e.Data!));
                models["credit_ledger"] = new
                {
                    state.Consumed,
                    state.Reserved,
                    alerts_raised = state.AlertsRaised.Order().Select(a => a.ToString().ToUpperInvariant()).ToList(),
                    reservations = state.Reservations.Values.OrderBy(r => r.Id)
                        .Select(r => new { r.Id, r.Credits, status = r.Status.ToString().ToUpperInvariant(), r.Used, r.ExpiresAt }).ToList(),
                };
                break;
            }
        }
        // Every stream: what it contributes to the KPI projection (counters per day, latency samples, stream state).
        var kpis = KpiReplay.Of(events);
        if (kpis is not null)
        {
            models["analytics_kpis"] = kpis;
        }
        return models;
    }
}
