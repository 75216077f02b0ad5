// The method names of the SignalR hub /hubs/sessions, in one place.
//
// CLIENT_METHODS are what the server pushes (the interface ISessionsClient in Gateway.Api: SignalR sends
// its method names as they are); HUB_METHODS are what a client may invoke (SessionsHub's public methods).
// Gateway.Api.Tests (HubMethodNamesTests) reads this file and checks both lists against the C# types,
// so keep each entry on its own line as `name: 'name',`.

export const HUB_PATH = '/hubs/sessions';

export const CLIENT_METHODS = Object.freeze({
  sessionChanged: 'sessionChanged',
  sessionRemoved: 'sessionRemoved',
  sessionCounters: 'sessionCounters',
  sessionDetail: 'sessionDetail',
  sessionLog: 'sessionLog',
  agentChanged: 'agentChanged',
});

export const HUB_METHODS = Object.freeze({
  GetSessions: 'GetSessions',
  Subscribe: 'Subscribe',
  Unsubscribe: 'Unsubscribe',
});
