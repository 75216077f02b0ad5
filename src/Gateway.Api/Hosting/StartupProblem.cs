using Microsoft.Extensions.Options;

namespace Gateway.Api.Hosting;

/// <summary>Finds the operator's problem in an exception that stopped the start, however the host wrapped it.</summary>
internal static class StartupProblem
{
    public static Exception? Find(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is GatewayStartupException or OptionsValidationException)
            {
                return current;
            }

            if (current is AggregateException { InnerExceptions.Count: 1 } aggregate)
            {
                return Find(aggregate.InnerExceptions[0]);
            }
        }

        return null;
    }
}
