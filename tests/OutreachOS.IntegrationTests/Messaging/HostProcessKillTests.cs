using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using OutreachOS.IntegrationTests.Infrastructure;

namespace OutreachOS.IntegrationTests.Messaging;

/// <summary>
/// The real OutreachOS.Host as child processes on one database and one RabbitMQ vhost (or the embedded in-memory
/// transport): a probe survives a kill -9 of the host that accepted it, and a crash between publish and checkpoint commit
/// does not duplicate its effect.
/// </summary>
public sealed class HostProcessKillTests
{
    [Fact]
    public async Task A_probe_accepted_by_a_killed_host_is_handled_exactly_once_by_the_next_host()
    {
        await using var env = await HostEnvironment.CreateAsync("kill");
        var probeId = Guid.NewGuid();

        await using (var a = await HostProcess.StartAsync(env, new() { ["Messaging__Relay__Enabled"] = "false" }))
        {
            var posted = await a.PostProbeAsync(probeId);
            Assert.True(posted.StatusCode == HttpStatusCode.Accepted,
                $"POST /admin/messaging/probe: {(int)posted.StatusCode} {await posted.Content.ReadAsStringAsync()} (does the host call AddOutreachMessaging and MapMessagingAdmin?)");
            var before = await a.ProbeAsync(probeId);
            Assert.True(before.Requested);
            Assert.Equal(0, before.HandledCount); // no relay in A: nothing can have been published
            a.Kill();
        }

        await using var b = await HostProcess.StartAsync(env, [], bootstrap: false);
        await b.WaitForHandledAsync(probeId);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, (await b.ProbeAsync(probeId)).HandledCount);
    }

    [Fact]
    public async Task A_host_that_dies_after_publishing_and_before_its_checkpoint_commits_causes_no_duplicate_effect()
    {
        await using var env = await HostEnvironment.CreateAsync("crash");
        var probeId = Guid.NewGuid();

        await using (var a = await HostProcess.StartAsync(env, new() { ["Messaging__Relay__CrashAfterPublish"] = "true" }))
        {
            var posted = await a.PostProbeAsync(probeId);
            Assert.True(posted.StatusCode == HttpStatusCode.Accepted,
                $"POST /admin/messaging/probe: {(int)posted.StatusCode} {await posted.Content.ReadAsStringAsync()} (does the host call AddOutreachMessaging and MapMessagingAdmin?)");
            Assert.True(await a.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the test hook should have killed host A after publishing");
            Assert.Contains("CrashAfterPublish", a.Output, StringComparison.Ordinal);
        }

        // The batch was published but its checkpoint never committed: B publishes the probe again.
        Assert.False(await env.RelayIsPastAsync(probeId), "host A died before its relay checkpoint covered the probe");
        await using var b = await HostProcess.StartAsync(env, [], bootstrap: false);
        await b.WaitForHandledAsync(probeId);
        await env.WaitForRelayPastAsync(probeId);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, (await b.ProbeAsync(probeId)).HandledCount);
    }

    /// <summary>
    /// Embedded mode (ADR 0003, addendum 2026-12-03): host A publishes the probe to its in-memory queue, whose consumer hangs
    /// (test hook), and is killed. Before, A's relay had already stored a position past the probe and the message died
    /// with A: B never handled it. Now A's stored position stays before the probe, B publishes it again and handles it once.
    /// </summary>
    [Fact]
    public async Task With_the_in_memory_transport_a_probe_published_and_not_yet_consumed_by_a_killed_host_is_handled_exactly_once_by_the_next_host()
    {
        await using var env = await HostEnvironment.CreateAsync("inmem", rabbit: false);
        var probeId = Guid.NewGuid();
        bool pastAtKill;

        await using (var a = await HostProcess.StartAsync(env, new()
        {
            ["Messaging__Probe__HangConsumer"] = "true",
            ["Messaging__Relay__UnsettledWarnAfter"] = "00:00:01",
        }))
        {
            var posted = await a.PostProbeAsync(probeId);
            Assert.True(posted.StatusCode == HttpStatusCode.Accepted, $"POST /admin/messaging/probe: {(int)posted.StatusCode} {await posted.Content.ReadAsStringAsync()}");
            await a.WaitForOutputAsync($"probe {probeId} received", "the probe consumer holding the probe (published, not consumed)");
            // Let A's relay do what it does with a published probe: before this change it stored a position past it within
            // about a second; now its lazy write keeps the position before the probe and, a second on, warns about it.
            await Eventually.TrueAsync(async () => await env.RelayIsPastAsync(probeId) || a.Output.Contains("Relay checkpoint held back", StringComparison.Ordinal),
                "host A's relay storing a position past the probe, or warning that the probe holds it back", TimeSpan.FromSeconds(60));
            Assert.Equal(0, (await a.ProbeAsync(probeId)).HandledCount);
            pastAtKill = await env.RelayIsPastAsync(probeId);
            a.Kill();
        }

        await using var b = await HostProcess.StartAsync(env, [], bootstrap: false);
        try
        {
            await b.WaitForHandledAsync(probeId);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"The probe was never handled after host A was killed (A's relay checkpoint was {(pastAtKill ? "past" : "before")} the probe).", ex);
        }
        await env.WaitForRelayPastAsync(probeId);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, (await b.ProbeAsync(probeId)).HandledCount);
        Assert.False(pastAtKill);
    }

    private sealed record ProbeStatus(bool Requested, long HandledCount);

    private sealed class HostEnvironment : IAsyncDisposable
    {
        private HostEnvironment(string postgres, RabbitVhost? rabbit)
        {
            Postgres = postgres;
            Rabbit = rabbit;
        }

        public string Postgres { get; }

        /// <summary>null: the hosts run the embedded in-memory transport.</summary>
        public RabbitVhost? Rabbit { get; }
        public string ApiKey { get; } = "oos_test_" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

        public static async Task<HostEnvironment> CreateAsync(string prefix, bool rabbit = true) =>
            new(await TestPostgres.CreateDatabaseAsync("hostkill_" + prefix), rabbit ? await RabbitVhost.CreateAsync("hostkill-" + prefix) : null);

        /// <summary>Waits until the relay's checkpoint is at or past the probe's request event (B re-published it).</summary>
        public Task WaitForRelayPastAsync(Guid probeId) =>
            Eventually.TrueAsync(() => RelayIsPastAsync(probeId), "relay checkpoint past the probe", TimeSpan.FromSeconds(60));

        /// <summary>Whether the relay's checkpoint covers the probe's request event (found by its stream: the event id
        /// derives from the organization, MessagingProbe.RequestEventId). Throws when the request was never recorded.</summary>
        public async Task<bool> RelayIsPastAsync(Guid probeId)
        {
            await using var ds = Npgsql.NpgsqlDataSource.Create(Postgres);
            await using var cmd = ds.CreateCommand("SELECT id FROM oos.events WHERE stream_id = @s AND version = 1");
            cmd.Parameters.AddWithValue("s", OutreachOS.BuildingBlocks.Messaging.MessagingProbe.RequestStream(probeId));
            var eventId = await cmd.ExecuteScalarAsync() as Guid? ?? throw new InvalidOperationException($"Probe {probeId} was never requested.");
            return await RelayCheckpoint.IsPastAsync(Postgres, eventId);
        }

        public ValueTask DisposeAsync() => Rabbit?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    private sealed class HostProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly HttpClient _http;

        private HostProcess(Process process, Uri baseAddress, string apiKey)
        {
            _process = process;
            _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        /// <param name="bootstrap">Pass Auth__BootstrapApiKey (first start only: the organization and key then live in the database).</param>
        public static async Task<HostProcess> StartAsync(HostEnvironment env, Dictionary<string, string> settings, bool bootstrap = true)
        {
            var port = FreePort();
            var psi = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Path.GetDirectoryName(HostDll())!,
            };
            psi.ArgumentList.Add(HostDll());
            psi.ArgumentList.Add("--urls");
            psi.ArgumentList.Add($"http://127.0.0.1:{port}");
            psi.Environment["ConnectionStrings__Postgres"] = env.Postgres;
            if (env.Rabbit is not null)
            {
                psi.Environment["Messaging__Transport"] = "RabbitMQ";
                psi.Environment["ConnectionStrings__RabbitMQ"] = env.Rabbit.Uri.ToString();
            }
            else
            {
                psi.Environment["Messaging__Transport"] = "InMemory";
            }
            if (bootstrap)
            {
                psi.Environment["Auth__BootstrapApiKey"] = env.ApiKey;
            }
            psi.Environment["DOTNET_ENVIRONMENT"] = "Development";
            psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
            foreach (var (k, v) in settings)
            {
                psi.Environment[k] = v;
            }
            var process = Process.Start(psi) ?? throw new InvalidOperationException("dotnet did not start");
            var host = new HostProcess(process, new Uri($"http://127.0.0.1:{port}"), env.ApiKey);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await host.WaitUntilServingAsync();
            return host;
        }

        public Task<HttpResponseMessage> PostProbeAsync(Guid probeId) =>
            _http.PostAsJsonAsync("/admin/messaging/probe", new Dictionary<string, Guid> { ["probe_id"] = probeId });

        public async Task<ProbeStatus> ProbeAsync(Guid probeId)
        {
            var response = await _http.GetAsync(new Uri($"/admin/messaging/probe/{probeId}", UriKind.Relative));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"GET probe: {(int)response.StatusCode} {text}\n{Output}");
            var json = JsonDocument.Parse(text).RootElement;
            return new ProbeStatus(json.GetProperty("requested").GetBoolean(), json.GetProperty("handled_count").GetInt64());
        }

        public async Task WaitForHandledAsync(Guid probeId)
        {
            try
            {
                await Eventually.TrueAsync(async () => (await ProbeAsync(probeId)).HandledCount > 0, "probe handled", TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"{ex.Message}\nHost output:\n{Output}", ex);
            }
        }

        public async Task WaitForOutputAsync(string text, string what)
        {
            try
            {
                await Eventually.TrueAsync(() => Task.FromResult(Output.Contains(text, StringComparison.Ordinal)), what, TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"{ex.Message}\nHost output:\n{Output}", ex);
            }
        }

        /// <summary>SIGKILL: no shutdown hooks, no flush, exactly what a crashed node looks like.</summary>
        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        public async Task<bool> WaitForExitAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        public ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                Kill();
            }
            _process.Dispose();
            _http.Dispose();
            return ValueTask.CompletedTask;
        }

        private async Task WaitUntilServingAsync()
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (DateTime.UtcNow < deadline)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"The host exited with {_process.ExitCode} while starting:\n{Output}");
                }
                try
                {
                    using var response = await _http.GetAsync(new Uri("/health/live", UriKind.Relative));
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                }
                await Task.Delay(200);
            }
            throw new TimeoutException($"The host did not start serving within 90 s:\n{Output}");
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        /// <summary>src/Host/bin/&lt;Configuration&gt;/net10.0/OutreachOS.Host.dll, found relative to this test assembly's folder.</summary>
        private static string HostDll()
        {
            // <repo>/tests/OutreachOS.IntegrationTests/bin/<Configuration>/net10.0/
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var framework = testBin.Name;
            var configuration = testBin.Parent!.Name;
            var repo = testBin.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
            var dll = Path.Combine(repo, "src", "Host", "bin", configuration, framework, "OutreachOS.Host.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the host first: {dll} is missing.", dll);
        }
    }
}
