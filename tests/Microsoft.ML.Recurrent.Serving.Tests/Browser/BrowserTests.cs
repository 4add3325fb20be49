using Microsoft.ML.Recurrent.Serving.Tests.Fixtures;
using Microsoft.Playwright;
using Xunit;

namespace Microsoft.ML.Recurrent.Serving.Tests.Browser;

/// <summary>A person's view: headless Chromium opens the page, submits a prompt and sees the text stream in.</summary>
public sealed class BrowserTests
{
    [ChromiumFact]
    public async Task The_page_streams_generated_text_for_a_prompt()
    {
        Assert.True(File.Exists(ChromiumFactAttribute.ChromiumPath), $"{ChromiumFactAttribute.ChromiumPath} is missing; .ci/run installs it.");
        await using var sample = await LoopbackSample.StartAsync();
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"],
            Timeout = 30_000,
        });
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(20_000);
        await page.GotoAsync(sample.Address.ToString());

        await page.FillAsync("#prompt", "the cat");
        await page.FillAsync("#maxLength", "120");
        await page.FillAsync("#temperature", "0.5");
        await page.FillAsync("#seed", "3");
        await page.ClickAsync("#generate");

        await page.WaitForSelectorAsync("#model:has-text('generation 1')");
        string output = await page.InnerTextAsync("#output");
        Assert.Equal("the cat" + TinyModels.ModelA.Generate("the cat", 120, 0.5f, 3), output);
        Assert.Equal("", await page.InnerTextAsync("#error"));
    }
}
