namespace Gateway.Engine.Sessions;

/// <summary>What a <see cref="SessionState"/> means, written once.</summary>
public static class SessionStates
{
    /// <summary>
    /// Whether <paramref name="state"/> is final (<see cref="SessionState.Closed"/>, <see cref="SessionState.Failed"/>
    /// or <see cref="SessionState.Stopped"/>): the session will not connect again and its snapshot no longer changes.
    /// </summary>
    /// <param name="state">A session's state.</param>
    /// <returns>True for the three final states.</returns>
    public static bool IsFinal(this SessionState state) => state is SessionState.Closed or SessionState.Failed or SessionState.Stopped;
}
