// Starts GraphiQL on the page Threadpress serves at GET /graphql (after Strawberry's own
// GraphiQL template). It lives in a file, not inline, so the page's Content-Security-Policy
// can allow scripts from this server only. React, ReactDOM, Cookies, GraphiQL and
// GraphiQLPluginExplorer are globals set by the files loaded before this one.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("threadpress-graphiql").textContent);
  var endpoint = window.location.pathname;

  // A query can be shared by URL: ?q=...&variables=... (updated as the user edits).
  var parameters = {};
  new URLSearchParams(window.location.search).forEach(function (value, key) {
    parameters[key] = value;
  });

  function updateURL(data) {
    Object.assign(parameters, data);
    var search = new URLSearchParams();
    Object.keys(parameters).forEach(function (key) {
      if (parameters[key]) {
        search.set(key, parameters[key]);
      }
    });
    history.replaceState(null, "", "?" + search.toString());
  }

  var headers = {};
  var csrfToken = Cookies.get("csrftoken");
  if (csrfToken) {
    headers["x-csrftoken"] = csrfToken;
  }

  // Subscriptions run over graphql-transport-ws at the same path (GraphiQL bundles the
  // graphql-ws client); the page's `connect-src 'self'` covers ws(s) to this host.
  var subscriptionUrl =
    (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + endpoint;
  var fetcher = GraphiQL.createFetcher({
    url: endpoint,
    subscriptionUrl: subscriptionUrl,
    headers: headers,
  });

  function GraphiQLWithExplorer() {
    var queryState = React.useState(parameters.q || config.exampleQuery);
    var variablesState = React.useState(parameters.variables);
    var headersState = React.useState(parameters.headers);
    var explorer = React.useMemo(function () {
      return GraphiQLPluginExplorer.explorerPlugin();
    }, []);

    // Opened on two tabs: the example query, and the comment mutation. A query shared by URL
    // opens alone.
    var tabs = parameters.q
      ? undefined
      : [
          { query: config.exampleQuery },
          { query: config.exampleMutation, variables: config.exampleMutationVariables },
        ];

    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: tabs,
      defaultEditorToolsVisibility: true,
      plugins: [explorer],
      query: queryState[0],
      variables: variablesState[0],
      headers: headersState[0],
      onEditQuery: function (query) {
        queryState[1](query);
        updateURL({ q: query });
      },
      onEditVariables: function (variables) {
        variablesState[1](variables);
        updateURL({ variables: variables });
      },
      onEditHeaders: function (value) {
        headersState[1](value);
      },
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    });
  }

  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQLWithExplorer));
})();
