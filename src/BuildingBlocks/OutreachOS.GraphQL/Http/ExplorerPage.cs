using System.Net;

namespace OutreachOS.GraphQL;

/// <summary>A dependency-free explorer page (no CDN: the machines running this have no internet access).</summary>
internal static class ExplorerPage
{
    public static string Html(string endpoint) => Template.Replace("__ENDPOINT__", WebUtility.HtmlEncode(endpoint), StringComparison.Ordinal);

    private const string Template = """
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>GraphQL explorer</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 1fr 1fr 18rem; height: 100vh; }
  section { display: flex; flex-direction: column; padding: .5rem; gap: .4rem; min-height: 0; }
  textarea, pre { font-family: ui-monospace, monospace; font-size: 13px; border: 1px solid #ccc; padding: .4rem; margin: 0; }
  textarea#query { flex: 3; } textarea#variables, textarea#headers { flex: 1; }
  pre { flex: 1; overflow: auto; background: #f7f7f7; white-space: pre-wrap; }
  #docs { overflow: auto; font-size: 12px; border-left: 1px solid #ddd; }
  label { font-size: 12px; color: #555; } button { padding: .4rem 1rem; }
  .t { font-weight: bold; margin-top: .5rem; } .f { margin-left: .8rem; color: #333; }
</style>
</head>
<body>
<section>
  <label for="query">Query (Ctrl+Enter runs) &mdash; endpoint <code>__ENDPOINT__</code></label>
  <textarea id="query" spellcheck="false">{
  __typename
}</textarea>
  <label for="operationName">Operation name</label>
  <input id="operationName">
  <label for="variables">Variables (JSON)</label>
  <textarea id="variables" spellcheck="false">{}</textarea>
  <label for="headers">Extra headers (JSON)</label>
  <textarea id="headers" spellcheck="false">{}</textarea>
  <button id="run">Run</button>
</section>
<section>
  <label>Response <span id="status"></span></label>
  <pre id="result"></pre>
</section>
<section id="docs"><button id="loadDocs">Load schema</button><div id="types"></div></section>
<script>
const endpoint = "__ENDPOINT__";
const $ = id => document.getElementById(id);
async function post(body) {
  let headers = {};
  try { headers = JSON.parse($("headers").value || "{}"); } catch (e) { throw new Error("Headers: " + e.message); }
  const res = await fetch(endpoint, {
    method: "POST",
    headers: Object.assign({ "Content-Type": "application/json", "Accept": "application/graphql-response+json, application/json" }, headers),
    body: JSON.stringify(body)
  });
  return { status: res.status, json: await res.json() };
}
async function run() {
  $("result").textContent = "...";
  try {
    const variables = JSON.parse($("variables").value || "{}");
    const r = await post({ query: $("query").value, variables, operationName: $("operationName").value || null });
    $("status").textContent = "HTTP " + r.status;
    $("result").textContent = JSON.stringify(r.json, null, 2);
  } catch (e) { $("result").textContent = String(e); }
}
function typeName(t) { return t.kind === "NON_NULL" ? typeName(t.ofType) + "!" : t.kind === "LIST" ? "[" + typeName(t.ofType) + "]" : t.name; }
async function loadDocs() {
  const q = "{ __schema { types { name kind description fields { name args { name type { ...T } } type { ...T } } inputFields { name type { ...T } } enumValues { name } } } }" +
    " fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }";
  const r = await post({ query: q });
  const box = $("types"); box.textContent = "";
  for (const t of r.json.data.__schema.types.filter(t => !t.name.startsWith("__"))) {
    const d = document.createElement("div"); d.className = "t"; d.textContent = t.kind.toLowerCase() + " " + t.name; d.title = t.description || ""; box.appendChild(d);
    for (const f of (t.fields || t.inputFields || [])) {
      const e = document.createElement("div"); e.className = "f";
      const args = f.args && f.args.length ? "(" + f.args.map(a => a.name + ": " + typeName(a.type)).join(", ") + ")" : "";
      e.textContent = f.name + args + ": " + typeName(f.type); box.appendChild(e);
    }
    for (const v of (t.enumValues || [])) { const e = document.createElement("div"); e.className = "f"; e.textContent = v.name; box.appendChild(e); }
  }
}
$("run").onclick = run;
$("loadDocs").onclick = () => loadDocs().catch(e => $("types").textContent = String(e));
document.addEventListener("keydown", e => { if (e.ctrlKey && e.key === "Enter") run(); });
const params = new URLSearchParams(location.search);
if (params.get("query")) $("query").value = params.get("query");
if (params.get("variables")) $("variables").value = params.get("variables");
</script>
</body>
</html>
""";
}
