using System.Diagnostics;
using System.Text;
using Xunit;

namespace Microsoft.ML.Recurrent.Tests;

/// <summary>A sample's built dll run as a user runs it: a separate process in a folder of its own, its output collected.</summary>
internal static class SampleProcess
{
    /// <summary>Starts the sample in <paramref name="folder"/>; stdout and stderr lines are added to <paramref name="output"/> as they come.</summary>
    public static Process Start(string dll, string folder, string[] arguments, StringBuilder output)
    {
        Assert.True(File.Exists(dll), $"The sample was not built at {dll}.");
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
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
}
