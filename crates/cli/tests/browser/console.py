"""Drives the operator console in a real headless browser: Debian's Chromium through Playwright's
Python client (no browser is downloaded: the system Chromium's path is given at launch).

Called by crates/cli/tests/cli/browser.rs against a running `armscan serve --scans`, which
checks the database and the screenshot afterwards. What a scripted operator does here:

1. opens the console, logs in as `ana` (typing the name, Enter);
2. waits for the whole queue (`--expect` scans), moves to the first alarmed row with `j` and
   opens it with Enter;
3. waits for the image and the engine's boxes, saves a screenshot of the scan view;
4. turns tools on by key (n negative, e edges, ] contrast, + zoom, an arrow to pan) and checks
   the page said so and that the negative image is the standard one inverted (pixel means);
5. decides by keyboard: t then 1 (threat, firearm);
6. then `ana` and `ben`, in two browser contexts at once, each decide other scans by key.

Prints one JSON object on stdout: what was decided, for the Rust side to find in SQLite.
"""
import argparse
import asyncio
import json
import sys

from playwright.async_api import async_playwright

# As this machine's probe starts Chromium: no sandbox (root in CI), nothing fetched on start.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

MEAN_JS = """(img) => {
  const c = document.createElement('canvas');
  c.width = 256; c.height = Math.max(1, Math.round(256 * img.naturalHeight / img.naturalWidth));
  const g = c.getContext('2d'); g.drawImage(img, 0, 0, c.width, c.height);
  const d = g.getImageData(0, 0, c.width, c.height).data;
  let s = 0; for (let i = 0; i < d.length; i += 4) s += (d[i] + d[i + 1] + d[i + 2]) / 3;
  return s / (d.length / 4);
}"""


async def image_settled(page, must_contain):
    """Waits until #image shows a URL containing `must_contain` and has finished loading."""
    await page.wait_for_function(
        "(t) => { const i = document.querySelector('#image');"
        " return i.src.includes(t) && i.complete && i.naturalWidth > 0; }",
        arg=must_contain, timeout=30_000)


async def login(context, url, name):
    page = await context.new_page()
    await page.goto(url)
    await page.fill("#operator", name)
    await page.press("#operator", "Enter")
    await page.wait_for_selector("#queue", timeout=30_000)
    return page


async def decide_by_key(context, url, scan_id, key):
    page = await context.new_page()
    await page.goto(f"{url}scan/{scan_id}")
    await page.wait_for_function("() => document.querySelector('#title').textContent.length > 0")
    await page.keyboard.press(key)
    # A recorded decision moves the page on to the next scan (or the queue).
    await page.wait_for_url(lambda u: f"/scan/{scan_id}" not in u, timeout=30_000)
    await page.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True, help="the console, ending in /")
    ap.add_argument("--expect", type=int, required=True, help="scans the queue must reach")
    ap.add_argument("--screenshot", required=True, help="where to save the scan view")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    a = ap.parse_args()
    out = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=a.chromium, headless=True, args=CHROMIUM_ARGS)
        ana_ctx = await browser.new_context(viewport={"width": 1280, "height": 860}, device_scale_factor=1)
        page = await login(ana_ctx, a.url, "ana")
        # The queue shows undecided scans by default; wait for all of them (screening is live).
        await page.wait_for_function(
            "(n) => document.querySelector('#count').textContent === n + ' shown of ' + n",
            arg=a.expect, timeout=300_000)
        statuses = await page.eval_on_selector_all("#queue tbody tr", "rs => rs.map(r => r.className)")
        alarmed = next(i for i, c in enumerate(statuses) if c.split()[0] == "alarm")
        for _ in range(alarmed):
            await page.keyboard.press("j")
        await page.wait_for_function(
            "(i) => document.querySelectorAll('#queue tbody tr')[i].classList.contains('sel')", arg=alarmed)
        await page.keyboard.press("Enter")
        await page.wait_for_url("**/scan/*")
        scan_id = page.url.rstrip("/").split("/")[-1]
        await image_settled(page, "tool=&")
        await page.wait_for_selector("#boxes .box")
        boxes = await page.eval_on_selector_all("#boxes .box", "bs => bs.map(b => b.textContent)")
        record = await (await ana_ctx.request.get(f"{a.url}api/scans/{scan_id}")).json()
        await page.screenshot(path=a.screenshot)
        mean_standard = await page.eval_on_selector("#image", MEAN_JS)

        await page.keyboard.press("n")
        await image_settled(page, "tool=negative&")
        assert await page.text_content("#t-negative") == "on"
        mean_negative = await page.eval_on_selector("#image", MEAN_JS)
        await page.keyboard.press("e")
        await image_settled(page, "tool=edges,negative&")
        await page.keyboard.press("]")
        await image_settled(page, "contrast=1.25")
        await page.keyboard.press("+")
        assert await page.text_content("#t-zoom") == "2x"
        await page.keyboard.press("ArrowLeft")
        transform = await page.eval_on_selector("#stage", "s => s.style.transform")
        assert "translate(60px" in transform and "scale(2)" in transform, transform

        await page.keyboard.press("t")
        await page.wait_for_function("() => document.querySelector('#message').textContent.startsWith('threat:')")
        await page.keyboard.press("1")
        await page.wait_for_url(lambda u: f"/scan/{scan_id}" not in u, timeout=30_000)
        title = await page.title()

        # Two operators deciding at once, in two browser contexts (two sessions).
        queue = await ana_ctx.request.get(a.url + "api/queue?state=undecided")
        undecided = [s["id"] for s in (await queue.json())["scans"]]
        ben_ctx = await browser.new_context(viewport={"width": 1280, "height": 860})
        await (await login(ben_ctx, a.url, "ben")).close()
        ana_ids, ben_ids = undecided[0::2][:3], undecided[1::2][:3]
        await asyncio.gather(
            *[decide_by_key(ana_ctx, a.url, i, "c") for i in ana_ids],
            *[decide_by_key(ben_ctx, a.url, i, "s") for i in ben_ids],
        )
        out = {
            "alarmed_id": scan_id,
            "boxes": boxes,
            "record_detections": len(record["record"]["detections"]),
            "record_status": record["record"]["status"],
            "mean_standard": mean_standard,
            "mean_negative": mean_negative,
            "page_after_decision": title,
            "ana_cleared": ana_ids,
            "ben_searched": ben_ids,
        }
        await browser.close()
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    asyncio.run(main())
