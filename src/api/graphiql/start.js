// Mounts GraphiQL on #graphiql: queries go to this server's /graphql; the saved examples open as tabs.
/* global React, ReactDOM, GraphiQL */
(function () {
  'use strict';
  var tabs = JSON.parse(document.getElementById('graphiql-tabs').textContent);
  var fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', window.location.href).href });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: tabs,
      defaultEditorToolsVisibility: true,
    }),
  );
})();
