using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests;

/// <summary>A sample's built dll run as a user runs it: a separate process in a folder of its own, its output collected.</summary>
internal static class SampleProcess
{
    /// <summary>
    /// The built dll of a project this test project builds first, by the key of the assembly metadata its csproj records
    /// the path under ("CharRnnDll", "LoadCheckDll", …).
    /// </summary>
    public static string Dll(string key) => typeof(SampleProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == key).Value!;

    /// <summary>Starts the sample in <paramref name="folder"/>; stdout and stderr lines are added to <paramref name="output"/> as they come.</summary>
    public static Process Start(string dll, string folder, string[] arguments, StringBuilder output)
    {
        Assert.True(File.Exists(dll), $"The sample was not built at {dll}.");
        // Through coreutils' env, which resets SIGINT to its default before it runs dotnet: a test host started in the
        // background by a non-interactive shell (nohup, `&` in a CI script) passes SIGINT on as ignored, and .NET then
        // never raises Console.CancelKeyPress, so the Ctrl+C tests would fail for a reason that is not the sample's.
        var info = new ProcessStartInfo("env") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("--default-signal=INT");
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(dll);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet could not be started.");
        void Add(object? _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (output) output.Append(e.Data).Append('\n');
        }
        process.OutputDataReceived += Add;
        process.ErrorDataReceived += Add;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs the sample to its end (at most 2 minutes) and returns its exit code and output.</summary>
    public static (int Code, string Output) RunToEnd(string dll, string folder, string[] arguments)
    {
        var output = new StringBuilder();
        using var process = Start(dll, folder, arguments, output);
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("The sample did not finish within 2 minutes:\n" + output);
        }
        process.WaitForExit(); // the rest of the redirected output
        return (process.ExitCode, output.ToString());
    }

    /// <summary>
    /// Starts the sample, sends it SIGINT (what Ctrl+C sends) once its output holds <paramref name="signalAt"/> (at most
    /// <paramref name="timeout"/> after the start), checks it exits with 0 within <paramref name="timeout"/> after that,
    /// and returns its output.
    /// </summary>
    public static string Interrupt(string dll, string folder, string[] arguments, string signalAt, TimeSpan timeout)
    {
        var output = new StringBuilder();
        using var process = Start(dll, folder, arguments, output);
        bool Holds()
        {
            lock (output) return output.ToString().Contains(signalAt, StringComparison.Ordinal);
        }
        var waited = Stopwatch.StartNew();
        while (!Holds() && !process.HasExited && waited.Elapsed < timeout) Thread.Sleep(50);
        Assert.True(Holds(), $"No '{signalAt.Trim()}' within {timeout.TotalSeconds:F0} s:\n{output}");
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
            Assert.Equal(0, kill.ExitCode);
        }
        bool exited = process.WaitForExit(timeout);
        if (!exited) process.Kill(entireProcessTree: true);
        Assert.True(exited, $"The sample did not exit within {timeout.TotalSeconds:F0} s of SIGINT:\n{output}");
        process.WaitForExit(); // the rest of the redirected output
        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}:\n{output}");
        return output.ToString();
    }

    /// <summary>The iteration a run's output says it resumed at from <paramref name="checkpoint"/>; fails when it does not say so.</summary>
    public static int ResumedAt(string output, string checkpoint)
    {
        var resumed = Regex.Match(output, $@"Resumed from the checkpoint {Regex.Escape(checkpoint)} at iteration (\d+)\.");
        Assert.True(resumed.Success, "The run did not say it resumed:\n" + output);
        return int.Parse(resumed.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
