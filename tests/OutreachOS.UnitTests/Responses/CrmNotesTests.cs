using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OutreachOS.Ingestion.Contracts;
using OutreachOS.Triage.Responses;

namespace OutreachOS.UnitTests.Responses;

public sealed class CrmNotesTests
{
    private sealed class StubCrm(Func<string, string?> log) : ICrmAdapter
    {
        public List<(string Email, string Note)> Notes { get; } = [];

        public string Name => "StubCRM";

        public Task<ContactRecord?> FindContactAsync(Guid organizationId, string email, CancellationToken ct = default) => Task.FromResult<ContactRecord?>(null);

        public Task<string?> LogNoteAsync(Guid organizationId, string email, string note, CancellationToken ct = default)
        {
            Notes.Add((email, note));
            return Task.FromResult(log(note));
        }
    }

    private static CrmNotes With(ICrmAdapter? crm)
    {
        var services = new ServiceCollection();
        if (crm is not null)
        {
            services.AddSingleton(crm);
        }

        return new CrmNotes(services.BuildServiceProvider(), TimeProvider.System, NullLogger<CrmNotes>.Instance);
    }

    [Fact]
    public async Task A_logged_note_becomes_an_event_with_the_crm_and_note_id()
    {
        var crm = new StubCrm(_ => "note-42");
        var inbound = Guid.NewGuid();
        var logged = await With(crm).LogAsync(Guid.NewGuid(), inbound, "sarah@customer.example", "Reply sent", CancellationToken.None);
        Assert.Equal(("StubCRM", "note-42", inbound), (logged!.Crm, logged.NoteId, logged.InboundId));
        Assert.Equal(("sarah@customer.example", "Reply sent"), Assert.Single(crm.Notes));
    }

    [Fact]
    public async Task A_failing_or_absent_crm_records_nothing_and_does_not_throw()
    {
        Assert.Null(await With(new StubCrm(_ => throw new HttpRequestException("CRM down"))).LogAsync(Guid.NewGuid(), Guid.NewGuid(), "a@b.c", "n", CancellationToken.None));
        Assert.Null(await With(new StubCrm(_ => null)).LogAsync(Guid.NewGuid(), Guid.NewGuid(), "a@b.c", "n", CancellationToken.None));
        Assert.Null(await With(null).LogAsync(Guid.NewGuid(), Guid.NewGuid(), "a@b.c", "n", CancellationToken.None));
    }
}
