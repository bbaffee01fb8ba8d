"""The leadership report in real headless Chromium: standalone, safe, printable.

One small retro is built end to end through the real functions (exports written here -> run_period
for four months -> labels and fixes in the store -> build_report with the real notebook), with
script-injection payloads in every user-supplied text field and personal data in every column.
``UPDATE_SNAPSHOT=1`` (``make snapshot``) rewrites the committed outline snapshot.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from browser import new_page

from toolkit.pipeline import run_period
from toolkit.present.report.blocks import CHART_WIDTH
from toolkit.runner import build_report
from toolkit.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = Path(__file__).parent / "snapshots" / "report_outline.txt"
MONTHS = ("2026-07", "2026-08", "2026-09", "2026-10")
PERIOD = MONTHS[-1]

#: Script-injection payloads: script tags, event handlers, javascript: URLs, SVG, attribute break-outs.
PAYLOADS = [
    '<script>alert("x01")</script>',
    '<img src=x onerror=alert("x02")>',
    '<svg onload=alert("x03")>',
    '"><script>alert("x04")</script>',
    "'><img src=x onerror=alert('x05')>",
    'javascript:alert("x06")',
    "<a href=\"javascript:alert('x07')\">x07</a>",
    "<iframe src=\"javascript:alert('x08')\"></iframe>",
    '<svg><script>alert("x09")</script></svg>',
    '<body onload=alert("x10")>',
    '" onmouseover="alert(\'x11\')" data-x="',
    "<math><mi xlink:href=\"javascript:alert('x12')\">x12</mi></math>",
    '<details open ontoggle=alert("x13")>',
    '<style>@import "http://evil.example/x14.css";</style>',
    "<link rel=stylesheet href=http://evil.example/x15.css>",
    "<object data=\"javascript:alert('x16')\"></object>",
    "<embed src=\"javascript:alert('x17')\">",
    '<input autofocus onfocus=alert("x18")>',
    '</table></section><script>alert("x19")</script>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'x20\')">',
    '<video><source onerror=alert("x21")></video>',
    '</textarea></style></title><script>alert("x22")</script>',
    '<base href="http://evil.example/x23/">',
    '<img src="http://evil.example/x24.png">',
    "<svg><a xlink:href=\"javascript:alert('x25')\"><text>x25</text></a></svg>",
    "'';!--\"<x26>=&{()}",
]
#: Where each payload goes. Data values become leak segments; the others are typed by analysts.
UNCONTACTED_QUEUES = PAYLOADS[0:4]
SLOW_SOURCES = PAYLOADS[4:7]
STALLED_STAGES = PAYLOADS[7:10]
REPEAT_CATEGORIES = PAYLOADS[10:13]
SLOW_TEAMS = PAYLOADS[13:15]
NOTES = PAYLOADS[15:20]
FIX_TEXT = PAYLOADS[20:24]  # two fixes: description and owning team each
RECIPE_NAME = PAYLOADS[24]
CAUSE_FIX_NOTE = PAYLOADS[25]

#: Personal data seeded into the exports; none of it may reach the report.
NAMES = ["Jane Roe", "Olivia Smithfield", "Mateus Oliveira", "Siobhán Ní Bhriain", "Kwame Mensah"]
EMAILS = ["jane.roe@example.com", "o.smithfield@example.org", "kwame+crm@example.net"]
PHONES = ["+44 20 7946 0958", "07700 900123", "(555) 123-4567"]
ANALYST = "Priya Raman"


def _fmt(ts: pd.Series | pd.DatetimeIndex) -> pd.Series:
    return pd.Series(ts).dt.strftime("%Y-%m-%d %H:%M").fillna("")


def _lead_frame(
    rng: np.random.Generator, created: pd.DatetimeIndex, contact_after, **columns
) -> pd.DataFrame:
    """Leads that share every process dimension with the ordinary ones except those given."""
    n = len(created)
    frame = pd.DataFrame(
        {
            "Created": created,
            "First Contact": created + contact_after if contact_after is not None else pd.NaT,
            "Lead Source": rng.choice(["web", "referral"], n),
            "Queue": "Inside Sales",
            "Stage": "Qualify",
            "Stage Entered": created + pd.Timedelta(hours=1),
            # Every lead closes within a week (open at a month's end only if recent), except stuck deals.
            "Status": rng.choice(["Closed Won", "Closed Lost"], n, p=[0.3, 0.7]),
            "Closed": created + pd.Timedelta(days=6),
        }
    )
    for name, value in columns.items():
        frame[name] = value
    return frame


def _leads(rng: np.random.Generator) -> pd.DataFrame:
    """Every lead of the four months: ordinary ones, and the segments that leak, one per payload."""
    frames = []
    for month in MONTHS:
        start = pd.Timestamp(f"{month}-01 00:00")

        def created(n: int, start: pd.Timestamp = start) -> pd.DatetimeIndex:
            return start + pd.to_timedelta(rng.integers(0, 26 * 24, n), unit="h")

        normal = _lead_frame(rng, created(120), pd.Timedelta(minutes=2))
        # Personal data typed into kept text: the loader masks it.
        normal.loc[0, "Lead Source"] = EMAILS[0]
        normal.loc[1, "Queue"] = PHONES[0]
        frames.append(normal)
        for queue in UNCONTACTED_QUEUES:
            frames.append(_lead_frame(rng, created(8), None, Queue=queue))
        for source in SLOW_SOURCES:
            frames.append(_lead_frame(rng, created(8), pd.Timedelta(hours=3), **{"Lead Source": source}))
    # Deals stuck in a stage since spring: open and stalled in every month.
    for stage in STALLED_STAGES:
        since = pd.Timestamp("2026-04-01 10:00") + pd.to_timedelta(np.arange(8), unit="D")
        frame = _lead_frame(rng, since, pd.Timedelta(minutes=1), Stage=stage, Status="Open", Closed=pd.NaT)
        frame["Stage Entered"] = since + pd.Timedelta(days=10)
        frames.append(frame)
    leads = pd.concat(frames, ignore_index=True)
    n = len(leads)
    leads.insert(0, "Lead ID", [f"L{i:05d}" for i in range(n)])
    leads["Routing Rule"] = "round robin"
    leads["Amount"] = 5000
    leads["Account ID"] = ""
    leads["Lead Name"] = [NAMES[i % len(NAMES)] for i in range(n)]
    leads["Email"] = [EMAILS[i % len(EMAILS)] for i in range(n)]
    leads["Phone"] = [PHONES[i % len(PHONES)] for i in range(n)]
    leads["Notes"] = [f"Spoke to {NAMES[i % 5]} ({EMAILS[i % 3]}, {PHONES[i % 3]})" for i in range(n)]
    leads["Owner"] = [NAMES[(i + 1) % len(NAMES)] for i in range(n)]
    return leads


def _incidents(rng: np.random.Generator) -> pd.DataFrame:
    """Every incident: ordinary ones on distinct clients, repeats by category, slow ones by team."""
    frames = []
    for m, month in enumerate(MONTHS):
        start = pd.Timestamp(f"{month}-01 08:00")

        def frame(
            n: int, resolve_after: pd.Timedelta, accounts: list[str], start: pd.Timestamp = start, **columns
        ) -> pd.DataFrame:
            opened = start + pd.to_timedelta(rng.integers(0, 25 * 24, n), unit="h")
            out = pd.DataFrame(
                {
                    "Opened": opened,
                    "Resolved": opened + resolve_after,
                    "Account ID": accounts,
                    "Category": "Access",
                    "Priority": rng.choice(["P2", "P3"], n),
                    "Team": "Service Desk",
                }
            )
            for name, value in columns.items():
                out[name] = value
            return out

        normal = frame(60, pd.Timedelta(hours=2), [f"A{300 + m * 60 + i}" for i in range(60)])
        normal.loc[0, "Category"] = f"call {PHONES[1]}"
        frames.append(normal)
        for k, category in enumerate(REPEAT_CATEGORIES):
            # The same three clients each month: every incident after their first is a repeat.
            frames.append(
                frame(
                    6, pd.Timedelta(hours=1), [f"A{k * 3 + i % 3 + 1}" for i in range(6)], Category=category
                )
            )
        for k, team in enumerate(SLOW_TEAMS):
            accounts = [f"A{100 + m * 20 + k * 10 + i}" for i in range(8)]
            frames.append(frame(8, pd.Timedelta(days=9), accounts, Team=team))
    incidents = pd.concat(frames, ignore_index=True)
    n = len(incidents)
    incidents.insert(0, "Ticket", [f"T{i:05d}" for i in range(n)])
    incidents["Reopens"] = 0
    incidents["Assignee"] = [NAMES[i % len(NAMES)] for i in range(n)]
    incidents["Requester Email"] = [EMAILS[i % len(EMAILS)] for i in range(n)]
    incidents["Summary"] = [f"{NAMES[i % 5]} called from {PHONES[i % 3]}" for i in range(n)]
    return incidents


def _accounts() -> pd.DataFrame:
    ids = [f"A{i}" for i in range(1, 600)]
    churned = {"A1": "2026-10-20", "A4": "2026-10-25"}  # clients of the recurring categories leave
    return pd.DataFrame(
        {
            "Account ID": ids,
            "Churned": [churned.get(a, "") for a in ids],
            "Annual Value": 120_000,
            "Account Name": [f"{NAMES[i % 5]} Ltd" for i in range(len(ids))],
            "Primary Contact": [f"{NAMES[i % 5]} <{EMAILS[i % 3]}>" for i in range(len(ids))],
        }
    )


def _export(
    root: Path, month: str, leads: pd.DataFrame, incidents: pd.DataFrame, accounts: pd.DataFrame
) -> Path:
    """The export as it stood at the end of ``month``: later records absent, later times empty."""
    end = pd.Period(month, freq="M").end_time.floor("min")
    folder = root / "exports" / month
    folder.mkdir(parents=True)
    lead = leads.loc[leads["Created"] <= end].copy()
    for col in ("First Contact", "Stage Entered"):
        lead.loc[lead[col] > end, col] = pd.NaT
    later = lead["Closed"] > end
    lead.loc[later, "Status"] = "Open"
    lead.loc[later, "Closed"] = pd.NaT
    for col in ("Created", "First Contact", "Stage Entered", "Closed"):
        lead[col] = _fmt(lead[col])
    inc = incidents.loc[incidents["Opened"] <= end].copy()
    inc.loc[inc["Resolved"] > end, "Resolved"] = pd.NaT
    for col in ("Opened", "Resolved"):
        inc[col] = _fmt(inc[col])
    acc = accounts.copy()
    acc.loc[acc["Churned"] > end.strftime("%Y-%m-%d"), "Churned"] = ""
    lead.to_csv(folder / "leads.csv", index=False)
    inc.to_csv(folder / "incidents.csv", index=False)
    acc.to_csv(folder / "accounts.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> dict:
    """A four-month retro built through the real pipeline and notebook; returns paths and facts."""
    root = tmp_path_factory.mktemp("small_run")
    rng = np.random.default_rng(20261031)
    leads, incidents, accounts = _leads(rng), _incidents(rng), _accounts()
    recipe = root / "recipe.yaml"
    recipe.write_text(json.dumps({"extends": "sample", "name": RECIPE_NAME}), encoding="utf-8")
    config = root / "config.yaml"
    config.write_text(
        json.dumps({"groups": {"min_support": 5, "min_leaks": 3, "max_groups": 8, "cover_share": 1.0}}),
        encoding="utf-8",
    )
    store = root / "retro.sqlite"
    for month in MONTHS:
        folder = _export(root, month, leads, incidents, accounts)
        end = pd.Period(month, freq="M").end_time.floor("min")
        run_period(
            month,
            recipe=recipe,
            folder=folder,
            config=config,
            store=store,
            out_dir=root / "reports" / month,
            as_of=str(end),
        )
    with Store(store) as s:
        groups = s.group_metrics(PERIOD)
        named = groups.loc[~groups["group_key"].str.endswith("|elsewhere")]
        for i, key in enumerate(named["group_key"]):
            for month in MONTHS[-2:]:
                s.record_label(
                    key,
                    "no_visibility" if i % 2 else "no_capacity",
                    period=month,
                    analyst=ANALYST,
                    note=NOTES[i % len(NOTES)],
                )
        first = named.loc[named["leak_type"] == "uncontacted", "group_key"].iloc[0]
        s.record_fix(
            group_key=first,
            description=FIX_TEXT[0],
            owner_team=FIX_TEXT[1],
            effective_date="2026-09-01",
            period="2026-08",
            analyst=ANALYST,
        )
        s.record_fix(
            cause="no_visibility",
            description=FIX_TEXT[2] + " " + CAUSE_FIX_NOTE,
            owner_team=FIX_TEXT[3],
            effective_date="2026-10-15",
            period="2026-10",
            analyst=ANALYST,
        )
        values = set()
        for dims in groups["dimensions"]:
            values |= set(json.loads(dims).values())
    html = build_report(
        PERIOD,
        store=store,
        config=config,
        reports_dir=root / "reports",
        notebooks_dir=ROOT / "notebooks",
        recipe=str(recipe),
    )
    return {"html": html, "root": root, "segment_values": values, "groups": groups}


@pytest.fixture(scope="module")
def loaded(small_run, browser):
    """The report opened from disk in Chromium, with what it requested, logged and opened."""
    page = new_page(browser)
    page.goto(small_run["html"].resolve().as_uri(), wait_until="load")
    yield page
    page.context.close()


# --- standalone -------------------------------------------------------------------------------------


def test_opens_offline_as_one_file(small_run, loaded):
    assert loaded.log.requests == [small_run["html"].resolve().as_uri()]
    assert loaded.log.console_errors == []
    assert loaded.log.dialogs == []
    assert loaded.title() == "Process retro 2026-10: leadership report"


def test_every_image_is_embedded_and_decodes(loaded):
    images = loaded.evaluate(
        """[...document.images].map(i => ({src: i.getAttribute('src').slice(0, 22), ok: i.complete &&
            i.naturalWidth > 0, alt: i.alt}))"""
    )
    assert len(images) >= 6
    for image in images:
        assert image["src"] == "data:image/png;base64,"
        assert image["ok"], image
        assert len(image["alt"]) > 20


def test_no_script_no_code_no_prompt(small_run, loaded):
    counts = loaded.evaluate(
        """({scripts: document.scripts.length,
             inputs: document.querySelectorAll('.jp-InputArea, .jp-CodeMirrorEditor, .jp-InputPrompt').length,
             prompts: [...document.querySelectorAll('.jp-OutputPrompt, .jp-InputPrompt')]
                 .filter(e => e.offsetParent !== null).length,
             forms: document.querySelectorAll(
                 'input, textarea, select, button, iframe, object, embed').length})"""
    )
    assert counts == {"scripts": 0, "inputs": 0, "prompts": 0, "forms": 0}
    text = loaded.inner_text("body")
    for payload in PAYLOADS:
        text = text.replace(payload, "")
    for code in ("import ", "report.", "load_context", "In [", "Out[", "ctx", "_repr_html_", "Traceback"):
        assert code not in text
    raw = small_run["html"].read_text(encoding="utf-8")
    assert "<script" not in raw.lower()


def test_section_order_and_title(loaded):
    headings = loaded.eval_on_selector_all("h1, h2", "els => els.map(e => e.innerText.trim())")
    assert headings == [
        "Process retro: October 2026",
        "What needs leadership",
        "Persistent and unaddressed: leadership goes first",
        "Where the process leaked",
        "Pareto of process causes",
        "Did the fixes work?",
        "Appendix: method and data quality",
    ]


def test_readable_on_a_phone(small_run, browser):
    page = new_page(browser, width=390, height=844)
    page.goto(small_run["html"].resolve().as_uri(), wait_until="load")
    # Nothing but tables and charts (which scroll on their own) is wider than the screen.
    wide = page.evaluate(
        """[...document.querySelectorAll('p, li, h1, h2, h3, figure, .retro-kpis')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).length"""
    )
    assert wide == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Charts are whole on the screen, their smallest words (8 pt on a chart drawn CHART_WIDTH inches
    # wide) at 9 px or more.
    shown = page.evaluate(
        "[...document.querySelectorAll('figure.retro-chart img')].map(i => i.getBoundingClientRect().width)"
    )
    assert shown and all(w * 8 / (CHART_WIDTH * 72) >= 9 and w <= 390 for w in shown)
    cues = page.evaluate(
        "[...document.querySelectorAll('table')].map(t => getComputedStyle(t, '::before').content)"
    )
    assert cues and all("Scroll sideways to see the whole table" in c for c in cues)
    page.context.close()


# --- safety -------------------------------------------------------------------------------------------


def test_injected_payloads_are_shown_as_text(small_run, loaded):
    # The payloads in data values really became segments of the run (else this test proves nothing).
    for value in UNCONTACTED_QUEUES + SLOW_SOURCES + STALLED_STAGES + REPEAT_CATEGORIES + SLOW_TEAMS:
        assert value in small_run["segment_values"], value
    text = loaded.inner_text("body")
    for payload in PAYLOADS:
        assert payload in text, payload
    assert loaded.log.dialogs == []
    assert loaded.log.requests == [small_run["html"].resolve().as_uri()]


def test_no_payload_became_markup(small_run, loaded):
    found = loaded.evaluate(
        """(() => {
            const all = [...document.querySelectorAll('*')];
            return {
                handlers: all.flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on'))
                    .map(a => e.tagName + ' ' + a.name)),
                urls: all.flatMap(e => ['href', 'src', 'data', 'action', 'xlink:href']
                    .map(n => e.getAttribute(n)).filter(v => v && !v.startsWith('data:image/png')
                        && !v.startsWith('#'))),
                tags: document.querySelectorAll(
                    'svg, math, iframe, object, embed, video, base, meta[http-equiv], details, x26, link, '
                    + 'body body'
                ).length,
            };
        })()"""
    )
    assert found == {"handlers": [], "urls": [], "tags": 0}


def test_no_personal_data_anywhere(small_run, loaded):
    raw = small_run["html"].read_text(encoding="utf-8")
    text = loaded.inner_text("body")
    for value in [*NAMES, *EMAILS, *PHONES, ANALYST]:
        for shown in (value, value.replace("+", "&#x2B;"), value.replace("<", "&lt;")):
            assert shown not in raw, value
        assert value not in text, value
    # The loader masked what was typed into kept text, and the report says how much it removed.
    masked = re.search(
        r"and (\d+) e-mail addresses or phone numbers found in the remaining text were masked", text
    )
    assert masked and int(masked.group(1)) >= 3


def test_small_enough_to_send(small_run):
    assert small_run["html"].stat().st_size < 2 * 1024 * 1024


# --- print --------------------------------------------------------------------------------------------


def _pdf_pages(pdf: bytes) -> list[set[int]]:
    """The image objects each page of a Chromium (Skia) PDF draws, one set per page."""
    objects = {int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj\n(.*?)endobj", pdf, re.S)}
    images = {n for n, body in objects.items() if b"/Subtype /Image" in body[:400]}
    pages = []
    for body in objects.values():
        if not re.search(rb"/Type /Page\b(?!s)", body):
            continue
        xobjects = re.search(rb"/XObject\s*<<(.*?)>>", body, re.S)
        refs = {int(r) for r in re.findall(rb"(\d+) 0 R", xobjects.group(1))} if xobjects else set()
        pages.append(refs & images)
    return pages


def print_a4(html: Path, browser) -> tuple[list[set[int]], int]:
    """Print ``html`` to an A4 PDF in Chromium: the images drawn on each page, and the page's image count."""
    page = new_page(browser)
    page.goto(html.resolve().as_uri(), wait_until="load")
    page.emulate_media(media="print")
    n_images = page.evaluate("document.images.length")
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    page.context.close()
    return _pdf_pages(pdf), n_images


def test_prints_on_a4_without_cutting_a_chart(small_run, browser):
    pages, n_images = print_a4(small_run["html"], browser)
    assert 3 <= len(pages) <= 20  # the brief runs on; the appendix starts a page
    drawn = [image for images in pages for image in images]
    # A chart cut across a page break is drawn on both pages; each must be drawn exactly once.
    assert len(drawn) == len(set(drawn)) == n_images


# --- outline snapshot -------------------------------------------------------------------------------


def outline(page) -> str:
    """The report's text outline: headings, table headers and sentence templates (numbers as #)."""
    lines = page.evaluate(
        """(() => {
            const out = [];
            for (const e of document.querySelectorAll('h1, h2, h3, table, figure, p, li, dt')) {
                if (e.closest('table') && e.tagName !== 'TABLE') continue;
                if (e.tagName === 'TABLE') {
                    const heads = [...e.querySelectorAll('th')].map(t => t.innerText.trim());
                    out.push('table: ' + heads.join(' | '));
                } else if (e.tagName === 'FIGURE') {
                    out.push('[chart]');
                } else if (e.tagName === 'LI' && e.querySelector('p')) {
                    continue;
                } else {
                    const prefix = {H1: '# ', H2: '## ', H3: '### ', LI: '- ', DT: 'term: '}[e.tagName] || '';
                    out.push(prefix + e.innerText.replace(/\\s+/g, ' ').trim());
                }
            }
            return out;
        })()"""
    )
    text = "\n".join(lines)
    for payload in sorted(PAYLOADS, key=len, reverse=True):
        text = text.replace(payload, "<value>")
    text = re.sub(r"\d+(?:[.,]\d+)*", "#", text)
    return text + "\n"


def test_outline_matches_snapshot(loaded):
    current = outline(loaded)
    if os.environ.get("UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert SNAPSHOT.is_file(), "No outline snapshot yet: run `make snapshot` and commit tests/snapshots/."
    assert current == SNAPSHOT.read_text(encoding="utf-8"), (
        "The report's outline changed. If the change is intended, run `make snapshot` and commit "
        "tests/snapshots/report_outline.txt."
    )


# --- the bundled sample -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory) -> Path:
    """The sample's October report, built as `make retro` builds it (without the analyst's notebook)."""
    from toolkit.runner import backfill
    from toolkit.store import seed_events

    root = tmp_path_factory.mktemp("sample")
    exports, store = ROOT / "data" / "sample", root / "retro.sqlite"
    backfill(PERIOD, exports=exports, recipe="sample", config=None, store=store)
    with Store(store) as s:
        seed_events(s, exports / "events.csv")
    run_period(
        PERIOD, recipe="sample", folder=exports / PERIOD, store=store, out_dir=root / "reports" / PERIOD
    )
    return build_report(
        PERIOD, store=store, config=None, reports_dir=root / "reports", notebooks_dir=ROOT / "notebooks"
    )


def test_sample_report_is_standalone_and_small(sample_report, browser):
    assert sample_report.stat().st_size < 2 * 1024 * 1024
    page = new_page(browser)
    page.goto(sample_report.resolve().as_uri(), wait_until="load")
    assert page.log.requests == [sample_report.resolve().as_uri()]
    assert page.log.console_errors == [] and page.log.dialogs == []
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    assert page.evaluate("document.images.length") >= 8
    first = page.inner_text("ol.retro-asks > li:first-child")
    page.context.close()
    # Leadership goes first: the recurring billing incidents that precede churn, never fixed (story 4).
    assert first.startswith(
        "Stable but bad for 12 months, since November 2025, the store's first month, unaddressed. Billing "
        "incidents leak in 2 ways"
    )
    assert "clients left this month after Billing incidents" in first
    assert "No fix recorded." in first


def test_sample_report_prints_whole_charts(sample_report, browser):
    pages, n_images = print_a4(sample_report, browser)
    assert 3 <= len(pages) <= 20
    drawn = [image for images in pages for image in images]
    assert len(drawn) == len(set(drawn)) == n_images


def _brief_pages(html: Path, browser) -> tuple[int, int]:
    """The A4 pages the brief prints on (the appendix starts a page of its own), and all the pages."""
    page = new_page(browser)
    page.goto(html.resolve().as_uri(), wait_until="load")
    page.emulate_media(media="print")
    whole = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    page.evaluate("document.querySelector('h2#method').closest('.jp-Cell').remove()")
    brief = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    page.context.close()
    return len(_pdf_pages(brief)), len(_pdf_pages(whole))


def test_sample_brief_prints_on_four_pages(sample_report, browser):
    brief, whole = _brief_pages(sample_report, browser)
    assert brief <= 4 < whole


def test_sample_report_judges_the_partner_fix(sample_report):
    text = sample_report.read_text(encoding="utf-8")
    assert re.search(
        r"The fix of 1 July 2026 \(Route partner leads by territory to the regional queues\) worked: partner "
        r"leads never contacted fell from \d+% to \d+% \(2026-04 to 2026-06 against 2026-07 to 2026-09\)",
        text,
    )


def test_sample_report_holds_no_personal_data(sample_report):
    html = sample_report.read_text(encoding="utf-8")
    folder = ROOT / "data" / "sample" / PERIOD
    personal = {
        "leads.csv": ["Lead Name", "Email", "Phone", "Notes", "Owner"],
        "incidents.csv": ["Assignee", "Requester Email", "Summary"],
        "accounts.csv": ["Account Name", "Primary Contact"],
    }
    values = set()
    for name, columns in personal.items():
        frame = pd.read_csv(folder / name, dtype="str", usecols=columns, keep_default_na=False)
        for col in columns:
            values |= {v for v in frame[col].unique() if len(v) > 4}
    assert len(values) > 100
    leaked = sorted(v for v in values if v in html)
    assert leaked == []
