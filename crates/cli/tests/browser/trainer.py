"""Drives trainer mode in Debian's Chromium through Playwright's Python client: a trainer builds
a 20-trial course with the page's form, a trainee works the whole session by mouse and keyboard
(click on the image and 1/t, or n; Space for the next trial), and the script prints what it
answered, for crates/cli/tests/cli/browser.rs to find in SQLite and in the stored scores.

Every third trial the trainee clicks the image's centre and names a firearm (1); the trial
after, it clicks near the top-left corner and answers threat without a category (t); the third,
no threat (n). It never sees an answer before giving one.
"""
import argparse
import asyncio
import json
import sys

from playwright.async_api import async_playwright

from console import CHROMIUM_ARGS, login


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    a = ap.parse_args()
    log = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=a.chromium, headless=True, args=CHROMIUM_ARGS)
        tess = await browser.new_context(viewport={"width": 1280, "height": 860})
        page = await login(tess, a.url, "tess")
        await page.goto(a.url + "trainer")
        await page.fill("#c-name", "drill")
        await page.fill("#c-trials", str(a.trials))
        await page.fill("#c-share", "0.5")
        await page.click("#new-course button[type=submit]")
        await page.wait_for_function("() => document.querySelector('#message').textContent.startsWith('course created')")

        tom = await browser.new_context(viewport={"width": 1280, "height": 860})
        page = await login(tom, a.url, "tom")
        await page.goto(a.url + "trainer")
        await page.wait_for_selector("#courses button.start")
        await page.click("#courses button.start")
        await page.wait_for_url("**/trainer/session/*")
        for i in range(a.trials):
            await page.wait_for_function("() => document.body.dataset.state === 'ready'", timeout=30_000)
            token = await page.evaluate("() => document.body.dataset.trial")
            box = await page.eval_on_selector(
                "#image", "i => { const r = i.getBoundingClientRect(); return [r.left, r.top, r.width, i.naturalWidth]; }")
            left, top, width, natural = box
            k = natural / width
            kind = i % 3
            if kind in (0, 1):
                sx, sy = (left + width / 2, top + 0.4 * width) if kind == 0 else (left + 12, top + 12)
                await page.mouse.click(sx, sy)
                await page.keyboard.press("1" if kind == 0 else "t")
                mark = [(sx - left) * k, (sy - top) * k]
                entry = {"token": token, "answer": "threat", "mark": mark,
                         "category": "firearm" if kind == 0 else None}
            else:
                await page.keyboard.press("n")
                entry = {"token": token, "answer": "clear", "mark": None, "category": None}
            await page.wait_for_function("() => document.body.dataset.state === 'answered'", timeout=30_000)
            entry["feedback"] = await page.text_content("#feedback")
            log.append(entry)
            await page.keyboard.press(" ")
        await page.wait_for_function("() => document.body.dataset.state === 'done'", timeout=30_000)
        await page.goto(a.url + "trainer/report")
        report_has_chart = await page.locator("svg.progress").count()
        scores = await (await tom.request.get(a.url + "api/trainer/scores")).json()
        await browser.close()
    json.dump({"answers": log, "report_charts": report_has_chart, "scores": scores}, sys.stdout)
    print()


if __name__ == "__main__":
    asyncio.run(main())
