// Medtour's GraphiQL page: the editor on /graphql, subscriptions over graphql-ws
// (graphql-transport-ws) on /graphql/ws. A served file rather than an inline script, so the
// page's Content-Security-Policy can allow scripts from this origin only.
(function () {
  'use strict';

  var origin = window.location.origin;
  var socket = origin.replace(/^http/, 'ws') + '/graphql/ws';

  var defaultQuery = [
    '# Welcome to the Medtour partner API.',
    '#',
    '# Every operation needs a bearer token. Get one from',
    '# POST /oauth/token with the client-credentials grant,',
    '# your client id and secret as HTTP Basic credentials:',
    '#',
    '#   curl -u "$CLIENT_ID:$CLIENT_SECRET" \\',
    '#     -d grant_type=client_credentials \\',
    '#     ' + origin + '/oauth/token',
    '#',
    '# then paste its access_token after "Bearer " in the',
    '# Headers tab below. Subscriptions send the same header',
    '# in the websocket\'s connection_init.',
    '',
    '{',
    '  viewer {',
    '    role',
    '    partnerName',
    '  }',
    '}',
    ''
  ].join('\n');

  var fetcher = GraphiQL.createFetcher({ url: origin + '/graphql', subscriptionUrl: socket });

  // GraphiQL keeps its history and favourites in localStorage with each operation's headers,
  // bearer token included (shouldPersistHeaders covers the tabs only): store them without.
  var isOurs = function (key) { return key.indexOf('graphiql:') === 0; };
  var withoutHeaders = function (value) {
    var saved = JSON.parse(value);
    Object.keys(saved).forEach(function (list) {
      if (Array.isArray(saved[list])) {
        saved[list].forEach(function (item) { delete item.headers; });
      }
    });
    return JSON.stringify(saved);
  };
  var storage = {
    getItem: function (key) { return localStorage.getItem(key); },
    setItem: function (key, value) {
      if (key === 'graphiql:queries' || key === 'graphiql:favorites') {
        try {
          value = withoutHeaders(value);
        } catch (unreadable) {
          return;
        }
      }
      localStorage.setItem(key, value);
    },
    removeItem: function (key) { localStorage.removeItem(key); },
    clear: function () { Object.keys(localStorage).filter(isOurs).forEach(storage.removeItem); },
    get length() { return Object.keys(localStorage).filter(isOurs).length; }
  };

  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultHeaders: '{"Authorization": "Bearer "}',
      defaultEditorToolsVisibility: 'headers',
      // Tokens stay out of localStorage.
      shouldPersistHeaders: false,
      storage: storage
    })
  );
})();
