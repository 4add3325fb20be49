using Xunit;

namespace Microsoft.ML.Recurrent.Serving.Tests.Browser;

/// <summary>
/// A fact that needs /usr/bin/chromium: skipped on a developer machine without it, but run (and failing) under
/// CI=true, where .ci/run installs it, so that a missing browser can never pass as a skip.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        bool ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!ci && !File.Exists(ChromiumPath)) Skip = $"{ChromiumPath} is missing (apt-get install -y --no-install-recommends chromium).";
    }
}
