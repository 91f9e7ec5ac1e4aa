#!/usr/bin/env python3
"""Tests of what itc-verify's reports contain, one part per ctest test (label: verify).

usage: report_test.py html|sarif|trace <itc-verify> <scratch folder>

html   report.html of data/report_fixture.json (a real run's results with four cells made into
       mismatches of each kind), loaded in headless Chromium: every cell's link resolves to
       evidence of that checker, following a link opens it, the filters work, nothing external,
       no raw Markdown; a screenshot is kept in the scratch folder. Skipped (exit 77) without
       Chromium.
sarif  results.sarif of the fixture and of a real model run: SARIF 2.1.0's required shape, an
       alert only for a cell that did not match, at the defect's line, rules with help.
trace  the interleaving of a real model run keeps template function names whole and its paths
       relative; the model checker's lock table lines are read when it prints them.
"""
import json
import os
import re
import shutil
import subprocess
import sys

MODE, VERIFY, SCRATCH = sys.argv[1], sys.argv[2], sys.argv[3]
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "data", "report_fixture.json")
SKIP = 77
shutil.rmtree(SCRATCH, ignore_errors=True)
os.makedirs(SCRATCH)
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(*args, timeout=600):
    return subprocess.run([VERIFY, *args], capture_output=True, text=True, timeout=timeout)


def fixture_reports():
    out = os.path.join(SCRATCH, "fixture")
    r = run("merge", FIXTURE, "--report-dir", out)
    check(r.returncode == 1 and os.path.isdir(out),
          f"the fixture's reports are written, exit 1 for its mismatches ({r.returncode}: {r.stderr.strip()})")
    return out


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


# The checks run inside the page, after its own script: every cell links to evidence of its
# checker, a followed link opens that evidence, the filters hide what they should.
PAGE_CHECK = r"""
<script>
(function(){
  var out={errors:[], cells:0, nonpass:0, ready:document.documentElement.dataset.ready==='1'};
  var all=function(s,r){return Array.prototype.slice.call((r||document).querySelectorAll(s));};
  var kinds={model:function(s,v){return v==='pass'||v==='timeout'||s.querySelector('.lanes,table.facts');},
             stress:function(s){return s.querySelector('table.facts')&&s.querySelector('.cmd code, p.muted');},
             tsan:function(s,v){return v!=='data_race'||all('.tsan .stack table.frames',s).length>=2;}};
  all('td.cell').forEach(function(td){
    out.cells++;
    var a=td.querySelector('a[href^="#"]');
    var what=td.closest('tr').querySelector('td code').textContent+' / '+td.dataset.checker;
    if(td.dataset.state!=='pass') out.nonpass++;
    if(!a){out.errors.push('no link: '+what);return;}
    var target=document.getElementById(a.getAttribute('href').slice(1));
    if(!target){out.errors.push('link to nothing: '+what+' -> '+a.getAttribute('href'));return;}
    if(!target.matches('section.evidence')||target.dataset.checker!==td.dataset.checker)
      out.errors.push('not evidence of its checker: '+what+' -> '+target.id);
    else if(!kinds[td.dataset.checker](target,td.dataset.verdict))
      out.errors.push('evidence without its content: '+what);
    if(target.dataset.verdict!==td.dataset.verdict) out.errors.push('other verdict: '+what);
  });
  // Following a mismatch's link opens its evidence.
  var bad=document.querySelector('td.cell.mismatch a')||document.querySelector('td.cell.detected a');
  var target=document.getElementById(bad.getAttribute('href').slice(1));
  target.querySelector('details.body').open=false;
  location.hash='';
  bad.click();
  setTimeout(function(){
    if(!target.querySelector('details.body').open) out.errors.push('following a link does not open its evidence');
    // Filters: family, checker, verdict.
    var fam=document.getElementById('f-family'); fam.value='lock'; fam.dispatchEvent(new Event('change'));
    var rows=all('.matrix tr.row').filter(function(r){return !r.hidden;});
    if(!rows.length||rows.some(function(r){return r.dataset.family!=='lock';})) out.errors.push('family filter');
    var tsan=document.querySelector('input.f-checker[value="tsan"]'); tsan.checked=false; tsan.dispatchEvent(new Event('change'));
    if(!all('.matrix [data-checker="tsan"]').every(function(e){return e.classList.contains('hidden-col');})) out.errors.push('checker filter (matrix)');
    if(!all('section.evidence[data-checker="tsan"]').every(function(e){return e.hidden;})) out.errors.push('checker filter (evidence)');
    document.getElementById('f-reset').click();
    var ver=document.getElementById('f-verdict'); ver.value='mismatch'; ver.dispatchEvent(new Event('change'));
    var shown=all('.matrix tr.row').filter(function(r){return !r.hidden;}).length;
    var want=all('.matrix tr.row').filter(function(r){return r.querySelector('td.cell.mismatch');}).length;
    if(shown!==want) out.errors.push('verdict filter: '+shown+' rows shown, '+want+' have a mismatch');
    if(all('section.evidence').some(function(s){return !s.hidden&&s.dataset.state!=='mismatch';})) out.errors.push('verdict filter (evidence)');
    document.getElementById('f-reset').click();
    out.copy=all('.cmd').every(function(c){return c.querySelector('button.copy')&&c.querySelector('code');});
    var pre=document.createElement('pre'); pre.id='itc-test-result'; pre.textContent=JSON.stringify(out);
    document.body.appendChild(pre);
  }, 200);
})();
</script>
"""


def html_test():
    browser = chromium()
    if browser is None:
        print("SKIP: no chromium (Debian package `chromium`; ci/install-deps.sh installs it)")
        sys.exit(SKIP)
    out = fixture_reports()
    page = open(os.path.join(out, "report.html"), encoding="utf-8").read()
    fixture = json.load(open(FIXTURE, encoding="utf-8"))
    # Self-contained: no external resource, no machine path.
    external = re.findall(r'(?:src|href)\s*=\s*"(?!#)([^"]*)"', page)
    check(not external and "<link" not in page and "@import" not in page, f"no external resources: {external[:3]}")
    # Code rendered as code: outside <pre> and <script>, no raw Markdown backtick and no "…" cut.
    text = re.sub(r"<pre.*?</pre>|<script.*?</script>", "", page, flags=re.S)
    check("`" not in re.sub(r"<[^>]+>", "", text), "no raw Markdown backticks outside <pre>")
    check("…" not in text and "ellipsis" not in page, "nothing is cut with an ellipsis")
    check("<code>task_done()</code>" in page, "the defect column renders `task_done()` as <code>")
    # Mismatches on top, named at the start of the page with links.
    bad = [c for c in fixture["cells"] if not c["match"]]
    first_rows = re.findall(r'<tr class="row"[^>]*><td><a href="#sc-[^"]*"><code>([^<]*)</code>', page)
    check(set(first_rows[:len({c["id"] for c in bad})]) == {c["id"] for c in bad}, f"mismatching rows first: {first_rows[:5]}")
    status = page[page.index('class="status'):page.index("</p>", page.index('class="status'))]
    check(all(c["id"] in status for c in bad), "the first line names every mismatching cell")
    # Evidence of each kind.
    check(re.search(r'id="ev-stress-lock-abba".*?<th>seed</th><td><code>\d+</code>', page, re.S) is not None,
          "stress evidence shows the seed")
    abba = page[page.index('id="ev-stress-lock-abba"'):page.index("</section>", page.index('id="ev-stress-lock-abba"'))]
    check("blocked in <code>Lock::acquire()</code>" in abba and "waiting to be woken" in abba
          and "models/scenarios/lock.hpp:40" in abba, "stress evidence: the blocked threads with their state")
    check('itc-stress run lock/abba --seed 1 --iterations 1</code></pre><button type="button" class="copy">' in abba,
          "stress evidence: the re-run command as printed, with a copy button")
    tsan = page[page.index('id="ev-tsan-counter-correct"'):page.index("</section>", page.index('id="ev-tsan-counter-correct"'))]
    check("Read of size 4" in tsan and "Previous write of size 4" in tsan
          and '<code class="loc user" title="the scenario\'s code">models/scenarios/counter.hpp:25:30</code>' in tsan
          and re.search(r">/[^<]*models/scenarios/", tsan) is None,
          "tsan evidence: both stacks, paths relative to the repository")
    model = page[page.index('id="ev-model-lock-abba"'):page.index("</section>", page.index('id="ev-model-lock-abba"'))]
    check('class="lanes"' in model and "stuck here" in model and 'class="facts locks"' in model
          and "Lock#2 (at models/scenarios/lock.hpp:41 move_holding)" in model,
          "model evidence: lanes, the stuck threads, the lock each thread holds and waits for")
    mtd = page[page.index('id="ev-model-queue-missing_task_done"'):]
    mtd = mtd[:mtd.index("</section>")]
    last = mtd[:mtd.index("</div>\n", mtd.index('class="lanes"'))]
    fail_cell = last[last.rindex('<div class="ev fail">'):]
    check("DEADLOCK" in fail_cell and "queue.hpp:261" in fail_cell,
          "the final DEADLOCK step sits in the stuck thread's lane, at the line it went to sleep on")
    check("pop_next&lt;itc::BasicQueue&lt;int, itc::models::RelacyPlatform" in mtd, "template names are whole in the lanes")
    # Compare view, legend, chart.
    cmp = page[page.index('id="cmp-queue-missing_task_done"'):page.index("</article>", page.index('id="cmp-queue-missing_task_done"'))]
    check('class="diff"' in cmp and 'class="del">-       this-&gt;q.task_done();' in cmp and 'class="trace"' in cmp
          and "ev-stress-queue-missing_task_done" in cmp, "compare view: verdicts side by side, the code difference, the interleaving")
    check('id="legend"' in page and "<code>(p)</code>" in page and "<code>—</code>" in page and "<code>3/3</code>" in page,
          "a legend for —, (p), 3/3")
    check(re.search(r'<svg class="chart".*?<circle', page, re.S) is not None, "an inline SVG chart of time to detection")
    # A broken row's passes say which expectation they matched (deep/stack_aba: "assertion|—"
    # for stress, "—" for tsan), and the legend says what that means.
    deep_row = page[page.index('<td><a href="#sc-deep-stack_aba"'):]
    deep_row = deep_row[:deep_row.index("</tr>")]
    check(">pass (assertion|—)</a>" in deep_row and ">pass (—)</a>" in deep_row,
          "a broken row's matching passes name their expectation: pass (assertion|—), pass (—)")
    check("<code>pass (—), pass (assertion|—)</code>" in page and "no evidence that the code is correct" in page,
          "the legend explains a broken row's pass")
    # In the browser.
    checked = os.path.join(out, "check.html")
    with open(checked, "w", encoding="utf-8") as f:
        f.write(page.replace("</body>", PAGE_CHECK + "</body>"))
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000"]
    r = subprocess.run([browser, *flags, "--dump-dom", "file://" + checked], capture_output=True, text=True, timeout=120)
    m = re.search(r'<pre id="itc-test-result">(.*?)</pre>', r.stdout, re.S)
    result = json.loads(m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")) if m else {}
    check(result.get("ready"), f"the page's script ran in Chromium ({r.returncode}, {r.stderr[-200:]})")
    check(result.get("cells") == len(fixture["cells"]) and result.get("nonpass", 0) >= len(bad),
          f"every cell checked in the browser ({result.get('cells')} of {len(fixture['cells'])})")
    check(result.get("errors") == [], f"every cell's link resolves to evidence of its checker: {result.get('errors')}")
    check(result.get("copy"), "every command has a copy button")
    shot = os.path.join(SCRATCH, "report.png")
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                    "--window-size=1400,2000", "file://" + os.path.join(out, "report.html")],
                   capture_output=True, timeout=120)
    check(os.path.exists(shot) and os.path.getsize(shot) > 10000, f"a screenshot is kept: {shot}")


def sarif_shape(doc, what):
    """The properties SARIF 2.1.0 requires (and the ones code scanning reads)."""
    ok = doc.get("version") == "2.1.0" and "sarif-2.1.0" in doc.get("$schema", "") and isinstance(doc.get("runs"), list)
    for run_ in doc.get("runs", []):
        driver = run_.get("tool", {}).get("driver", {})
        ok = ok and driver.get("name") == "itc-verify" and re.match(r"^\d+\.\d+\.\d+", driver.get("version", "")) is not None
        ok = ok and isinstance(driver.get("rules"), list) and all(
            r.get("id") and r.get("shortDescription", {}).get("text") and r.get("help", {}).get("text")
            and r.get("help", {}).get("markdown") for r in driver["rules"])
        uri = driver.get("informationUri")
        ok = ok and (uri is None or re.match(r"^https?://(?!example\.)", uri) is not None)
        for res in run_.get("results", []):
            loc = res.get("locations", [{}])[0].get("physicalLocation", {})
            ok = ok and res.get("ruleId") and res.get("level") in ("none", "note", "warning", "error")
            ok = ok and res.get("kind") in ("pass", "fail", "informational", "notApplicable", "open", "review")
            ok = ok and res.get("message", {}).get("text") and loc.get("artifactLocation", {}).get("uri")
            ok = ok and not loc["artifactLocation"]["uri"].startswith("/")
            ok = ok and ("region" not in loc or loc["region"].get("startLine", 0) >= 1)
    check(bool(ok), f"{what}: SARIF 2.1.0 shape (version, $schema, driver name/version/rules, results' ruleId/level/kind/message/locations)")
    check("example.invalid" not in json.dumps(doc), f"{what}: no placeholder URI")


def sarif_test():
    version = re.search(r"project\(itc VERSION (\d+\.\d+\.\d+)", open(os.path.join(HERE, "..", "..", "CMakeLists.txt")).read())
    out = fixture_reports()
    doc = json.load(open(os.path.join(out, "results.sarif")))
    fixture = json.load(open(FIXTURE, encoding="utf-8"))
    sarif_shape(doc, "fixture")
    driver = doc["runs"][0]["tool"]["driver"]
    check(version and driver["version"] == version.group(1), f"the tool's version is the project's ({driver['version']})")
    results = doc["runs"][0]["results"]
    alerts = [r for r in results if r["kind"] == "fail"]
    bad = {(c["id"], c["checker"]) for c in fixture["cells"] if not c["match"]}
    check({(r["ruleId"], r["properties"]["checker"]) for r in alerts} == bad, f"an alert for every mismatch, and only those: {len(alerts)}")
    check(all(r["level"] == "error" for r in alerts if r["properties"]["verdict"] != "timeout"),
          "a missed detection, a flagged correct form, another defect: level error")
    passes = [r for r in results if r["kind"] == "pass"]
    detections = [c for c in fixture["cells"] if c["match"] and c["verdict"] != "pass"]
    check(len(passes) == len(detections) and all(r["level"] == "none" for r in passes),
          f"expected detections are kind pass, level none ({len(passes)} of {len(detections)})")
    loc = lambda r: (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                     r["locations"][0]["physicalLocation"].get("region", {}).get("startLine"))
    by = {(r["ruleId"], r["properties"]["checker"]): r for r in results}
    check(loc(by[("queue/missing_task_done", "stress")]) == ("models/scenarios/queue.hpp", 82),
          f"a missed detection points at the scenario's DEFECT line: {loc(by[('queue/missing_task_done', 'stress')])}")
    check(loc(by[("semaphore/release_without_acquire", "model")]) == ("models/scenarios/semaphore.hpp", 65),
          "a defect in the scenario's base struct: its DEFECT line")
    flagged = by[("counter/correct", "tsan")]
    check(loc(flagged)[0] == "models/scenarios/counter.hpp" and loc(flagged)[1] != 1,
          f"a flagged correct form points at its own code, not the library: {loc(flagged)}")
    check(flagged.get("relatedLocations", [{}])[0].get("physicalLocation", {}).get("artifactLocation", {}).get("uri")
          == "primitives/include/itc/lock.hpp", "... and names the library line the checker saw as a related location")
    lib = re.compile(r"^primitives/include/itc/(?!broken/)|tsan_annotations|^models/src/|^stress/src/")
    check(not [loc(r) for r in results if lib.search(loc(r)[0])], "no result located in itc's library or the checkers")
    rules = {r["id"]: r for r in driver["rules"]}
    check("call it once per" in rules["queue/missing_task_done"]["help"]["text"]
          and "consumer never calls" in rules["queue/missing_task_done"]["help"]["markdown"],
          "rules carry the defect and the fix as help")
    # A real run: a model-only slice of the catalog.
    real = os.path.join(SCRATCH, "real")
    r = run("run", "queue/*", "lock/*", "--checker", "model", "--report-dir", real)
    check(r.returncode == 0, f"a real model run of queue/* lock/* matches ({r.returncode})")
    doc = json.load(open(os.path.join(real, "results.sarif")))
    sarif_shape(doc, "real run")
    results = doc["runs"][0]["results"]
    check(results and all(x["kind"] == "pass" and x["level"] == "none" for x in results),
          f"every cell matches: no alert, {len(results)} expected detections as kind pass")
    where = {x["ruleId"]: loc(x) for x in results}
    check(all(not lib.search(u) and line and line > 1 for u, line in where.values()),
          f"every result at a line of the scenario or its broken primitive: {sorted(set(where.values()))}")
    check(where.get("lock/abba") == ("models/scenarios/lock.hpp", 89) and where.get("queue/if_not_while")
          == ("primitives/include/itc/broken/queue_if_not_while.hpp", 32), "at the DEFECT lines")


def trace_test():
    out = os.path.join(SCRATCH, "trace")
    r = run("run", "queue/missing_task_done", "--checker", "model", "--report-dir", out)
    check(r.returncode == 0, f"queue/missing_task_done under the model checker matches ({r.returncode})")
    cell = json.load(open(os.path.join(out, "results.json")))["cells"][0]
    printed = [l for l in cell["evidence"].splitlines() if re.match(r"^\s*\d+\s+T\d+ \|", l)]
    check(len(cell["trace"]) == len(printed), f"every printed step is in the trace ({len(cell['trace'])} of {len(printed)})")
    names = [s["function"] for s in cell["trace"] if s["function"].startswith("pop_next<")]
    check(names and all(n.startswith("pop_next<itc::BasicQueue<int, itc::models::RelacyPlatform") and n.endswith(">")
                        for n in names), f"template function names are whole: {names[:1]}")
    check(all(not s["location"].startswith("/") and re.match(r"^\S+:\d+$", s["location"]) for s in cell["trace"]),
          "every step's location is file:line relative to the repository")
    # Should the model checker print names whole one day ("file:line <whole name>: event"), the
    # trace is the same.
    real_model = os.path.realpath(os.path.join(os.path.dirname(VERIFY), "..", "stress", "itc-model"))
    whole_model = os.path.join(SCRATCH, "model-whole-names")
    with open(whole_model, "w") as f:
        f.write(r"""#!/usr/bin/env python3
import re, subprocess, sys
r = subprocess.run([REAL] + sys.argv[1:], capture_output=True, text=True)
cut = re.compile(r"^(\s*\d+\s+T\d+ \|\s*)(.*), (\S+):(\d+) (.*?): (.*)$")
def whole(line):
    m = cut.match(line)
    if not m:
        return line
    path = re.sub(r"^.*?/(?=(primitives|models)/)", "", m.group(3))
    return m.group(1) + path + ":" + m.group(4) + " " + m.group(5) + ", " + m.group(2) + ": " + m.group(6)
sys.stdout.write("\n".join(whole(l) for l in r.stdout.split("\n")))
sys.exit(r.returncode)
""".replace("REAL", repr(real_model)))
    os.chmod(whole_model, 0o755)
    out2 = os.path.join(SCRATCH, "whole")
    run("--model-bin", whole_model, "run", "queue/missing_task_done", "--checker", "model", "--report-dir", out2)
    again = json.load(open(os.path.join(out2, "results.json")))["cells"][0] if os.path.isdir(out2) else {}
    check(re.search(r"queue\.hpp:\d+ pop_next<itc::BasicQueue<int, itc::models::RelacyPlatform", again.get("evidence", ""))
          and [(s["location"], s["function"]) for s in again.get("trace", [])]
          == [(s["location"], s["function"]) for s in cell["trace"]],
          "a model checker that prints whole names gives the same trace")
    # The model checker's lock table (printed after a deadlock or a lock-order inversion), read
    # from the real lock/abba run.
    out = os.path.join(SCRATCH, "locks")
    r = run("run", "lock/abba", "--checker", "model", "--report-dir", out)
    cell = json.load(open(os.path.join(out, "results.json")))["cells"][0] if os.path.isdir(out) else {}
    site = re.compile(r"^Lock#\d \((acquired|at) models/scenarios/lock\.hpp:\d+ move_holding\)$")
    locks = cell.get("locks") or []
    check(len(locks) == 2 and [l["thread"] for l in locks] == [0, 1]
          and all(site.match(l["holds"]) and site.match(l["waits_for"]) for l in locks)
          and {l["held_by"] for l in locks} == {"T0", "T1"}, f"the lock table is read: {locks}")
    check(cell.get("trace") and cell["trace"][-1]["event"].startswith("DEADLOCK"), "the trace ends at the deadlock")
    html = open(os.path.join(out, "report.html"), encoding="utf-8").read()
    check('class="facts locks"' in html and "held by" in html, "report.html shows the lock table")


{"html": html_test, "sarif": sarif_test, "trace": trace_test}[MODE]()
print(f"\n{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
