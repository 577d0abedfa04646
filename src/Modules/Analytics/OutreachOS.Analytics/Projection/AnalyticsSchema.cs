using OutreachOS.Analytics.Contracts;
using OutreachOS.BuildingBlocks.EventStore;

namespace OutreachOS.Analytics.Projection;

/// <summary>The KPI projection's tables (migrations 500-509 are the Analytics module's). Every row is per organization.</summary>
internal static class AnalyticsSchema
{
    public static readonly Migration[] Migrations =
    [
        new(500, "analytics daily counters", """
            CREATE TABLE oos.analytics_inbound_daily (
                tenant_id          uuid    NOT NULL,
                day                date    NOT NULL,
                intent             text    NOT NULL,  -- '' until the message is classified (and for filtered messages)
                received           integer NOT NULL DEFAULT 0,
                filtered           integer NOT NULL DEFAULT 0,
                auto_sent          integer NOT NULL DEFAULT 0,
                drafted            integer NOT NULL DEFAULT 0,
                approved_unchanged integer NOT NULL DEFAULT 0,
                approved_edited    integer NOT NULL DEFAULT 0,
                rejected           integer NOT NULL DEFAULT 0,
                human              integer NOT NULL DEFAULT 0,
                qa_sampled         integer NOT NULL DEFAULT 0,
                qa_verdicts        integer NOT NULL DEFAULT 0,
                qa_correct         integer NOT NULL DEFAULT 0,
                cost_usd           numeric NOT NULL DEFAULT 0,
                PRIMARY KEY (tenant_id, day, intent)
            );
            CREATE TABLE oos.analytics_outbound_daily (
                tenant_id          uuid    NOT NULL,
                day                date    NOT NULL,
                channel            text    NOT NULL,
                requests           integer NOT NULL DEFAULT 0,
                variants           integer NOT NULL DEFAULT 0,
                first_pass_passed  integer NOT NULL DEFAULT 0,
                first_pass_checked integer NOT NULL DEFAULT 0,
                retries            integer NOT NULL DEFAULT 0,
                selections         integer NOT NULL DEFAULT 0,
                overrides          integer NOT NULL DEFAULT 0,
                sends              integer NOT NULL DEFAULT 0,
                replies            integer NOT NULL DEFAULT 0,
                meetings           integer NOT NULL DEFAULT 0,
                cost_usd           numeric NOT NULL DEFAULT 0,
                PRIMARY KEY (tenant_id, day, channel)
            );
            """),
        new(501, "analytics model cost and latency histograms", """
            CREATE TABLE oos.analytics_model_daily (
                tenant_id  uuid    NOT NULL,
                day        date    NOT NULL,
                module     text    NOT NULL,
                model      text    NOT NULL,
                calls      integer NOT NULL DEFAULT 0,
                cost_usd   numeric NOT NULL DEFAULT 0,
                PRIMARY KEY (tenant_id, day, module, model)
            );
            -- Sparse log-scale histogram (see LatencyHistogram): series = 'stage:<stage>' or 'model:<module>:<model>'.
            CREATE TABLE oos.analytics_latency_daily (
                tenant_id  uuid     NOT NULL,
                day        date     NOT NULL,
                series     text     NOT NULL,
                bucket     smallint NOT NULL,
                n          integer  NOT NULL,
                PRIMARY KEY (tenant_id, day, series, bucket)
            );
            """),
        new(502, "analytics credits per day", """
            CREATE TABLE oos.analytics_credits_daily (
                tenant_id  uuid    NOT NULL,
                day        date    NOT NULL,
                consumed   integer NOT NULL DEFAULT 0,
                allowance  integer,            -- the allowance an alert of that day reported, if any
                alerts     text[]  NOT NULL DEFAULT '{}',
                PRIMARY KEY (tenant_id, day)
            );
            """),
        new(503, "analytics per-stream state", """
            -- What later events of a stream need from earlier ones: dimensions (intent, channel) and stage start times.
            CREATE TABLE oos.analytics_stream_state (
                tenant_id      uuid        NOT NULL,
                stream_id      text        NOT NULL,
                intent         text,
                channel        text,
                received_day   date,
                received_at    timestamptz,
                classified_at  timestamptz,
                decided_at     timestamptz,
                drafted_at     timestamptz,
                draft_path     text,
                requested_at   timestamptz,
                sent           boolean     NOT NULL DEFAULT false,
                returned       boolean     NOT NULL DEFAULT false,
                PRIMARY KEY (tenant_id, stream_id)
            );
            """),
        new(504, "analytics monthly latency roll-up", """
            -- The same bucket counts summed per calendar month: a year of stage latency reads 12 rows per bucket, not 365.
            CREATE TABLE oos.analytics_latency_monthly (
                tenant_id  uuid     NOT NULL,
                month      date     NOT NULL,  -- first day of the month (UTC)
                series     text     NOT NULL,
                bucket     smallint NOT NULL,
                n          integer  NOT NULL,
                PRIMARY KEY (tenant_id, series, month, bucket)
            );
            """),
        new(505, "analytics: a send is answered once", """
            -- replies counted every message of a lead's thread, so replyRate could pass 1. The sends already answered are
            -- kept per stream, and the KPIs are rebuilt from the log: the projection starts again from the beginning.
            ALTER TABLE oos.analytics_stream_state ADD COLUMN replied_sends text[] NOT NULL DEFAULT '{}';
            TRUNCATE oos.analytics_inbound_daily, oos.analytics_outbound_daily, oos.analytics_model_daily,
                     oos.analytics_latency_daily, oos.analytics_latency_monthly, oos.analytics_credits_daily, oos.analytics_stream_state;
            DELETE FROM oos.checkpoints WHERE name = 'analytics-kpis';
            """),
        // A refused model call (billed, no usable answer) and a replay's call were not in the cost and model-call figures.
        // Rebuilt from the log, which holds both.
        new(506, "analytics: billed failures and replays cost", RebuildFromLog),
    ];

    public const string Truncate = """
        TRUNCATE oos.analytics_inbound_daily, oos.analytics_outbound_daily, oos.analytics_model_daily,
                 oos.analytics_latency_daily, oos.analytics_latency_monthly, oos.analytics_credits_daily, oos.analytics_stream_state
        """;

    /// <summary>A migration that changes what the KPIs count: empty them and let the projection read the log from its start.</summary>
    private const string RebuildFromLog = Truncate + ";\nDELETE FROM oos.checkpoints WHERE name = '" + KpiProjectionNames.Kpis + "';";
}
