// The query editor: YASGUI on this server's endpoint, the examples listed by their question,
// completion from the dataset's own prefixes and terms (no request leaves the server), edits kept in
// localStorage, and result IRIs of the dataset linked to this server's pages.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("editor-data").textContent);
  const Yasqe = Yasgui.Yasqe;
  const ns = data.prefixes.ntrkkg;

  const text = (example) => "# " + example.question + "\n" + example.query;

  // Completion: our predeclared prefixes, and the ontology's classes and properties, full or as ntrkkg:Name.
  const iriCompletion = Yasqe.Autocompleters.property.postProcessSuggestion;
  Yasqe.forkAutocompleter("prefixes", {
    name: "ntrkkgPrefixes", persistenceId: null, bulk: true,
    get: () => Object.keys(data.prefixes).sort().map((p) => p + ": <" + data.prefixes[p] + ">"),
  }, false);
  for (const [kind, name] of [["property", "ntrkkgProperties"], ["class", "ntrkkgClasses"]]) {
    const iris = data.terms[kind];
    Yasqe.forkAutocompleter(kind, {
      name: name, persistenceId: null, bulk: true, autoShow: false,
      get: () => iris.concat(iris.map((iri) => "ntrkkg:" + iri.slice(ns.length))),
      postProcessSuggestion: (yasqe, token, suggestion) =>
        suggestion.startsWith("http") ? iriCompletion(yasqe, token, suggestion) : suggestion,
    }, false);
  }

  const request = { endpoint: data.endpoint, method: "POST" };
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: request,
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint: data.endpoint }] },
    persistenceId: "ntrkkg-editor",  // tabs and their queries survive a reload
    populateFromUrl: false,  // ?query= is handled below
    tabName: data.default ? data.default.question : "Query",
    yasqe: {
      value: data.default ? text(data.default) : "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
      autocompleters: ["variables", "ntrkkgPrefixes", "ntrkkgProperties", "ntrkkgClasses"],
    },
  });

  // A stored tab may point at another server's endpoint (a copied profile): this page queries its own.
  for (const id of yasgui.persistentConfig.getTabs()) {
    const tab = yasgui.getTab(id);
    if (tab && tab.getRequestConfig().endpoint !== data.endpoint) tab.setRequestConfig(request);
  }

  const byId = new Map(data.examples.map((e) => [e.id, e]));
  const list = document.getElementById("example-list");
  const search = document.getElementById("example-search");

  function markActive(id) {
    for (const li of list.children) li.classList.toggle("active", li.dataset.id === id);
  }

  function open(example) {
    const tab = yasgui.getTab();
    tab.setQuery(text(example));
    tab.setName(example.question.length > 48 ? example.question.slice(0, 46) + "…" : example.question);
    markActive(example.id);
  }

  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-id]");
    if (button) open(byId.get(button.dataset.id));
  });

  // Every word typed must appear in the question, the example's name or its query.
  search.addEventListener("input", () => {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const li of list.children) {
      const example = byId.get(li.dataset.id);
      const haystack = (example.question + " " + example.id + " " + example.query).toLowerCase();
      li.hidden = !words.every((w) => haystack.includes(w));
    }
  });

  // The server predeclares common prefixes; the editor's checker does not know them, so a query from a
  // link gets PREFIX lines for the ones it uses without declaring (same meaning, and portable elsewhere).
  function declarePrefixes(query) {
    const declared = new Set([...query.matchAll(/PREFIX\s+([\w-]*):/gi)].map((m) => m[1]));
    const used = new Set([...query.matchAll(/(?:^|[\s(){};,.\/|^!])([A-Za-z][\w-]*):/g)].map((m) => m[1]));
    const missing = [...used].filter((p) => !declared.has(p) && p in data.prefixes).sort();
    return missing.map((p) => "PREFIX " + p + ": <" + data.prefixes[p] + ">\n").join("") + query;
  }

  // /sparql?query=… opened in a browser: show that query in a tab of its own and run it.
  if (data.query) {
    data.query = declarePrefixes(data.query);
    let tab = yasgui.persistentConfig.getTabs().map((id) => yasgui.getTab(id))
      .find((t) => t && t.getQuery && t.getYasqe() && t.getQuery() === data.query);
    if (!tab) {
      tab = yasgui.addTab(true, { ...Yasgui.Tab.getDefaults(), name: "Query from the link",
        requestConfig: request, yasqe: { value: data.query } });
    }
    yasgui.selectTabId(tab.getId());
    tab.query().catch(() => {});
  }

  // The question the current tab holds, if it is one of the examples, is marked in the list.
  function refreshActive() {
    const tab = yasgui.getTab();
    const current = tab && tab.getYasqe() ? tab.getQuery() : "";
    const shown = data.examples.find((e) => text(e) === current);
    markActive(shown ? shown.id : "");
  }
  refreshActive();
  yasgui.on("tabChange", () => setTimeout(refreshActive, 0));

  // Result IRIs minted under the dataset's base open this server's page for them.
  const local = window.location.origin + "/";
  if (data.base !== local) {
    const rewrite = (root) => {
      for (const a of root.querySelectorAll('a[href^="' + data.base + '"]')) {
        a.href = local + a.getAttribute("href").slice(data.base.length);
      }
    };
    new MutationObserver((changes) => {
      for (const change of changes) {
        for (const node of change.addedNodes) if (node.querySelectorAll) rewrite(node);
      }
    }).observe(document.getElementById("yasgui"), { childList: true, subtree: true });
  }

  window.ntrkkgEditor = yasgui;
})();
