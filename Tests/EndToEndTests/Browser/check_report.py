"""Opens a pktpath HTML report in headless Chromium (through Playwright, with the system's chromium) and
walks it as a user would: the list, a click on a dropped frame, its call tree and links, the frame it
caused, the step-through with the keyboard, filters, sorting, paging, the call graph, the statistics and
the agreement. Fails on any network request. Writes a screenshot of each view to OUTDIR.

usage: check_report.py REPORT.html OUTDIR EXPECTATIONS.json
EXPECTATIONS: {"frames": N, "drops": [frame numbers], "drop_reason": "...", "kernel": "6.1",
               "caused": {"cause": N, "effect": M}, "step_function": "eth_type_trans",
               "step_layer": "link", "step_skb": "text", "pages": P}
"""
import json
import os
import sys

from playwright.sync_api import sync_playwright

report, outdir, expectations = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
os.makedirs(outdir, exist_ok=True)
url = "file://" + os.path.abspath(report)
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)


requests = []
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                args=["--no-sandbox", "--disable-gpu"])
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.on("request", lambda r: requests.append(r.url))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    page.wait_for_selector("#list tbody tr")

    rows = page.locator("#list tbody tr")
    check(rows.count() == min(expectations["frames"], 500), f"list rows {rows.count()}")
    pager = page.inner_text("#pager")
    check(f"of {expectations['frames']} shown" in pager, f"pager says {pager!r}")
    check(f"of {expectations['pages']}" in pager, f"pager pages: {pager!r}")
    page.screenshot(path=f"{outdir}/1-list.png")
    if expectations.get("list_only"):
        # A large capture: the list is paged, every frame reachable.
        page.click("#next")
        check(f"frames 501–1000 of {expectations['frames']}" in page.inner_text("#pager"), "the second page")
        page.click("#list tbody tr:first-child")
        check(page.inner_text("#detail h3").startswith("#501 "), "a frame of the second page opens")
        page.keyboard.press("k")
        check(page.inner_text("#detail h3").startswith("#500 "), "k moves back onto the first page")
        check("page 1 of" in page.inner_text("#pager"), "the list follows the selection")
        page.screenshot(path=f"{outdir}/paged.png")
        browser.close()
        outside = [u for u in requests if u != url]
        check(not outside, f"network requests: {outside}")
        check(not errors, f"page errors: {errors}")
        print(json.dumps({"failures": failures}))
        sys.exit(1 if failures else 0)

    # A dropped frame: its tree, its drop, its Elixir links, the frame it caused.
    drop = expectations["drops"][0]
    page.click(f"#row-{drop}")
    detail = page.inner_text("#detail")
    check(f"#{drop}" in detail, "detail shows the frame")
    check(expectations["drop_reason"] in page.inner_text("#tree"), "tree shows the drop reason")
    check(page.locator("#tree .drop").count() == 1, "one drop line in the tree")
    hrefs = page.eval_on_selector_all("#tree a", "as => as.map(a => a.href)")
    prefix = f"https://elixir.bootlin.com/linux/v{expectations['kernel']}/A/ident/"
    check(hrefs and all(h.startswith(prefix) for h in hrefs), f"Elixir links {hrefs[:2]}")
    check(page.locator("#tree .expl").count() > 0, "one-line explanations beside the calls")
    check(page.locator("#tree .file").first.inner_text().endswith(".c"), "source files beside the calls")
    check(page.locator("#row-%d.sel" % drop).count() == 1, "the clicked row is selected")
    page.screenshot(path=f"{outdir}/2-frame.png")
    page.set_viewport_size({"width": 1100, "height": 440})
    page.screenshot(path=f"{outdir}/readme.png")
    page.set_viewport_size({"width": 1280, "height": 800})

    caused = expectations["caused"]
    page.click(f"#row-{caused['cause']}")
    page.click(f"#detail [data-frame='{caused['effect']}']")
    check(page.inner_text("#detail h3").startswith(f"#{caused['effect']} "), "the caused frame opens")
    page.click(f"#detail [data-frame='{caused['cause']}']")
    check(page.inner_text("#detail h3").startswith(f"#{caused['cause']} "), "caused-by leads back")

    # Step through with the keyboard: enter, then → until the expected function.
    page.keyboard.press("Enter")
    page.wait_for_selector("#step")
    first_layer = page.inner_text("#layer")
    check(first_layer == "driver", f"the first step's layer is {first_layer}")
    seen = []
    for _ in range(200):
        name = page.inner_text("#step h4 a")
        seen.append(name)
        if name == expectations["step_function"]:
            break
        page.keyboard.press("ArrowRight")
    check(seen[-1] == expectations["step_function"], f"stepped through {seen}")
    check(page.inner_text("#layer") == expectations["step_layer"], "layer of " + seen[-1])
    check(expectations["step_skb"] in page.inner_text("#skb"), "what changes in the skb: " + page.inner_text("#skb"))
    check(page.locator(".tree .cur").count() == 1, "the step is marked in the tree")
    page.screenshot(path=f"{outdir}/3-step.png")
    page.keyboard.press("ArrowLeft")
    check(page.inner_text("#step h4 a") == seen[-2], "← goes back one step")
    page.keyboard.press("Escape")
    check(page.locator("#tree").count() == 1, "escape returns to the tree")

    # j/k move the selection through the list.
    page.click("#row-1")
    page.keyboard.press("j")
    check(page.inner_text("#detail h3").startswith("#2 "), "j selects the next frame")
    page.keyboard.press("k")
    check(page.inner_text("#detail h3").startswith("#1 "), "k selects the previous frame")

    # Filters and sorting.
    page.select_option("#fverdict", "drop")
    numbers = [int(x) for x in page.eval_on_selector_all("#list tbody tr", "rs => rs.map(r => r.cells[0].innerText)")]
    check(numbers == expectations["drops"], f"verdict filter shows {numbers}")
    page.select_option("#fverdict", "")
    page.fill("#ffunc", "tcp_v4_rcv")
    numbers = [int(x) for x in page.eval_on_selector_all("#list tbody tr", "rs => rs.map(r => r.cells[0].innerText)")]
    check(numbers == expectations["tcp_v4_rcv"], f"function filter shows {numbers}")
    page.fill("#ffunc", "")
    page.click("#list th[data-k='0']")
    first = page.inner_text("#list tbody tr:first-child td:first-child")
    check(first == str(expectations["frames"]), f"sorted by number, descending: first {first}")
    if expectations["pages"] > 1:
        page.click("#next")
        check("page 2 of" in page.inner_text("#pager"), "next page")

    page.click("nav button[data-view='graph']")
    check(page.locator("#graph tbody tr").count() > 10, "call graph edges")
    page.screenshot(path=f"{outdir}/4-graph.png")
    page.click("nav button[data-view='stats']")
    check(page.locator("#chartsvg rect.bar").count() > 0, "the chart has bars")
    check(expectations["drop_reason"] in page.inner_text("#stats"), "drop reasons table")
    page.screenshot(path=f"{outdir}/5-stats.png")
    page.click("nav button[data-view='about']")
    check(len(page.inner_text("#agreement")) > 0, "agreement")
    page.screenshot(path=f"{outdir}/6-about.png")
    browser.close()

outside = [u for u in requests if u != url]
check(not outside, f"network requests: {outside}")
check(not errors, f"page errors: {errors}")
print(json.dumps({"failures": failures, "requests": len(requests)}))
sys.exit(1 if failures else 0)
