using System.Diagnostics;
using System.Text.Json;

namespace OutreachOS.GraphQL.Tests;

/// <summary>Runs Python/conformance.py (graphql-core) as a child process. A missing python3 or graphql-core makes the
/// calling test fail, never skip: conformance is part of the contract.</summary>
internal static class PythonRunner
{
    public static string ScriptDirectory => Path.Combine(AppContext.BaseDirectory, "Python");

    public static JsonElement Run(string command, string? argument = null, string? stdin = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = ScriptDirectory,
        };
        psi.ArgumentList.Add(Path.Combine(ScriptDirectory, "conformance.py"));
        psi.ArgumentList.Add(command);
        if (argument is not null)
        {
            psi.ArgumentList.Add(Path.Combine(ScriptDirectory, argument));
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("python3 did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("python3 is required for the GraphQL conformance tests (with graphql-core 3.2).", e);
        }

        using (process)
        {
            var stdoutTask = process.StandardOutput.ReadToEndAsync();
            var stderrTask = process.StandardError.ReadToEndAsync();
            try
            {
                process.StandardInput.Write(stdin ?? string.Empty);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The script stopped reading (it failed): its exit code and stderr below say why.
            }
            if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("python3 conformance.py timed out");
            }

            var stdout = stdoutTask.GetAwaiter().GetResult();
            var stderr = stderrTask.GetAwaiter().GetResult();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"python3 conformance.py {command} failed ({process.ExitCode}): {stderr}");
            }

            using var doc = JsonDocument.Parse(stdout);
            return doc.RootElement.Clone();
        }
    }
}
