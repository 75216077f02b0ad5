namespace Gateway.Web.Tests.Infrastructure;

/// <summary>
/// Every browser test class: one Chromium for the run, test classes one after the other (each with its
/// own gateway). Sequential on purpose: a browser and a gateway per class in parallel would make the
/// machine the bottleneck, and the load test measures frame times.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Dashboard";
}
