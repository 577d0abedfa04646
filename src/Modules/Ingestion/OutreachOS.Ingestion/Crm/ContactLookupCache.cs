using OutreachOS.BuildingBlocks.Privacy;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Ingestion.Normalizing;

namespace OutreachOS.Ingestion.Crm;

/// <summary>The outcome of one CRM contact search: <see cref="Succeeded"/> false is an outage, which is never cached.</summary>
internal readonly record struct CrmLookup(ContactRecord? Contact, bool Succeeded);

/// <summary>
/// CRM contact lookups cached per organization (a partition each, capped at <see cref="CrmCacheOptions.MaxEntriesPerOrganization"/>
/// so one busy organization cannot evict the others), for <see cref="CrmCacheOptions.Ttl"/> when found and the shorter
/// <see cref="CrmCacheOptions.NegativeTtl"/> when not. Concurrent lookups of one contact share one CRM call: the first
/// caller starts it and the others await the same task, each with its own cancellation. <see cref="Invalidate"/> drops a
/// contact when OutreachOS writes to it. The cache is per process: another host's write does not invalidate it here,
/// which the TTL bounds.
/// <para>
/// Each partition belongs to one CRM account (<see cref="CrmCredential.Account"/>, ADR 0032): a lookup with another account
/// (the organization changed its token or API, removed its settings, or lost the deployment's fallback) empties the
/// partition first, on every host, so no contact read with the old account is served afterwards. <see cref="Clear"/> drops
/// the partition at once on the host that changed the settings.
/// </para>
/// </summary>
internal sealed class ContactLookupCache(CrmCacheOptions options, TimeProvider clock)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, Partition> _organizations = new();

    public async Task<ContactRecord?> GetOrLookupAsync(Guid organizationId, string account, string email, Func<CancellationToken, Task<CrmLookup>> lookup,
        CancellationToken ct)
    {
        if (!options.Enabled)
        {
            return (await lookup(ct)).Contact;
        }

        var key = EmailAddresses.Canonical(email);
        var partition = _organizations.GetOrAdd(organizationId, _ => new Partition());
        Entry entry;
        var owner = false;
        lock (partition)
        {
            partition.Use(account);
            var now = clock.GetUtcNow();
            if (!partition.Entries.TryGetValue(key, out entry!) || entry.IsExpired(now))
            {
                partition.Entries.Remove(key);
                MakeRoom(partition, now);
                entry = new Entry();
                partition.Entries[key] = entry;
                owner = true;
            }
        }

        if (owner)
        {
            // Not the caller's token: other callers may be waiting on this call; the HTTP client's timeout bounds it.
            _ = RunAsync(partition, key, entry, lookup);
        }

        return await entry.Result.Task.WaitAsync(ct);
    }

    /// <summary>The cached contact when a completed, unexpired lookup with this account found one; null otherwise (nothing is looked up).</summary>
    public ContactRecord? Peek(Guid organizationId, string account, string email)
    {
        if (!options.Enabled || !_organizations.TryGetValue(organizationId, out var partition))
        {
            return null;
        }

        lock (partition)
        {
            return partition.Account == account && partition.Entries.TryGetValue(EmailAddresses.Canonical(email), out var entry) && !entry.IsExpired(clock.GetUtcNow())
                && entry.Result.Task.IsCompletedSuccessfully
                ? entry.Result.Task.Result
                : null;
        }
    }

    /// <summary>Forgets the contact in this organization (OutreachOS just wrote to it); a lookup in flight is not reused.</summary>
    public void Invalidate(Guid organizationId, string email)
    {
        if (_organizations.TryGetValue(organizationId, out var partition))
        {
            lock (partition)
            {
                partition.Entries.Remove(EmailAddresses.Canonical(email));
            }
        }
    }

    /// <summary>Forgets everything cached for the organization (its CRM settings changed on this host).</summary>
    public void Clear(Guid organizationId) => _organizations.TryRemove(organizationId, out _);

    /// <summary>Entries held for the organization (expired ones included until evicted), for tests and diagnostics.</summary>
    public int Count(Guid organizationId)
    {
        if (!_organizations.TryGetValue(organizationId, out var partition))
        {
            return 0;
        }

        lock (partition)
        {
            return partition.Entries.Count;
        }
    }

    private async Task RunAsync(Partition partition, string key, Entry entry, Func<CancellationToken, Task<CrmLookup>> lookup)
    {
        CrmLookup result;
        try
        {
            result = await lookup(CancellationToken.None);
        }
#pragma warning disable CA1031 // handed to every waiting caller, not swallowed
        catch (Exception e)
#pragma warning restore CA1031
        {
            Forget(partition, key, entry);
            entry.Result.TrySetException(e);
            return;
        }

        if (result.Succeeded)
        {
            lock (partition)
            {
                entry.ExpiresAt = clock.GetUtcNow() + (result.Contact is null ? options.NegativeTtl : options.Ttl);
            }
        }
        else
        {
            Forget(partition, key, entry); // an outage is not an answer: the next lookup asks again
        }

        entry.Result.TrySetResult(result.Contact);
    }

    private static void Forget(Partition partition, string key, Entry entry)
    {
        lock (partition)
        {
            if (partition.Entries.TryGetValue(key, out var current) && ReferenceEquals(current, entry))
            {
                partition.Entries.Remove(key);
            }
        }
    }

    /// <summary>
    /// Called under the partition's lock before an insert: at the cap, drop expired entries, then the completed ones closest
    /// to expiry, down to 90% of the cap so that eviction (O(n log n)) runs once per tenth of the cap, not on every insert.
    /// Lookups in flight are never evicted (callers are waiting on them); the cap can be exceeded by those alone.
    /// </summary>
    private void MakeRoom(Partition partition, DateTimeOffset now)
    {
        var cap = options.MaxEntriesPerOrganization;
        if (partition.Entries.Count < cap)
        {
            return;
        }

        foreach (var (k, _) in partition.Entries.Where(kv => kv.Value.IsExpired(now)).ToList())
        {
            partition.Entries.Remove(k);
        }

        var target = Math.Max(0, cap - Math.Max(1, cap / 10));
        if (partition.Entries.Count <= target)
        {
            return;
        }

        var victims = partition.Entries.Where(kv => kv.Value.ExpiresAt != DateTimeOffset.MaxValue)
            .OrderBy(kv => kv.Value.ExpiresAt).Take(partition.Entries.Count - target).Select(kv => kv.Key).ToList();
        foreach (var k in victims)
        {
            partition.Entries.Remove(k);
        }
    }

    private sealed class Partition
    {
        public Dictionary<string, Entry> Entries { get; } = new(StringComparer.Ordinal);

        /// <summary>The CRM account the entries were read with; written under the partition's lock.</summary>
        public string? Account { get; private set; }

        /// <summary>Called under the partition's lock: entries read with another account are dropped.</summary>
        public void Use(string account)
        {
            if (Account != account)
            {
                Entries.Clear();
                Account = account;
            }
        }
    }

    private sealed class Entry
    {
        public TaskCompletionSource<ContactRecord?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>MaxValue while the lookup is in flight; written under the partition's lock.</summary>
        public DateTimeOffset ExpiresAt { get; set; } = DateTimeOffset.MaxValue;

        public bool IsExpired(DateTimeOffset now) => now >= ExpiresAt;
    }
}
