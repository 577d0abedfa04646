using Npgsql;

namespace OutreachOS.BuildingBlocks.Postgres;

/// <summary>
/// A <c>LISTEN</c> on a connection of its own that lasts: it reconnects after a failure (200 ms, doubling to 30 s) and
/// tells its owner when it listens again, since notifications sent while no connection listened are lost. Used by the
/// log's notifications (subscription runners) and the API key cache.
/// </summary>
public static class NotificationListener
{
    /// <summary>
    /// Listens on <paramref name="channels"/> until <paramref name="ct"/> is cancelled. <paramref name="listening"/> runs
    /// after each <c>LISTEN</c> (the first and every reconnection), <paramref name="failed"/> after each failure with the
    /// delay before the next try. With <paramref name="probeEvery"/>, an idle connection is probed (its <c>LISTEN</c>
    /// again) at that interval, so that one that died silently is noticed.
    /// </summary>
    public static async Task RunAsync(NpgsqlDataSource dataSource, IReadOnlyList<string> channels, Action<NpgsqlNotificationEventArgs> notified,
        Action listening, Action<Exception, TimeSpan> failed, TimeSpan? probeEvery, CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var conn = await dataSource.OpenConnectionAsync(ct);
                conn.Notification += (_, e) => notified(e);
                var listenSql = string.Join("; ", channels.Select(c => $"LISTEN {c}"));
                await using (var listen = new NpgsqlCommand(listenSql, conn))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }
                listening();
                backoff = TimeSpan.FromMilliseconds(200);
                while (true)
                {
                    // Raises Notification for each message it reads.
                    if (probeEvery is { } every)
                    {
                        if (!await conn.WaitAsync(every, ct))
                        {
                            // LISTEN again: a no-op for a live session that needs the server's answer (a dead one throws),
                            // and pg_stat_activity keeps showing what the connection is for.
                            await using var probe = new NpgsqlCommand(listenSql, conn);
                            await probe.ExecuteNonQueryAsync(ct);
                        }
                    }
                    else
                    {
                        await conn.WaitAsync(ct);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failed(ex, backoff);
                try
                {
                    await Task.Delay(backoff, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }
}
